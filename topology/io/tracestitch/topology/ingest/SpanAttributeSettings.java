package io.tracestitch.topology.ingest;

import java.util.List;

/**
 * Which span attributes carry the identities tracestitch joins on, and how much of the rest is kept.
 *
 * @param correlationAttributes attribute keys holding the business correlation id, first present wins; looked
 *     up on the span, then on its resource
 * @param eventIdAttributes attribute keys holding the id of the event a span published or processed
 * @param eventNameAttributes attribute keys holding the business name of that event
 * @param maxAttributes at most this many further attributes are kept per span
 * @param maxAttributeValueChars every kept text (attribute values, status and exception messages, the span
 *     name) is cut to this many characters; an identity longer than this rejects the span instead
 * @param keptAttributes attribute keys worth showing in a graph; an entry ending in {@code .*} keeps every key
 *     with that prefix (for instance {@code messaging.*})
 */
public record SpanAttributeSettings(
    List<String> correlationAttributes,
    List<String> eventIdAttributes,
    List<String> eventNameAttributes,
    int maxAttributes,
    int maxAttributeValueChars,
    List<String> keptAttributes) {

  public SpanAttributeSettings {
    correlationAttributes = SettingsValidation.names("correlationAttributes", correlationAttributes);
    eventIdAttributes = SettingsValidation.names("eventIdAttributes", eventIdAttributes);
    eventNameAttributes = SettingsValidation.names("eventNameAttributes", eventNameAttributes);
    keptAttributes = SettingsValidation.names("keptAttributes", keptAttributes);
    if (maxAttributes < 0) {
      throw new IllegalArgumentException("maxAttributes must be 0 or more, not " + maxAttributes);
    }
    if (maxAttributeValueChars < 1) {
      throw new IllegalArgumentException("maxAttributeValueChars must be at least 1, not " + maxAttributeValueChars);
    }
  }

  public static SpanAttributeSettings defaults() {
    return new SpanAttributeSettings(
        List.of("correlation_id", "correlation.id", "correlationId", "app.correlation_id",
            "messaging.message.conversation_id", "messaging.conversation_id"),
        List.of("messaging.message.id", "messaging.message_id", "event.id", "event_id", "cloudevents.event_id"),
        List.of("event.name", "event_name", "cloudevents.event_type"),
        32,
        1024,
        List.of(
            // What a graph shows next to a step: where a request went and how it ended.
            "http.route", "http.request.method", "http.method", "http.response.status_code", "http.status_code",
            "http.request.resend_count", "rpc.system", "rpc.service", "rpc.method", "rpc.grpc.status_code",
            "db.system", "db.system.name", "db.operation.name", "db.operation", "db.collection.name",
            // The query is what explains a slow step; the value cap keeps it from dominating the span.
            "db.query.text", "db.statement",
            "server.address", "peer.service", "error.type", "cloudevents.event_source",
            // Who a call went to in older conventions, for where a failure began (ERROR_ORIGIN).
            "net.peer.name", "url.full", "http.url",
            // Batch sizes, message keys, retry counts: the messaging details the MessagingHop does not hold.
            "messaging.*"));
  }
}
