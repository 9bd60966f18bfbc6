package io.tracestitch.topology.ingest;

import java.util.List;

/**
 * Where a business event's identities are looked for: record header names (compared case-insensitively) first,
 * then JSON pointers into the payload. In each list the first present, usable value wins.
 *
 * <p>The W3C {@code traceparent}/{@code tracestate}/{@code baggage} headers and the CloudEvents Kafka binding's
 * {@code ce_traceparent}/{@code ce_source} headers are protocol names and always read; these lists add the
 * home-grown conventions found in the wild.
 *
 * @param traceIdHeaders headers holding a bare trace id: 32 hex digits, or a UUID (dashes are dropped)
 * @param spanIdHeaders headers holding the producer's span id (16 hex digits; anything else is ignored)
 * @param baggageCorrelationKeys W3C baggage entries holding the correlation id
 * @param traceparentPointers payload fields holding a whole W3C traceparent string
 * @param sourcePointers payload fields naming the producing service
 */
public record EventIdentitySettings(
    List<String> eventIdHeaders,
    List<String> eventNameHeaders,
    List<String> correlationHeaders,
    List<String> traceIdHeaders,
    List<String> spanIdHeaders,
    List<String> parentSpanIdHeaders,
    List<String> baggageCorrelationKeys,
    List<String> eventIdPointers,
    List<String> eventNamePointers,
    List<String> correlationPointers,
    List<String> traceparentPointers,
    List<String> traceIdPointers,
    List<String> spanIdPointers,
    List<String> parentSpanIdPointers,
    List<String> sourcePointers) {

  public EventIdentitySettings {
    eventIdHeaders = SettingsValidation.names("eventIdHeaders", eventIdHeaders);
    eventNameHeaders = SettingsValidation.names("eventNameHeaders", eventNameHeaders);
    correlationHeaders = SettingsValidation.names("correlationHeaders", correlationHeaders);
    traceIdHeaders = SettingsValidation.names("traceIdHeaders", traceIdHeaders);
    spanIdHeaders = SettingsValidation.names("spanIdHeaders", spanIdHeaders);
    parentSpanIdHeaders = SettingsValidation.names("parentSpanIdHeaders", parentSpanIdHeaders);
    baggageCorrelationKeys = SettingsValidation.names("baggageCorrelationKeys", baggageCorrelationKeys);
    eventIdPointers = SettingsValidation.pointers("eventIdPointers", eventIdPointers);
    eventNamePointers = SettingsValidation.pointers("eventNamePointers", eventNamePointers);
    correlationPointers = SettingsValidation.pointers("correlationPointers", correlationPointers);
    traceparentPointers = SettingsValidation.pointers("traceparentPointers", traceparentPointers);
    traceIdPointers = SettingsValidation.pointers("traceIdPointers", traceIdPointers);
    spanIdPointers = SettingsValidation.pointers("spanIdPointers", spanIdPointers);
    parentSpanIdPointers = SettingsValidation.pointers("parentSpanIdPointers", parentSpanIdPointers);
    sourcePointers = SettingsValidation.pointers("sourcePointers", sourcePointers);
  }

  /**
   * Understands the OpenTelemetry Kafka instrumentation, CloudEvents in binary and structured mode, the
   * {@code X-Trace-Id} header family, and both the {@code metadata}-envelope and the flat-envelope styles of
   * JSON events.
   */
  public static EventIdentitySettings defaults() {
    return new EventIdentitySettings(
        List.of("event_id", "eventId", "message_id", "x-event-id", "ce_id"),
        List.of("event_name", "eventName", "event_type", "ce_type"),
        List.of("correlation_id", "correlationId", "x-correlation-id", "x-request-id"),
        List.of("x-trace-id"),
        List.of("x-span-id"),
        List.of("x-parent-span-id"),
        List.of("correlation_id", "correlationId", "correlation.id"),
        // "/id" comes last: in a CloudEvent it is the event id, in other payloads it may be an entity's id.
        List.of("/eventId", "/event_id", "/metadata/event_id", "/metadata/eventId", "/id"),
        List.of("/eventName", "/event_name", "/metadata/event_name", "/eventType", "/event_type",
            "/metadata/event_type", "/type", "/metadata/type"),
        // "/correlationid" is the spelling CloudEvents extension attributes (lower-case only) force.
        List.of("/correlationId", "/correlation_id", "/correlationid", "/metadata/correlation_id",
            "/metadata/correlationId"),
        List.of("/traceparent", "/trace_parent", "/metadata/trace_parent", "/metadata/traceparent"),
        List.of("/traceId", "/trace_id", "/metadata/trace_id", "/metadata/traceId"),
        List.of("/spanId", "/span_id", "/metadata/span_id", "/metadata/spanId"),
        List.of("/parentSpanId", "/parent_span_id", "/metadata/parent_span_id", "/metadata/parentSpanId"),
        List.of("/source", "/metadata/source"));
  }
}
