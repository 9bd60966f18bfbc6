package io.tracestitch.serdes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tracestitch.avro.Alert;
import io.tracestitch.avro.AlertAction;
import io.tracestitch.replay.ReplayDriver;
import io.tracestitch.testing.Checkout;
import io.tracestitch.testing.Orders;
import io.tracestitch.testing.TimedInput;
import io.tracestitch.topology.StitchSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AlertPayloadsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void silentFailureBecomesAPagerDutyEventFieldForField() throws Exception {
    List<Alert> alerts = silentFailureAlerts();
    JsonNode trigger = AlertPayloads.pagerDuty(alerts.get(0), "R0UT1NGKEY");

    assertThat(trigger.get("routing_key").asText()).isEqualTo("R0UT1NGKEY");
    assertThat(trigger.get("event_action").asText()).isEqualTo("trigger");
    assertThat(trigger.get("dedup_key").asText()).isEqualTo("tracestitch/silent_failure/analytics/order.created")
        .hasSizeLessThanOrEqualTo(255);
    JsonNode payload = trigger.get("payload");
    assertThat(payload.get("summary").asText()).contains("analytics failed handling order.created").hasSizeLessThanOrEqualTo(1024);
    assertThat(payload.get("severity").asText()).isIn(Set.of("critical", "error", "warning", "info")).isEqualTo("error");
    assertThat(payload.get("source").asText()).isEqualTo("tracestitch");
    assertThat(payload.get("component").asText()).isEqualTo("analytics");
    assertThat(payload.get("group").asText()).isEqualTo("order.created");
    assertThat(payload.get("class").asText()).isEqualTo("silent_failure");
    assertThat(payload.get("custom_details").get("sample_trace_ids").asText()).hasSize(32);
    assertThat(Instant.parse(payload.get("timestamp").asText())).isNotNull();

    JsonNode resolve = AlertPayloads.pagerDuty(alerts.get(alerts.size() - 1), "R0UT1NGKEY");
    assertThat(resolve.get("event_action").asText()).isEqualTo("resolve");
    assertThat(resolve.fieldNames()).toIterable().containsExactlyInAnyOrder("routing_key", "event_action", "dedup_key");
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "alert-example-pagerduty.json"),
        JSON.writerWithDefaultPrettyPrinter().writeValueAsString(trigger));
  }

  @Test
  void silentFailureBecomesAnAlertmanagerAlertWhoseIdentityHasNoTraceIds() throws Exception {
    List<Alert> alerts = silentFailureAlerts();
    JsonNode firing = AlertPayloads.alertmanager(alerts.get(0)).get(0);

    assertThat(firing.get("labels").get("alertname").asText()).isEqualTo("TracestitchSilentFailure");
    assertThat(firing.get("labels").get("consumer").asText()).isEqualTo("analytics");
    assertThat(firing.get("labels").get("event_name").asText()).isEqualTo("order.created");
    assertThat(firing.get("labels").toString()).doesNotContain("order-1").doesNotContain(Orders.order(1, 0).trace());
    assertThat(firing.get("annotations").get("summary").asText()).contains("analytics failed");
    assertThat(firing.has("endsAt")).as("firing: Alertmanager's resolve timeout applies").isFalse();
    assertThat(Instant.parse(firing.get("startsAt").asText()).toEpochMilli()).isEqualTo(alerts.get(0).getFirstSeenMs());

    JsonNode resolved = AlertPayloads.alertmanager(alerts.get(alerts.size() - 1)).get(0);
    assertThat(Instant.parse(resolved.get("endsAt").asText()).toEpochMilli())
        .isEqualTo(alerts.get(alerts.size() - 1).getEndsAtMs());
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "alert-example-alertmanager.json"),
        JSON.writerWithDefaultPrettyPrinter().writeValueAsString(AlertPayloads.alertmanager(alerts.get(0))));
  }

  @Test
  void payloadTopicsAreForSinksAndSayWhenSomeoneTriesToReadThemBack() {
    var serde = AlertPayloads.serde(AlertPayloads.Style.ALERTMANAGER, "");
    byte[] bytes = serde.serializer().serialize("trace-alerts", silentFailureAlerts().get(0));
    assertThat(new String(bytes)).startsWith("[{\"labels\"");
    assertThatThrownBy(() -> serde.deserializer().deserialize("trace-alerts", bytes))
        .isInstanceOf(SerializationException.class).hasMessageContaining("HTTP sinks");
  }

  static List<Alert> silentFailureAlerts() {
    StitchSettings settings = StitchSettings.defaults().withEventTopics(List.of(Orders.ORDER_CREATED));
    try (ReplayDriver driver = new ReplayDriver(settings, Instant.ofEpochMilli(Checkout.T0))) {
      TimedInput.pipeAll(Orders.order(1, Checkout.T0).consumer("inventory", Orders.Outcome.OK)
          .consumer("analytics", Orders.Outcome.FAIL).inputs(), driver);
      driver.finish();
      List<Alert> alerts = driver.alerts();
      assertThat(alerts.get(0).getAction()).isEqualTo(AlertAction.TRIGGER);
      return alerts;
    }
  }
}
