package io.tracestitch.serdes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tracestitch.avro.Alert;
import io.tracestitch.avro.AlertAction;
import io.tracestitch.avro.AlertLink;
import java.time.Instant;
import java.util.Locale;

/**
 * The alert as the two paging APIs take it, field for field, so an HTTP sink can forward a record of
 * the alert topic unchanged: PagerDuty Events API v2 ({@code POST /v2/enqueue}) and Prometheus
 * Alertmanager ({@code POST /api/v2/alerts}, which takes an array).
 */
public final class AlertPayloads {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AlertPayloads() {}

  /** A PagerDuty Events v2 event; a resolve carries only what PagerDuty reads from one. */
  public static ObjectNode pagerDuty(Alert alert, String routingKey) {
    ObjectNode event = JSON.createObjectNode();
    event.put("routing_key", routingKey);
    event.put("event_action", alert.getAction() == AlertAction.TRIGGER ? "trigger" : "resolve");
    event.put("dedup_key", alert.getDedupKey());
    if (alert.getAction() == AlertAction.RESOLVE) {
      return event;
    }
    ObjectNode payload = event.putObject("payload");
    payload.put("summary", alert.getSummary());
    payload.put("source", alert.getSource());
    payload.put("severity", alert.getSeverity().name());
    payload.put("timestamp", Instant.ofEpochMilli(alert.getLastSeenMs()).toString());
    payload.put("component", alert.getComponent());
    payload.put("group", alert.getGroup());
    payload.put("class", alert.getClass$());
    ObjectNode details = payload.putObject("custom_details");
    alert.getCustomDetails().forEach(details::put);
    ArrayNode links = event.putArray("links");
    for (AlertLink link : alert.getLinks()) {
      links.addObject().put("href", link.getHref()).put("text", link.getText());
    }
    event.put("client", "tracestitch");
    if (alert.getGeneratorUrl() != null) {
      event.put("client_url", alert.getGeneratorUrl());
    }
    return event;
  }

  /**
   * An Alertmanager alert, in the one-element array its API takes. While firing, {@code endsAt} is left
   * out so Alertmanager applies its resolve timeout: re-sends keep the alert alive, and if tracestitch
   * itself stops, the alert resolves instead of firing forever.
   */
  public static ArrayNode alertmanager(Alert alert) {
    ArrayNode array = JSON.createArrayNode();
    array.add(alertmanagerAlert(alert, alert.getAction() == AlertAction.RESOLVE && alert.getEndsAtMs() != null
        ? Instant.ofEpochMilli(alert.getEndsAtMs()) : null));
    return array;
  }

  /**
   * One Alertmanager alert with the {@code endsAt} the caller chose: a time ahead keeps a firing alert active
   * until then (a sender that re-posts it keeps it alive, one that stops lets it end), a time past resolves it,
   * null leaves it to Alertmanager's resolve timeout.
   */
  public static ObjectNode alertmanagerAlert(Alert alert, Instant endsAt) {
    ObjectNode a = JSON.createObjectNode();
    ObjectNode labels = a.putObject("labels");
    alert.getLabels().forEach(labels::put);
    ObjectNode annotations = a.putObject("annotations");
    alert.getAnnotations().forEach(annotations::put);
    annotations.put("count", Long.toString(alert.getCount()));
    annotations.put("sample_workflow_ids", String.join(",", alert.getSampleWorkflowIds()));
    annotations.put("dedup_key", alert.getDedupKey());
    a.put("startsAt", Instant.ofEpochMilli(alert.getFirstSeenMs()).toString());
    if (endsAt != null) {
      a.put("endsAt", endsAt.toString());
    }
    if (alert.getGeneratorUrl() != null) {
      a.put("generatorURL", alert.getGeneratorUrl());
    }
    return a;
  }

  /** The alert topic's value format for paging sinks. */
  public enum Style {
    PAGERDUTY, ALERTMANAGER;

    public static Style parse(String text) {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    }
  }

  /** A serializer writing the chosen payload; these records are for HTTP sinks, not for reading back. */
  public static org.apache.kafka.common.serialization.Serde<Alert> serde(Style style, String routingKey) {
    org.apache.kafka.common.serialization.Serializer<Alert> serializer = (topic, alert) -> {
      if (alert == null) {
        return null;
      }
      try {
        return JSON.writeValueAsBytes(style == Style.PAGERDUTY ? pagerDuty(alert, routingKey) : alertmanager(alert));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new org.apache.kafka.common.errors.SerializationException("Could not write the alert as JSON", e);
      }
    };
    org.apache.kafka.common.serialization.Deserializer<Alert> deserializer = (topic, bytes) -> {
      throw new org.apache.kafka.common.errors.SerializationException("Alerts written as " + style
          + " payloads are meant for HTTP sinks and cannot be read back as Alert records; use alerts.format=avro or json"
          + " for a topic tracestitch reads.");
    };
    return org.apache.kafka.common.serialization.Serdes.serdeFrom(serializer, deserializer);
  }
}
