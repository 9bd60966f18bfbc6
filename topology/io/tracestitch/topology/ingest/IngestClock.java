package io.tracestitch.topology.ingest;

import io.tracestitch.avro.internal.TraceMessage;
import io.tracestitch.avro.internal.TraceMessageType;
import io.tracestitch.topology.ProcessorClock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
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
  private final ProcessorClock clock = ProcessorClock.ofRecords(this::readToEndAt);
  private final String stage;
  private final String toEveryTracePartition;
  private final ReadToEnd readToEnd;
  /** The source topics this task has read from: one, or several event topics that share its partition number. */
  private final Set<String> topics = new HashSet<>(2);
  private ProcessorContext<Object, Object> context;

  /** {@code stage} tells apart the span and event ingest, which share a task id where they share a task. */
  IngestClock(String stage, String toEveryTracePartition, ReadToEnd readToEnd) {
    this.stage = stage;
    this.toEveryTracePartition = toEveryTracePartition;
    this.readToEnd = readToEnd;
  }

  void init(ProcessorContext<Object, Object> context, Duration tickInterval) {
    this.context = context;
    clock.init(context);
    context.schedule(tickInterval, PunctuationType.WALL_CLOCK_TIME, wall -> tick());
  }

  void recordArrived(long timestampMs) {
    clock.recordArrived(timestampMs);
    context.recordMetadata().ifPresent(m -> topics.add(m.topic()));
  }

  /**
   * Up to when every source partition of this task is known to be read to its end. A task that has read nothing
   * yet does not know its topics and counts as read to its end: its clock only moves from a restored time, by the
   * wall time since the task started.
   */
  private long readToEndAt() {
    long at = ReadToEnd.NOT_WATCHED;
    for (String topic : topics) {
      at = Math.min(at, readToEnd.confirmedAt(topic, context.taskId().partition()));
    }
    return at;
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
