package io.tracestitch.topology.alert;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A consumer group's committed offsets on the partitions of one topic, as last read, with how they moved.
 *
 * @param status READY: read (see {@code asOfMs}); PENDING: asked for, not read yet; UNAVAILABLE: the Admin API
 *     failed ({@code problem} says how); NOT_CHECKED: there is nothing to ask ({@code problem} says why)
 * @param partitions by partition number (READY only)
 * @param asOfMs when they were read (wall clock of the reading thread)
 * @param problem why there is nothing to show, for UNAVAILABLE and NOT_CHECKED
 */
public record GroupPositions(Status status, Map<Integer, Position> partitions, long asOfMs, String problem) {
  public enum Status { READY, PENDING, UNAVAILABLE, NOT_CHECKED }

  /**
   * One partition.
   *
   * @param committed the group's committed offset (the next record it will read), or -1 if it has none
   * @param end the partition's end offset
   * @param unchangedForMs how long the committed offset has stood where it is, as far as the readings tell (0 when
   *     it moved since the previous reading)
   * @param readings how many readings that is based on (a first reading cannot tell stuck from moving)
   */
  public record Position(long committed, long end, long unchangedForMs, int readings) {
    public long lag() {
      return committed < 0 ? -1 : Math.max(0, end - committed);
    }

    /** Behind the end and not moving across at least two readings. */
    public boolean stuck() {
      return committed >= 0 && lag() > 0 && readings > 1 && unchangedForMs > 0;
    }
  }

  public GroupPositions {
    partitions = Collections.unmodifiableMap(new TreeMap<>(partitions)); // in partition order, for sentences
  }

  public static GroupPositions pending() {
    return new GroupPositions(Status.PENDING, Map.of(), 0, null);
  }

  public static GroupPositions unavailable(String problem, long atMs) {
    return new GroupPositions(Status.UNAVAILABLE, Map.of(), atMs, problem);
  }

  public static GroupPositions notChecked(String why) {
    return new GroupPositions(Status.NOT_CHECKED, Map.of(), 0, why);
  }
}
