package io.tracestitch.topology.ingest;

import io.tracestitch.avro.internal.EventRecord;
import io.tracestitch.avro.internal.TraceMessage;
import io.tracestitch.avro.internal.TraceMessageType;
import io.tracestitch.avro.internal.WorkflowKind;
import io.tracestitch.avro.internal.WorkflowMessage;
import io.tracestitch.avro.internal.WorkflowMessageType;
import io.tracestitch.topology.ReadToEnd;
import io.tracestitch.topology.StitchCounters;
import io.tracestitch.topology.StitchCounters.Outcome;
import io.tracestitch.topology.deadletter.DeadLetters;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the identities of one business event. An event that carries its producer's trace context
 * goes to that trace (it may be what tells the trace which workflow it belongs to); one that only
 * carries a correlation id goes straight to that workflow.
 */
public final class EventIngestProcessor implements Processor<byte[], byte[], Object, Object> {
  private static final Logger log = LoggerFactory.getLogger(EventIngestProcessor.class);

  private final EventIdentityExtractor extractor;
  private final StitchCounters counters;
  private final String toTraces;
  private final String toWorkflows;
  private final String toDeadLetters;
  private final Duration tickInterval;
  private final IngestClock clock;
  private ProcessorContext<Object, Object> context;

  public EventIngestProcessor(EventIdentityExtractor extractor, StitchCounters counters, Duration tickInterval,
      String toTraces, String toWorkflows, String toEveryTracePartition, String toDeadLetters,
      ReadToEnd readToEnd) {
    this.extractor = extractor;
    this.counters = counters;
    this.tickInterval = tickInterval;
    this.toTraces = toTraces;
    this.toWorkflows = toWorkflows;
    this.toDeadLetters = toDeadLetters;
    this.clock = new IngestClock("events", toEveryTracePartition, readToEnd);
  }

  @Override
  public void init(ProcessorContext<Object, Object> context) {
    this.context = context;
    clock.init(context, tickInterval);
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    clock.recordArrived(record.timestamp());
    RecordMetadata meta = context.recordMetadata().orElseThrow();
    counters.record(meta.topic(), Outcome.IN);
    EventRecord event;
    try {
      event = extractor.extract(meta.topic(), meta.partition(), meta.offset(), record.timestamp(),
          record.key(), record.headers(), record.value());
    } catch (UnusableRecordException e) {
      log.warn("Dead-lettered an event from {}-{}@{} ({}): {}", meta.topic(), meta.partition(), meta.offset(),
          e.reason(), e.getMessage());
      counters.record(meta.topic(), Outcome.DEAD_LETTERED);
      context.forward(DeadLetters.wholeRecord(record, context.recordMetadata(), e.reason(), e.getMessage()),
          toDeadLetters);
      return;
    }
    counters.record(meta.topic(), Outcome.USED);
    if (event.getTraceId() != null) {
      TraceMessage message = TraceMessage.newBuilder()
          .setType(TraceMessageType.EVENT)
          .setTraceId(event.getTraceId())
          .setEvent(event)
          .build();
      context.forward(new Record<Object, Object>(event.getTraceId(), message, record.timestamp()), toTraces);
    } else {
      WorkflowMessage message = WorkflowMessage.newBuilder()
          .setType(WorkflowMessageType.EVENTS)
          .setWorkflowId(event.getCorrelationId())
          .setWorkflowKind(WorkflowKind.CORRELATION)
          .setEvents(List.of(event))
          .build();
      context.forward(new Record<Object, Object>(event.getCorrelationId(), message, record.timestamp()), toWorkflows);
    }
  }
}
