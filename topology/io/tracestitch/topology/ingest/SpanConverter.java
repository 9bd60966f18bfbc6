package io.tracestitch.topology.ingest;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.tracestitch.avro.internal.SpanException;
import io.tracestitch.avro.internal.SpanKind;
import io.tracestitch.avro.internal.SpanLinkRef;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.SpanStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Turns one OTLP span, seen with its resource, into a {@link SpanRecord}, or says why it cannot be used. */
final class SpanConverter {
  // Anything outside these years is a unit mistake (micro- or milliseconds sent as nanoseconds) or a broken clock.
  private static final long MIN_NANOS = Instant.parse("2000-01-01T00:00:00Z").getEpochSecond() * 1_000_000_000L;
  private static final long MAX_NANOS = Instant.parse("2200-01-01T00:00:00Z").getEpochSecond() * 1_000_000_000L;
  // A span that threw in a loop can carry thousands of exception events; the first few tell the story.
  private static final int MAX_EXCEPTIONS = 32;
  private static final String UNKNOWN_SERVICE = "unknown_service";

  private final SpanAttributeSettings settings;
  private final KeptAttributes keptAttributes;

  SpanConverter(SpanAttributeSettings settings) {
    this.settings = settings;
    this.keptAttributes = new KeptAttributes(settings.keptAttributes(), settings.maxAttributes());
  }

  /**
   * @throws UnusableRecordException for this span only, never for its batch
   */
  SpanRecord convert(Attributes resource, Span span) throws UnusableRecordException {
    String traceId = requiredId(span, "trace", span.getTraceId(), OtlpIds.TRACE_ID_BYTES);
    String spanId = requiredId(span, "span", span.getSpanId(), OtlpIds.SPAN_ID_BYTES);
    String parentSpanId = parentId(span);
    checkTimes(span, traceId, spanId);

    TextLimit limit = new TextLimit(settings.maxAttributeValueChars());
    Attributes attributes = new Attributes(span.getAttributesList());
    SpanKind kind = kind(span);
    String service = resource.firstText("service.name");
    SpanRecord.Builder record = SpanRecord.newBuilder()
        .setTraceId(traceId)
        .setSpanId(spanId)
        .setParentSpanId(parentSpanId)
        .setName(limit.apply(span.getName()))
        .setKind(kind)
        .setService(service == null ? UNKNOWN_SERVICE : limit.apply(service))
        .setServiceVersion(limit.apply(resource.firstText("service.version")))
        .setStartNanos(span.getStartTimeUnixNano())
        .setEndNanos(span.getEndTimeUnixNano())
        .setStatusCode(status(span.getStatus()))
        .setStatusMessage(span.getStatus().getMessage().isEmpty() ? null : limit.apply(span.getStatus().getMessage()))
        .setExceptions(exceptions(span, limit))
        .setLinks(links(span))
        .setSampled(sampled(span.getFlags()))
        .setMessaging(MessagingAttributes.read(attributes, span.getName(), kind, limit))
        .setCorrelationId(identity(span, "correlation id", attributes.firstText(settings.correlationAttributes()),
            resource.firstText(settings.correlationAttributes())))
        .setEventId(identity(span, "event id", attributes.firstText(settings.eventIdAttributes()), null))
        .setEventName(limit.apply(attributes.firstText(settings.eventNameAttributes())))
        .setAttributes(keptAttributes.select(attributes, limit));
    return record.setAttributesTruncated(limit.cutAnything()).build();
  }

  private static String requiredId(Span span, String what, ByteString id, int length)
      throws UnusableRecordException {
    if (id.isEmpty()) {
      throw new UnusableRecordException(DeadLetterReason.MISSING_ID,
          "Span " + describe(span) + " has no " + what + " id.");
    }
    if (!OtlpIds.isValid(id, length)) {
      throw new UnusableRecordException(DeadLetterReason.INVALID_ID, "Span " + describe(span) + " has the "
          + what + " id '" + OtlpIds.hex(id) + "' (" + id.size() + " bytes), but a W3C " + what + " id is "
          + length + " bytes and not all zeros.");
    }
    return OtlpIds.hex(id);
  }

  private static String parentId(Span span) throws UnusableRecordException {
    ByteString parent = span.getParentSpanId();
    // Some exporters write zeros rather than nothing for a root span; both mean "no parent".
    if (parent.isEmpty() || (parent.size() == OtlpIds.SPAN_ID_BYTES && OtlpIds.allZero(parent))) {
      return null;
    }
    if (parent.size() != OtlpIds.SPAN_ID_BYTES) {
      throw new UnusableRecordException(DeadLetterReason.INVALID_ID, "Span " + describe(span)
          + " has the parent span id '" + OtlpIds.hex(parent) + "' (" + parent.size()
          + " bytes), but a W3C span id is 8 bytes.");
    }
    return OtlpIds.hex(parent);
  }

  private static void checkTimes(Span span, String traceId, String spanId) throws UnusableRecordException {
    // fixed64 arrives as a signed long, so a value past 2^63 shows up negative and fails the range check too.
    long start = span.getStartTimeUnixNano();
    long end = span.getEndTimeUnixNano();
    String problem = null;
    if (start <= 0 || end <= 0) {
      problem = "a start or end time of zero";
    } else if (start < MIN_NANOS || start >= MAX_NANOS || end < MIN_NANOS || end >= MAX_NANOS) {
      problem = "a time outside the years 2000..2200 (a unit mistake or a broken clock)";
    } else if (end < start) {
      problem = "an end time before its start time";
    }
    if (problem != null) {
      throw new UnusableRecordException(DeadLetterReason.ABSURD_TIMESTAMP, "Span " + describe(span) + " (trace "
          + traceId + ", span " + spanId + ") has " + problem + ": start " + Long.toUnsignedString(start)
          + " ns, end " + Long.toUnsignedString(end) + " ns since the epoch.");
    }
  }

  private String identity(Span span, String what, String onSpan, String onResource) throws UnusableRecordException {
    String value = onSpan != null ? onSpan : onResource;
    if (value != null && value.length() > settings.maxAttributeValueChars()) {
      throw new UnusableRecordException(DeadLetterReason.TOO_LARGE, "Span " + describe(span) + " has a " + what
          + " of " + value.length() + " characters, more than the " + settings.maxAttributeValueChars()
          + " allowed; cutting it could join unrelated workflows.");
    }
    return value;
  }

  private static SpanKind kind(Span span) {
    return switch (span.getKind()) {
      case SPAN_KIND_INTERNAL -> SpanKind.INTERNAL;
      case SPAN_KIND_SERVER -> SpanKind.SERVER;
      case SPAN_KIND_CLIENT -> SpanKind.CLIENT;
      case SPAN_KIND_PRODUCER -> SpanKind.PRODUCER;
      case SPAN_KIND_CONSUMER -> SpanKind.CONSUMER;
      case SPAN_KIND_UNSPECIFIED, UNRECOGNIZED -> SpanKind.UNSPECIFIED;
    };
  }

  private static SpanStatus status(Status status) {
    return switch (status.getCode()) {
      case STATUS_CODE_OK -> SpanStatus.OK;
      case STATUS_CODE_ERROR -> SpanStatus.ERROR;
      case STATUS_CODE_UNSET, UNRECOGNIZED -> SpanStatus.UNSET;
    };
  }

  private static List<SpanException> exceptions(Span span, TextLimit limit) {
    List<SpanException> exceptions = new ArrayList<>();
    for (Span.Event event : span.getEventsList()) {
      if (!"exception".equals(event.getName())) {
        continue;
      }
      if (exceptions.size() == MAX_EXCEPTIONS) {
        limit.markCut();
        break;
      }
      Attributes attributes = new Attributes(event.getAttributesList());
      exceptions.add(SpanException.newBuilder()
          .setType(limit.apply(attributes.firstText("exception.type")))
          .setMessage(limit.apply(attributes.firstText("exception.message")))
          .setTimeNanos(event.getTimeUnixNano())
          .build());
    }
    return exceptions;
  }

  // A link to an invalid context leads nowhere; dropping it keeps the span, which is still worth having.
  private static List<SpanLinkRef> links(Span span) {
    List<SpanLinkRef> links = new ArrayList<>(span.getLinksCount());
    for (Span.Link link : span.getLinksList()) {
      if (OtlpIds.isValid(link.getTraceId(), OtlpIds.TRACE_ID_BYTES)
          && OtlpIds.isValid(link.getSpanId(), OtlpIds.SPAN_ID_BYTES)) {
        links.add(new SpanLinkRef(OtlpIds.hex(link.getTraceId()), OtlpIds.hex(link.getSpanId())));
      }
    }
    return links;
  }

  /**
   * The low byte of OTLP's span flags is the W3C trace-flags byte. Exporters older than the field leave it all
   * zero, which must not read as "not sampled": an exported span was, by definition, recorded.
   */
  static boolean sampled(int flags) {
    int traceFlags = flags & 0xFF;
    return traceFlags == 0 || (traceFlags & 0x01) != 0;
  }

  private static String describe(Span span) {
    String name = span.getName();
    return "'" + (name.length() > 100 ? name.substring(0, 100) + "..." : name) + "'";
  }
}
