package io.tracestitch.topology.ingest;

import com.fasterxml.jackson.core.JsonPointer;
import io.tracestitch.avro.internal.EventRecord;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.kafka.common.header.Headers;

/**
 * Reads the four identities of a business event (see the design's "four identities") from its Kafka record:
 * headers first, because instrumentation and CloudEvents' binary mode put them there and they need no payload
 * parsing; then JSON pointers into the payload. Stateless apart from its settings; safe to share.
 */
public final class EventIdentityExtractor {
  /** Identities longer than this are not keys but mistakes (a payload pasted into a header, say). */
  static final int MAX_IDENTITY_CHARS = 1024;

  // Protocol names rather than conventions, so not configurable: the W3C Trace Context and Baggage headers and
  // their CloudEvents Kafka binding (binary mode) counterparts.
  private static final String TRACEPARENT = "traceparent";
  private static final String TRACESTATE = "tracestate";
  private static final String BAGGAGE = "baggage";
  private static final String CE_TRACEPARENT = "ce_traceparent";
  private static final String CE_TRACESTATE = "ce_tracestate";
  private static final String CE_SOURCE = "ce_source";

  private final EventIdentitySettings settings;
  private final List<JsonPointer> eventIdPointers;
  private final List<JsonPointer> eventNamePointers;
  private final List<JsonPointer> correlationPointers;
  private final List<JsonPointer> traceparentPointers;
  private final List<JsonPointer> traceIdPointers;
  private final List<JsonPointer> spanIdPointers;
  private final List<JsonPointer> parentSpanIdPointers;
  private final List<JsonPointer> sourcePointers;

  public EventIdentityExtractor(EventIdentitySettings s) {
    this.settings = Objects.requireNonNull(s, "settings");
    this.eventIdPointers = compile(s.eventIdPointers());
    this.eventNamePointers = compile(s.eventNamePointers());
    this.correlationPointers = compile(s.correlationPointers());
    this.traceparentPointers = compile(s.traceparentPointers());
    this.traceIdPointers = compile(s.traceIdPointers());
    this.spanIdPointers = compile(s.spanIdPointers());
    this.parentSpanIdPointers = compile(s.parentSpanIdPointers());
    this.sourcePointers = compile(s.sourcePointers());
  }

  /**
   * @throws UnusableRecordException NO_CORRELATION when the event has neither a correlation id nor a W3C trace
   *     id, TOO_LARGE for an absurdly long identity, DECODER_FAILURE for an unexpected fault; never anything else
   */
  public EventRecord extract(String topic, int partition, long offset, long timestampMs, byte[] key,
      Headers headers, byte[] value) throws UnusableRecordException {
    if (topic == null) {
      throw new UnusableRecordException(DeadLetterReason.DECODER_FAILURE,
          "The event record was handed over without its topic, so it cannot be placed.");
    }
    try {
      return read(topic, partition, offset, timestampMs, key, new HeaderValues(headers), new JsonPayload(value));
    } catch (RuntimeException e) {
      // A stream thread must survive whatever a record holds; the record goes to the DLQ with the fault named.
      throw new UnusableRecordException(DeadLetterReason.DECODER_FAILURE, "Reading the identities of the event "
          + position(topic, partition, offset) + " failed unexpectedly: " + e);
    }
  }

  private EventRecord read(String topic, int partition, long offset, long timestampMs, byte[] key,
      HeaderValues headers, JsonPayload payload) throws UnusableRecordException {
    String position = position(topic, partition, offset);
    TraceContext context = traceContext(headers, payload);
    String correlationId = firstOf(
        () -> headers.first(settings.correlationHeaders()),
        () -> W3cPropagation.baggageEntry(headers.get(BAGGAGE), settings.baggageCorrelationKeys()),
        () -> payload.first(correlationPointers));
    if (correlationId == null && context == null) {
      throw new UnusableRecordException(DeadLetterReason.NO_CORRELATION, "The event " + position
          + " carries neither a correlation id nor a W3C trace id (in its headers or its JSON payload), "
          + "so it cannot be joined to any workflow.");
    }
    String eventId = firstOf(() -> headers.first(settings.eventIdHeaders()), () -> payload.first(eventIdPointers));
    checkSize("correlation id", correlationId, position);
    checkSize("event id", eventId, position);

    TextLimit limit = new TextLimit(MAX_IDENTITY_CHARS);
    String eventName = firstOf(
        () -> headers.first(settings.eventNameHeaders()), () -> payload.first(eventNamePointers));
    String parentSpanId = firstOf(
        () -> headers.first(settings.parentSpanIdHeaders(), W3cIds::spanId),
        () -> payload.first(parentSpanIdPointers, W3cIds::spanId));
    String source = firstOf(() -> headers.get(CE_SOURCE), () -> payload.first(sourcePointers));
    return EventRecord.newBuilder()
        .setEventId(eventId != null ? eventId : position)
        .setEventIdFromRecord(eventId != null)
        .setEventName(eventName != null ? limit.apply(eventName) : topic)
        .setCorrelationId(correlationId)
        .setTraceId(context == null ? null : context.traceId())
        .setSpanId(context == null ? null : context.spanId())
        .setParentSpanId(parentSpanId)
        .setSampled(context == null || context.sampled())
        .setSource(limit.apply(source))
        .setTopic(topic)
        .setPartition(partition)
        .setOffset(offset)
        .setTimestampMs(timestampMs)
        .setKey(key == null ? null : limit.apply(keyText(key)))
        .build();
  }

  /**
   * The producer's context, from the most standard source present: the W3C header, its CloudEvents twin, the
   * X-Trace-Id header family, then the same in the payload. Trace and span id always come from one source, so
   * a span id is never paired with another source's trace.
   */
  private TraceContext traceContext(HeaderValues headers, JsonPayload payload) {
    TraceContext context = W3cPropagation.traceparent(headers.get(TRACEPARENT), headers.get(TRACESTATE));
    if (context == null) {
      context = W3cPropagation.traceparent(headers.get(CE_TRACEPARENT), headers.get(CE_TRACESTATE));
    }
    if (context == null) {
      context = bareIds(headers.first(settings.traceIdHeaders(), W3cIds::traceId),
          headers.first(settings.spanIdHeaders(), W3cIds::spanId));
    }
    if (context == null) {
      context = payload.first(traceparentPointers, W3cPropagation::traceparent);
    }
    if (context == null) {
      context = bareIds(payload.first(traceIdPointers, W3cIds::traceId),
          payload.first(spanIdPointers, W3cIds::spanId));
    }
    return context;
  }

  // Hand-rolled propagation sends no sampling decision; every exported span was recorded, so assume sampled.
  private static TraceContext bareIds(String traceId, String spanId) {
    String trace = W3cIds.traceId(traceId);
    return trace == null ? null : new TraceContext(trace, W3cIds.spanId(spanId), true);
  }

  private static void checkSize(String what, String value, String position) throws UnusableRecordException {
    if (value != null && value.length() > MAX_IDENTITY_CHARS) {
      throw new UnusableRecordException(DeadLetterReason.TOO_LARGE, "The event " + position + " has a " + what
          + " of " + value.length() + " characters, more than the " + MAX_IDENTITY_CHARS
          + " allowed; cutting it could join unrelated workflows.");
    }
  }

  // Keys are shown, never joined on: binary keys (Avro, protobuf) are shown as hex rather than mangled text.
  private static String keyText(byte[] key) {
    String text = Utf8.decodeOrNull(key);
    return text != null ? text : "hex:" + HexFormat.of().formatHex(key);
  }

  private static String position(String topic, int partition, long offset) {
    return topic + "-" + partition + "@" + offset;
  }

  // Lazy, so an event whose headers say everything never has its payload parsed.
  @SafeVarargs
  private static <T> T firstOf(Supplier<T>... sources) {
    for (Supplier<T> source : sources) {
      T value = source.get();
      if (value != null) {
        return value;
      }
    }
    return null;
  }

  private static List<JsonPointer> compile(List<String> pointers) {
    return pointers.stream().map(JsonPointer::compile).toList();
  }
}
