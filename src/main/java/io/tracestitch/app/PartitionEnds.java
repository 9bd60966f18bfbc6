package io.tracestitch.app;

import io.tracestitch.topology.ProcessorClock;
import io.tracestitch.topology.ReadToEnd;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * The bookkeeping behind {@link SourceEndWatch}: for each source partition the ingest stage asked about, the
 * consumer's last position and the broker's last listed end offset, and from the two, the latest time at which
 * the partition was known to be read to its end.
 *
 * <p>An end offset listed at wall time {@code t} says what had been appended by then; once the consumer's position
 * reaches it, everything appended before {@code t} has been fetched, so the partition was read to its end as of
 * {@code t}. (The position, not the last record processed: under exactly-once a transaction's commit marker takes
 * an offset of its own that no record carries.) An end the consumer has not reached yet is kept until it is, so a
 * partition that is written as fast as it is read is still confirmed, one listing late.
 *
 * <p>Thread-safe: positions come from the stream threads, ends from the watch's own thread.
 */
final class PartitionEnds {
  /** A partition nobody asked about for this long is no longer listed (its task moved away). */
  static final long FORGET_AFTER_MS = 30_000;
  /**
   * The longest a partition that cannot be confirmed holds the clocks back. A partition offline for good (its only
   * replica's broker gone) must not silence every deadline of every workflow: past this, the clock moves on this far
   * behind the wall clock, and a branch whose answer waits in that partition may page. As long as a silent upstream
   * task holds the later stages back ({@code ProcessorClock.FORGET_SILENT_SENDER}).
   */
  static final long MAX_HOLD_MS = ProcessorClock.FORGET_SILENT_SENDER.toMillis();

  private final Map<TopicPartition, Watched> watched = new ConcurrentHashMap<>();
  private volatile boolean positionsSeen;

  /** The stage asks: from now on the partition is watched. */
  long confirmedAt(TopicPartition partition, long nowMs) {
    if (!positionsSeen) {
      // No consumer of this instance reports its positions (its group protocol creates the consumer itself):
      // nothing to confirm with, and holding the clock back for good would silence every deadline.
      return ReadToEnd.NOT_WATCHED;
    }
    return Math.max(watched.computeIfAbsent(partition, p -> new Watched()).askedAt(nowMs), nowMs - MAX_HOLD_MS);
  }

  /** Whether positions of this partition are wanted (only watched ones are read, after every poll). */
  boolean isWatched(TopicPartition partition) {
    return watched.containsKey(partition);
  }

  /** A consumer of this instance reports a position (after a poll). */
  void positionRead(TopicPartition partition, long position) {
    Watched w = watched.get(partition);
    if (w != null) {
      w.positionRead(position);
    }
  }

  /** A consumer polled, whatever it holds: this instance's consumers report their positions. */
  void consumerPolled() {
    positionsSeen = true;
  }

  /** The broker said the partition ended at {@code endOffset} when asked at {@code listedAtMs}. */
  void endListed(TopicPartition partition, long endOffset, long listedAtMs) {
    Watched w = watched.get(partition);
    if (w != null) {
      w.endListed(endOffset, listedAtMs);
    }
  }

  /** The partitions to list next: asked about recently and read by a consumer here. */
  List<TopicPartition> toList(long nowMs) {
    watched.entrySet().removeIf(e -> e.getValue().forgotten(nowMs));
    return watched.entrySet().stream().filter(e -> e.getValue().hasPosition()).map(Map.Entry::getKey).toList();
  }

  /**
   * Per watched partition in topic and partition order, the wall time up to which it was confirmed read to its end
   * ({@link ReadToEnd#NOT_YET}); a copy, the caller's to change.
   */
  Map<TopicPartition, Long> confirmations() {
    Map<TopicPartition, Long> confirmed = new TreeMap<>(
        Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
    watched.forEach((partition, w) -> confirmed.put(partition, w.confirmedAt()));
    return confirmed;
  }

  private static final class Watched {
    private long position = -1;
    private long pendingEnd = -1;
    private long pendingListedAt;
    private long confirmedAt = ReadToEnd.NOT_YET;
    private long askedAt;

    synchronized long askedAt(long nowMs) {
      askedAt = nowMs;
      return confirmedAt;
    }

    synchronized void positionRead(long offset) {
      position = offset;
      confirmIfReached();
    }

    synchronized void endListed(long endOffset, long listedAtMs) {
      // An end not reached yet is kept: replacing it by every later one could put confirmation off for good.
      if (pendingEnd < 0) {
        pendingEnd = endOffset;
        pendingListedAt = listedAtMs;
      }
      confirmIfReached();
    }

    private void confirmIfReached() {
      if (pendingEnd >= 0 && position >= pendingEnd) {
        confirmedAt = Math.max(confirmedAt, pendingListedAt);
        pendingEnd = -1;
      }
    }

    synchronized long confirmedAt() {
      return confirmedAt;
    }

    synchronized boolean hasPosition() {
      return position >= 0;
    }

    synchronized boolean forgotten(long nowMs) {
      return nowMs - askedAt > FORGET_AFTER_MS;
    }
  }
}
