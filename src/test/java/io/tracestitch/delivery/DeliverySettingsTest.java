package io.tracestitch.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracestitch.config.TracestitchConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** deliver-alerts refuses to start on settings it could not deliver with, and says which and what to do. */
class DeliverySettingsTest {
  private static final String ROUTING_KEY = "R0UT1NGKEY0123456789abcdefABCDEF";

  @Test
  void bothTargetsWithTheirUrlsAndTheRoutingKeyFromTheEnvironment() {
    DeliverySettings settings = load(Map.of("delivery.targets", "alertmanager,pagerduty",
        "delivery.alertmanager.url", "http://alertmanager:9093"),
        Map.of("TRACESTITCH_ALERTS_PAGERDUTY_ROUTING_KEY", ROUTING_KEY)).deliverySettings();

    assertThat(settings.targets()).containsExactly(DeliverySettings.Target.ALERTMANAGER,
        DeliverySettings.Target.PAGERDUTY);
    assertThat(settings.pagerDutyRoutingKey()).isEqualTo(ROUTING_KEY);
    assertThat(settings.pagerDutyUrl().toString()).isEqualTo("https://events.pagerduty.com/v2/enqueue");
    assertThat(settings.groupOf(DeliverySettings.Target.PAGERDUTY)).isEqualTo("tracestitch-delivery-pagerduty");
    assertThat(settings.alertmanagerEndsAfter()).isEqualTo(Duration.ofMinutes(4));
  }

  @Test
  void aTargetWithoutWhatItNeedsFailsNamingTheSetting() {
    assertThatThrownBy(() -> load(Map.of(), Map.of()).deliverySettings()).isInstanceOf(ConfigException.class)
        .hasMessageContaining("delivery.targets").hasMessageContaining("nowhere to send");
    assertThatThrownBy(() -> load(Map.of("delivery.targets", "alertmanager"), Map.of()).deliverySettings())
        .hasMessageContaining("delivery.alertmanager.url").hasMessageContaining("http://alertmanager:9093");
    assertThatThrownBy(() -> load(Map.of("delivery.targets", "pagerduty"), Map.of()).deliverySettings())
        .hasMessageContaining("alerts.pagerduty.routing.key")
        .hasMessageContaining("TRACESTITCH_ALERTS_PAGERDUTY_ROUTING_KEY");
    assertThatThrownBy(() -> load(Map.of("delivery.targets", "opsgenie"), Map.of()))
        .hasMessageContaining("delivery.targets").hasMessageContaining("use alertmanager or pagerduty");
  }

  @Test
  void finishedRequestBodiesOnTheTopicAreRefusedAtStartWithWhatToDo() {
    assertThatThrownBy(() -> load(Map.of("delivery.targets", "alertmanager", "delivery.alertmanager.url",
        "http://am:9093", "alerts.format", "alertmanager"), Map.of()).deliverySettings())
        .hasMessageContaining("alerts.format").hasMessageContaining("Leave alerts.format empty");
  }

  @Test
  void theEmbeddedBrokerIsNotSomethingToDeliverFrom() {
    Map<String, String> values = new HashMap<>(Map.of("delivery.targets", "alertmanager",
        "delivery.alertmanager.url", "http://am:9093"));
    values.put("bootstrap.servers", "");
    assertThatThrownBy(() -> TracestitchConfig.load(values, Map.of(), Map.of()).deliverySettings())
        .hasMessageContaining("bootstrap.servers").hasMessageContaining("running tracestitch");
  }

  @Test
  void theCommandSaysWhatIsMissingInOneSentenceAndExitsWith2() {
    java.io.StringWriter err = new java.io.StringWriter();
    int code = io.tracestitch.cli.MainAccess.run(err, "deliver-alerts", "--set", "bootstrap.servers=kafka:9092",
        "--set", "delivery.targets=pagerduty");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("tracestitch: ").contains("alerts.pagerduty.routing.key")
        .doesNotContain("Exception");
  }

  private static TracestitchConfig load(Map<String, String> values, Map<String, String> environment) {
    Map<String, String> all = new HashMap<>(values);
    all.putIfAbsent("bootstrap.servers", "kafka:9092");
    return TracestitchConfig.load(all, environment, Map.of());
  }
}
