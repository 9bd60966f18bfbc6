package io.tracestitch.delivery;

import io.tracestitch.avro.AlertAction;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * The records a delivery loop has read and not yet settled, in offset order per partition. Records are settled
 * from the front of their partition only, so the offset to commit is always just after the last one settled.
 * Also knows the latest trigger of each lifecycle of each key still waiting, so a trigger that a later re-send
 * of the same lifecycle already covers can be skipped. Not thread-safe: owned by one loop.
 */
final class PendingAlerts {
  private final Map<TopicPartition, ArrayDeque<PendingAlert>> byPartition = new LinkedHashMap<>();
  private final Map<String, PendingAlert> latestTrigger = new HashMap<>();
  private int size;

  void add(PendingAlert alert) {
    ArrayDeque<PendingAlert> queue = byPartition.computeIfAbsent(alert.partition(), p -> new ArrayDeque<>());
    if (!queue.isEmpty() && queue.peekLast().offset() >= alert.offset()) {
      throw new IllegalStateException("Record " + alert.where() + " arrived after " + queue.peekLast().where()
          + "; a partition's records must come in offset order.");
    }
    queue.addLast(alert);
    size++;
    if (alert.readable() && alert.alert().getAction() == AlertAction.TRIGGER) {
      latestTrigger.put(lifecycle(alert), alert);
    }
  }

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  /** Every waiting record, partition by partition, each partition's in offset order. */
  List<PendingAlert> all() {
    List<PendingAlert> all = new ArrayList<>(size);
    byPartition.values().forEach(all::addAll);
    return all;
  }

  /** The first waiting record of the partition whose first record is the oldest (by record time), or null. */
  PendingAlert oldestHead() {
    PendingAlert oldest = null;
    for (ArrayDeque<PendingAlert> queue : byPartition.values()) {
      PendingAlert head = queue.peekFirst();
      if (head != null && (oldest == null || head.timestampMs() < oldest.timestampMs())) {
        oldest = head;
      }
    }
    return oldest;
  }

  /** The latest waiting trigger of the same key and lifecycle as this record. */
  Optional<PendingAlert> latestTriggerOfLifecycle(PendingAlert alert) {
    return alert.readable() ? Optional.ofNullable(latestTrigger.get(lifecycle(alert))) : Optional.empty();
  }

  private static String lifecycle(PendingAlert alert) {
    return alert.key() + "\u0000" + alert.alert().getFirstSeenMs();
  }

  /**
   * Removes a settled record.
   *
   * @throws IllegalStateException unless it is the first waiting record of its partition
   */
  void settle(PendingAlert alert) {
    ArrayDeque<PendingAlert> queue = byPartition.get(alert.partition());
    if (queue == null || queue.peekFirst() != alert) {
      throw new IllegalStateException("Record " + alert.where() + " was settled out of order; only the first "
          + "waiting record of a partition can be.");
    }
    queue.removeFirst();
    size--;
    if (alert.readable() && latestTrigger.get(lifecycle(alert)) == alert) {
      latestTrigger.remove(lifecycle(alert));
    }
  }

  /** Forgets the records of partitions this loop no longer owns. */
  void drop(Collection<TopicPartition> partitions) {
    for (TopicPartition partition : partitions) {
      ArrayDeque<PendingAlert> queue = byPartition.remove(partition);
      if (queue != null) {
        size -= queue.size();
      }
    }
    latestTrigger.values().removeIf(a -> partitions.contains(a.partition()));
  }
}
