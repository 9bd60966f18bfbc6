package io.tracestitch.topology.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tracestitch.avro.internal.EventRecord;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.TraceMessage;
import io.tracestitch.avro.internal.TraceMessageType;
import io.tracestitch.avro.internal.WorkflowKind;
import io.tracestitch.avro.internal.WorkflowMessage;
import io.tracestitch.avro.internal.WorkflowMessageType;
import io.tracestitch.serdes.AvroSingleObjectSerde;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serde;

/**
 * Coverage-guided fuzzing (Jazzer) of every decoder of bytes tracestitch does not control: OTLP requests in
 * protobuf and JSON, and a business event's headers (W3C traceparent and baggage, CloudEvents, X-Trace-Id style,
 * correlation and event-id headers) and JSON payload read through JSON pointers.
 *
 * <p>What counts as a bug: any exception escaping a decoder; a DECODER_FAILURE (the decoders' own catch-all for
 * a fault they did not foresee: the stream survives it, but it is a bug); a decoded record the routing topic's
 * serializer refuses (that record would fail at the sink instead); output not bounded by the configured caps; a
 * hang (the fuzz run's fork has a time limit).
 *
 * <p>By default (the test command) each method runs the kept inputs under
 * {@code src/test/resources/io/tracestitch/topology/ingest/DecoderFuzzTestInputs/<method>/} as regression
 * tests: the seeds, and every input that once found a bug. The test command then fuzzes each method for a short
 * bounded time (the {@code fuzz-*} executions in pom.xml); {@code reliability/fuzz} fuzzes for longer.
 */
class DecoderFuzzTest {
  private static final SpanAttributeSettings ATTRIBUTES = SpanAttributeSettings.defaults();
  private static final OtlpSpanDecoder PROTO = new OtlpSpanDecoder(SpanEncoding.OTLP_PROTO, ATTRIBUTES);
  private static final OtlpSpanDecoder JSON = new OtlpSpanDecoder(SpanEncoding.OTLP_JSON, ATTRIBUTES);
  private static final EventIdentityExtractor EVENTS = new EventIdentityExtractor(EventIdentitySettings.defaults());
  private static final Serde<TraceMessage> TRACE_MESSAGES = AvroSingleObjectSerde.of(TraceMessage.class);
  private static final Serde<WorkflowMessage> WORKFLOW_MESSAGES = AvroSingleObjectSerde.of(WorkflowMessage.class);

  /** The headers an event decoder reads, in the spellings producers use. */
  private static final List<String> HEADERS = List.of("traceparent", "tracestate", "baggage", "ce_traceparent",
      "ce_tracestate", "ce_id", "ce_type", "ce_source", "correlation_id", "X-Correlation-Id", "event_id",
      "event_name", "x-trace-id", "X-Span-Id", "x-parent-span-id", "TraceParent");

  @FuzzTest(maxDuration = "30s")
  void otlpProtobufRequests(byte[] input) {
    decodeSpans(PROTO, input);
  }

  @FuzzTest(maxDuration = "30s")
  void otlpJsonRequests(byte[] input) {
    decodeSpans(JSON, input);
  }

  @FuzzTest(maxDuration = "30s")
  void eventHeadersAndPayloads(FuzzedDataProvider data) {
    RecordHeaders headers = new RecordHeaders();
    int count = data.consumeInt(0, 8);
    for (int i = 0; i < count; i++) {
      String name = data.pickValue(HEADERS);
      headers.add(name, data.consumeBoolean() ? data.consumeString(200).getBytes(StandardCharsets.UTF_8)
          : data.consumeBytes(200));
    }
    byte[] key = data.consumeBoolean() ? null : data.consumeBytes(64);
    byte[] value = data.consumeRemainingAsBytes();
    EventRecord event;
    try {
      event = EVENTS.extract("order.created", 3, 42L, 1_767_225_600_000L, key, headers, value);
    } catch (UnusableRecordException e) {
      assertThat(e.reason()).as("an unforeseen fault in the event decoder: %s", e.getMessage())
          .isNotEqualTo(DeadLetterReason.DECODER_FAILURE);
      return;
    }
    assertThat(event.getCorrelationId() != null || event.getTraceId() != null).isTrue();
    for (String text : new String[] {event.getEventId(), event.getEventName(), event.getCorrelationId(),
        event.getSource(), event.getKey()}) {
      assertThat(text == null ? 0 : text.length()).as("identity lengths are capped")
          .isLessThanOrEqualTo(EventIdentityExtractor.MAX_IDENTITY_CHARS + "order.created-3@42".length());
    }
    if (event.getTraceId() != null) {
      assertThat(event.getTraceId()).matches("[0-9a-f]{32}");
      roundTrip(TRACE_MESSAGES, TraceMessage.newBuilder().setType(TraceMessageType.EVENT)
          .setTraceId(event.getTraceId()).setEvent(event).build());
    } else {
      roundTrip(WORKFLOW_MESSAGES, WorkflowMessage.newBuilder().setType(WorkflowMessageType.EVENTS)
          .setWorkflowId(event.getCorrelationId()).setWorkflowKind(WorkflowKind.CORRELATION)
          .setEvents(List.of(event)).build());
    }
  }

  @FuzzTest(maxDuration = "30s")
  void w3cTraceContextAndBaggage(FuzzedDataProvider data) {
    String traceparent = data.consumeString(128);
    String tracestate = data.consumeBoolean() ? null : data.consumeString(256);
    TraceContext context = W3cPropagation.traceparent(traceparent, tracestate);
    if (context != null) {
      assertThat(context.traceId()).matches("[0-9a-f]{32}");
      assertThat(context.spanId()).matches("[0-9a-f]{16}");
    }
    String baggage = data.consumeString(512);
    String entry = W3cPropagation.baggageEntry(baggage, List.of("correlation_id", "correlationId"));
    assertThat(entry == null || !entry.isBlank()).isTrue();
    String id = data.consumeRemainingAsString();
    String traceId = W3cIds.traceId(id);
    String spanId = W3cIds.spanId(id);
    assertThat(traceId == null || traceId.matches("[0-9a-f]{32}")).isTrue();
    assertThat(spanId == null || spanId.matches("[0-9a-f]{16}")).isTrue();
  }

  private static void decodeSpans(OtlpSpanDecoder decoder, byte[] input) {
    DecodedSpans decoded;
    try {
      decoded = decoder.decode(input);
    } catch (UnusableRecordException e) {
      assertThat(e.reason()).as("an unforeseen fault in the span decoder: %s", e.getMessage())
          .isNotEqualTo(DeadLetterReason.DECODER_FAILURE);
      return;
    }
    for (SpanRecord span : decoded.spans()) {
      assertThat(span.getTraceId()).matches("[0-9a-f]{32}");
      assertThat(span.getSpanId()).matches("[0-9a-f]{16}");
      assertThat(span.getAttributes().size()).as("attributes per span are capped")
          .isLessThanOrEqualTo(ATTRIBUTES.maxAttributes());
      for (Map.Entry<String, String> attribute : span.getAttributes().entrySet()) {
        assertThat(attribute.getValue().length()).as("attribute %s is cut", attribute.getKey())
            .isLessThanOrEqualTo(ATTRIBUTES.maxAttributeValueChars());
      }
    }
    if (!decoded.spans().isEmpty()) {
      roundTrip(TRACE_MESSAGES, TraceMessage.newBuilder().setType(TraceMessageType.SPANS)
          .setTraceId(decoded.spans().get(0).getTraceId()).setSpans(new ArrayList<>(decoded.spans())).build());
    }
    for (RejectedSpan rejected : decoded.rejected()) {
      assertThat(rejected.request()).as("a rejected span is kept for the dead-letter topic").isNotNull();
      assertThat(rejected.message()).isNotBlank();
    }
  }

  /** What the sink to the routing topic and the next stage's source do with a decoded record. */
  private static <T> void roundTrip(Serde<T> serde, T message) {
    byte[] bytes = serde.serializer().serialize("routing", message);
    assertThat(serde.deserializer().deserialize("routing", bytes)).isEqualTo(message);
  }
}
