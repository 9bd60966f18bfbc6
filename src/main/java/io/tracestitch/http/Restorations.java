package io.tracestitch.http;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * Which changelog partitions this instance's active tasks are restoring right now, and how far each
 * has come. Registered as Kafka Streams' global restore listener before start: Streams can report
 * RUNNING while a task it was just given still replays its changelog, and such an instance must not
 * be called ready. Standby updates are not restorations and do not appear here.
 *
 * <p>Called on Streams' restoring threads, read by the HTTP and metrics threads. A further listener
 * (for example one that logs progress) is told of each restoration after it has been recorded here.
 */
public final class Restorations implements StateRestoreListener {
  /** One changelog partition being replayed into a store. */
  public record Progress(String store, TopicPartition changelog, long startOffset, long endOffset, long restored) {
    /** Records still to replay (an estimate: offsets include transaction markers). */
    public long remaining() {
      return Math.max(0, endOffset - startOffset - restored);
    }
  }

  private static final StateRestoreListener NONE = new StateRestoreListener() {
    @Override
    public void onRestoreStart(TopicPartition partition, String store, long start, long end) {}

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEnd, long restored) {}

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long restored) {}
  };

  private final Map<TopicPartition, Progress> active = new ConcurrentHashMap<>();
  private final LongAdder restoredRecords = new LongAdder();
  private final StateRestoreListener next;

  public Restorations() {
    this(NONE);
  }

  public Restorations(StateRestoreListener next) {
    this.next = next;
  }

  @Override
  public void onRestoreStart(TopicPartition changelog, String store, long startOffset, long endOffset) {
    active.put(changelog, new Progress(store, changelog, startOffset, endOffset, 0));
    next.onRestoreStart(changelog, store, startOffset, endOffset);
  }

  @Override
  public void onBatchRestored(TopicPartition changelog, String store, long batchEndOffset, long numRestored) {
    active.computeIfPresent(changelog, (tp, p) ->
        new Progress(p.store(), tp, p.startOffset(), p.endOffset(), p.restored() + numRestored));
    restoredRecords.add(numRestored);
    next.onBatchRestored(changelog, store, batchEndOffset, numRestored);
  }

  @Override
  public void onRestoreEnd(TopicPartition changelog, String store, long totalRestored) {
    active.remove(changelog);
    next.onRestoreEnd(changelog, store, totalRestored);
  }

  /** The task moved elsewhere mid-restoration (a rebalance): nothing left to wait for here. */
  @Override
  public void onRestoreSuspended(TopicPartition changelog, String store, long totalRestored) {
    active.remove(changelog);
    next.onRestoreSuspended(changelog, store, totalRestored);
  }

  /** The restorations in progress, by store and partition. */
  public List<Progress> inProgress() {
    return active.values().stream()
        .sorted(Comparator.comparing(Progress::store).thenComparingInt(p -> p.changelog().partition()))
        .toList();
  }

  /** Records restored into stores since this instance started. */
  public long restoredRecords() {
    return restoredRecords.sum();
  }
}
