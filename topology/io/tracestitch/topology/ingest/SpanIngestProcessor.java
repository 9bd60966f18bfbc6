package io.tracestitch.topology.ingest;

import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.TraceMessage;
import io.tracestitch.avro.internal.TraceMessageType;
import io.tracestitch.topology.ReadToEnd;
import io.tracestitch.topology.StitchCounters;
import io.tracestitch.topology.StitchCounters.Outcome;
import io.tracestitch.topology.deadletter.DeadLetters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Explodes one Collector batch (many resources, many traces) into per-trace groups of spans keyed by
 * trace id, so the by-trace stage sees one record per trace per batch rather than one per span.
 * The record key is ignored: the exporter only sets it with {@code partition_traces_by_id}.
 */
public final class SpanIngestProcessor implements Processor<byte[], byte[], Object, Object> {
  private static final Logger log = LoggerFactory.getLogger(SpanIngestProcessor.class);

  private final String spansTopic;
  private final OtlpSpanDecoder decoder;
  private final StitchCounters counters;
  private final int maxSpansPerMessage;
  private final String toTraces;
  private final String toDeadLetters;
  private final Duration tickInterval;
  private final IngestClock clock;
  private ProcessorContext<Object, Object> context;

  public SpanIngestProcessor(String spansTopic, OtlpSpanDecoder decoder, StitchCounters counters,
      int maxSpansPerMessage, Duration tickInterval, String toTraces, String toEveryTracePartition, String toDeadLetters,
      ReadToEnd readToEnd) {
    this.spansTopic = spansTopic;
    this.decoder = decoder;
    this.counters = counters;
    this.maxSpansPerMessage = maxSpansPerMessage;
    this.tickInterval = tickInterval;
    this.toTraces = toTraces;
    this.toDeadLetters = toDeadLetters;
    this.clock = new IngestClock("spans", toEveryTracePartition, readToEnd);
  }

  @Override
  public void init(ProcessorContext<Object, Object> context) {
    this.context = context;
    clock.init(context, tickInterval);
    // One source topic: its partition is known before the first record, even on a quiet partition after a restart.
    clock.readsFrom(spansTopic);
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    // Even a record that turns out unusable says how far this partition has been read.
    clock.recordArrived(record.timestamp());
    String topic = context.recordMetadata().map(m -> m.topic()).orElse("spans");
    counters.record(topic, Outcome.IN);
    DecodedSpans decoded;
    try {
      decoded = decoder.decode(record.value());
    } catch (UnusableRecordException e) {
      deadLetter(record, topic, e.reason(), e.getMessage());
      return;
    }
    for (RejectedSpan rejected : decoded.rejected()) {
      counters.add("spans.dead_lettered", 1);
      context.forward(DeadLetters.rejectedSpan(record, context.recordMetadata(), rejected.reason(),
          rejected.message(), rejected.request()), toDeadLetters);
    }
    if (decoded.spans().isEmpty()) {
      // Every span was rejected one by one above; the record as a whole counts as dead-lettered once.
      counters.record(topic, Outcome.DEAD_LETTERED);
      return;
    }
    counters.record(topic, Outcome.USED);
    counters.add("spans.used", decoded.spans().size());
    counters.add("spans.attributes_truncated", decoded.truncatedAttributeSpans());
    for (Map.Entry<String, List<SpanRecord>> trace : byTrace(decoded.spans()).entrySet()) {
      List<SpanRecord> spans = trace.getValue();
      for (int from = 0; from < spans.size(); from += maxSpansPerMessage) {
        List<SpanRecord> chunk = spans.subList(from, Math.min(spans.size(), from + maxSpansPerMessage));
        // Every field set: for a field left unset the builder looks up its default, and Avro hashes the field's
        // whole schema to find it (a few percent of the stream thread's time in the benchmark's profile).
        TraceMessage message = TraceMessage.newBuilder()
            .setType(TraceMessageType.SPANS)
            .setTraceId(trace.getKey())
            .setSpans(new ArrayList<>(chunk))
            .setEvent(null).setFromTraceId(null).setWorkflowId(null).setWorkflowKind(null).setSender(null).setTickMs(0)
            .build();
        context.forward(new Record<Object, Object>(trace.getKey(), message, record.timestamp()), toTraces);
      }
    }
  }

  private void deadLetter(Record<byte[], byte[]> record, String topic, DeadLetterReason reason, String message) {
    log.warn("Dead-lettered a span record from {} ({}): {}", context.recordMetadata()
        .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse(topic), reason, message);
    counters.record(topic, Outcome.DEAD_LETTERED);
    context.forward(DeadLetters.wholeRecord(record, context.recordMetadata(), reason, message), toDeadLetters);
  }

  private static Map<String, List<SpanRecord>> byTrace(List<SpanRecord> spans) {
    Map<String, List<SpanRecord>> grouped = new LinkedHashMap<>();
    for (SpanRecord span : spans) {
      grouped.computeIfAbsent(span.getTraceId(), k -> new ArrayList<>()).add(span);
    }
    return grouped;
  }
}
