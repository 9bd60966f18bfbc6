package io.tracestitch.topology.ingest;

import io.tracestitch.avro.internal.TraceMessage;
import io.tracestitch.avro.internal.TraceMessageType;
import io.tracestitch.topology.ProcessorClock;
import io.tracestitch.topology.ReadToEnd;
import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * An ingest task's clock, told to every by-trace partition once per punctuation interval.
 *
 * <p>The by-trace stage judges holds by the slowest ingest task rather than by the records it happens to
 * have read: while a backlog is worked off, a partition of sparse business events is read to its end long
 * before the dense span partitions are, and its records alone would make every trace still queued in a
 * span partition look quiet. A task that has read nothing since it started says nothing, so an empty
 * partition never holds the stages after it back.
 */
final class IngestClock {
  private final ProcessorClock clock;
  private final String stage;
  private final String toEveryTracePartition;
  private ProcessorContext<Object, Object> context;

  /** {@code stage} tells apart the span and event ingest, which share a task id where they share a task. */
  IngestClock(String stage, String toEveryTracePartition, ReadToEnd readToEnd) {
    this.stage = stage;
    this.toEveryTracePartition = toEveryTracePartition;
    this.clock = ProcessorClock.ofRecords(readToEnd);
  }

  void init(ProcessorContext<Object, Object> context, Duration tickInterval) {
    this.context = context;
    clock.init(context);
    context.schedule(tickInterval, PunctuationType.WALL_CLOCK_TIME, wall -> tick());
  }

  /** The stage reads this one topic (see {@link ProcessorClock#readsFrom}). */
  void readsFrom(String topic) {
    clock.readsFrom(topic);
  }

  void recordArrived(long timestampMs) {
    clock.recordArrived(timestampMs);
  }

  private void tick() {
    if (!clock.hasData()) {
      return;
    }
    long now = clock.now();
    TraceMessage tick = TraceMessage.newBuilder().setType(TraceMessageType.TICK).setTraceId("")
        .setSender(stage + "@" + context.taskId()).setTickMs(now).build();
    context.forward(new Record<Object, Object>("", tick, now), toEveryTracePartition);
  }
}
