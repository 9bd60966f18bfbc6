package io.tracestitch.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tracestitch.app.TracestitchApp;
import io.tracestitch.avro.Alert;
import io.tracestitch.avro.AlertAction;
import io.tracestitch.config.TracestitchConfig;
import io.tracestitch.demo.CheckoutSimulation;
import io.tracestitch.demo.CheckoutTopics;
import io.tracestitch.demo.Fault;
import io.tracestitch.demo.Faults;
import io.tracestitch.demo.SimulationSettings;
import io.tracestitch.demo.SimulationTopics;
import io.tracestitch.kafka.KafkaBrokerFixture;
import io.tracestitch.serdes.AvroSingleObjectSerde;
import io.tracestitch.topology.deadletter.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deliver-alerts against a real Alertmanager (Debian's prometheus-alertmanager), fed by the real processor
 * watching the demo's checkout: what the faults cause is what Alertmanager shows, for as long as they last.
 */
class AlertmanagerDeliveryIT {
  /** Short, so the test can outlast it: Alertmanager resolves a firing alert nobody re-posts after this. */
  private static final Duration RESOLVE_TIMEOUT = Duration.ofSeconds(2);
  private static final Map<String, String> SILENT_ANALYTICS = Map.of("alertname", "TracestitchSilentFailure",
      "kind", "SILENT_FAILURE", "consumer", "analytics", "event_name", CheckoutTopics.ORDER_CREATED,
      "severity", "error");
  private static AlertmanagerProcess alertmanager;

  @BeforeAll
  static void startAlertmanager() throws Exception {
    alertmanager = AlertmanagerProcess.start(RESOLVE_TIMEOUT);
  }

  @AfterAll
  static void stopAlertmanager() throws Exception {
    if (alertmanager != null) {
      alertmanager.close();
    }
  }

  @Test
  void analyticsDownFiresInAlertmanagerStaysActivePastItsResolveTimeoutAndResolvesOnceAnalyticsRecovers()
      throws Exception {
    String prefix = "am-demo-" + Long.toHexString(System.nanoTime());
    String bootstrap = KafkaBrokerFixture.shared().bootstrapServers();
    CheckoutTopics topics = new CheckoutTopics(prefix + "-spans", prefix + "-order.created",
        prefix + "-payment.authorized");
    Map<String, String> settings = new HashMap<>(Map.of(
        TracestitchConfig.BOOTSTRAP_SERVERS, bootstrap,
        TracestitchConfig.APPLICATION_ID, prefix,
        TracestitchConfig.SPANS_TOPIC, topics.spans(),
        TracestitchConfig.EVENTS_TOPICS, String.join(",", topics.eventTopics()),
        TracestitchConfig.GRAPHS_TOPIC, prefix + "-graphs",
        TracestitchConfig.ALERTS_TOPIC, prefix + "-alerts",
        TracestitchConfig.DLQ_TOPIC, prefix + "-dlq",
        TracestitchConfig.INACTIVITY_GAP_MS, "3000",
        TracestitchConfig.TRACE_HOLD_MS, "1000",
        "commit.interval.ms", "200"));
    settings.put(TracestitchConfig.HTTP_PORT, "0");
    // The processor's own re-sends as rare as it allows (4 min): only deliver-alerts' re-posts keep the alert alive.
    settings.put(TracestitchConfig.ALERT_RESEND_MS, "240000");
    // Resolves 4 s after analytics handles order.created again; never later than the quiet period allows.
    settings.put(TracestitchConfig.ALERT_RESOLVE_AFTER_MS, "4000");
    settings.put(TracestitchConfig.ALERT_QUIET_MS, "8000");
    SimulationSettings faulty = SimulationSettings.of(bootstrap, topics, 2, new Faults(EnumSet.of(Fault.ANALYTICS_DOWN)));
    SimulationTopics.ensure(faulty);

    CheckoutSimulation simulation = null;
    try (TracestitchApp processor = new TracestitchApp(TracestitchConfig.load(Map.of(), Map.of(), settings), List.of());
         DeliveryHarness delivery = new DeliveryHarness("am-demo", 1)) {
      processor.start();
      delivery.set(TracestitchConfig.ALERTS_TOPIC, prefix + "-alerts")
          .set(TracestitchConfig.DELIVERY_TARGETS, "alertmanager")
          .set(TracestitchConfig.DELIVERY_ALERTMANAGER_URL, alertmanager.url().toString())
          .set(TracestitchConfig.DELIVERY_ALERTMANAGER_REPOST_MS, "1000").start();
      simulation = CheckoutSimulation.start(faulty);
      long checkoutStarted = System.nanoTime();

      DeliveryHarness.await("analytics' silent failure active in Alertmanager", Duration.ofSeconds(60),
          () -> !active().isEmpty());
      long firedAfterMs = (System.nanoTime() - checkoutStarted) / 1_000_000;
      JsonNode firing = active().get(0);
      assertThat(firing.get("labels").get("alertname").asText()).isEqualTo("TracestitchSilentFailure");
      assertThat(firing.get("annotations").get("summary").asText())
          .contains("analytics failed handling order.created").contains("while the workflow's root reported success");
      assertThat(firing.get("annotations").get("dedup_key").asText())
          .isEqualTo("tracestitch/silent_failure/analytics/order.created");

      // Five times the resolve timeout, and longer than one forward endsAt (4 s): re-posts keep it active.
      long firingSince = System.nanoTime();
      TreeSet<Instant> endsAts = new TreeSet<>();
      while (System.nanoTime() - firingSince < RESOLVE_TIMEOUT.multipliedBy(5).toNanos()) {
        List<JsonNode> now = active();
        assertThat(now).as("active %d ms after it fired", (System.nanoTime() - firingSince) / 1_000_000).hasSize(1);
        endsAts.add(Instant.parse(now.get(0).get("endsAt").asText()));
        Thread.sleep(250);
      }
      List<Alert> written = alerts(prefix + "-alerts", "tracestitch/silent_failure/analytics/order.created");
      assertThat(written).as("the processor wrote one trigger and no re-send in the meantime")
          .extracting(Alert::getAction).containsExactly(AlertAction.TRIGGER);
      assertThat(endsAts.size()).as("endsAt moved ahead with each re-post").isGreaterThanOrEqualTo(5);
      assertThat(delivery.metrics().sum("tracestitch_delivery_reposts_total", Map.of("target", "alertmanager")))
          .isGreaterThanOrEqualTo(5);

      // The fault ends: the same checkout without faults, analytics handles order.created again.
      simulation.close();
      long faultEnded = System.nanoTime();
      simulation = CheckoutSimulation.start(SimulationSettings.of(bootstrap, topics, 2, Faults.none()));
      DeliveryHarness.await("the alert resolved in Alertmanager", Duration.ofSeconds(90), () -> active().isEmpty());
      long resolvedAfterMs = (System.nanoTime() - faultEnded) / 1_000_000;
      List<Alert> after = alerts(prefix + "-alerts", "tracestitch/silent_failure/analytics/order.created");
      assertThat(after.get(after.size() - 1).getAction()).as("resolved by the processor's RESOLVE")
          .isEqualTo(AlertAction.RESOLVE);
      assertThat(delivery.count("alertmanager", "delivered")).isGreaterThanOrEqualTo(2);
      System.out.printf("AlertmanagerDeliveryIT: active in Alertmanager %d ms after the checkout started, kept active "
              + "over %d s (resolve_timeout %d s) by %d re-posts with %d distinct endsAt, %d alert records delivered, "
              + "resolved %d ms after the fault ended%n", firedAfterMs,
          RESOLVE_TIMEOUT.multipliedBy(5).toSeconds(), RESOLVE_TIMEOUT.toSeconds(),
          (long) delivery.metrics().sum("tracestitch_delivery_reposts_total", Map.of("target", "alertmanager")),
          endsAts.size(), (long) delivery.count("alertmanager", "delivered"), resolvedAfterMs);
    } finally {
      if (simulation != null) {
        simulation.close();
      }
    }
  }

  @Test
  void anAlertAlertmanagerRefusesIsDeadLetteredWithItsAnswerAndTheOthersStillFire() throws Exception {
    try (DeliveryHarness delivery = new DeliveryHarness("am-refused", 1)) {
      delivery.set(TracestitchConfig.DELIVERY_TARGETS, "alertmanager")
          .set(TracestitchConfig.DELIVERY_ALERTMANAGER_URL, alertmanager.url().toString()).start();
      long now = System.currentTimeMillis();
      String tag = delivery.prefix;
      Alert noLabels = Alert.newBuilder(Alerts.trigger(tag + "-b", now, 1)).setLabels(Map.of()).build();
      KafkaBrokerFixture.produce(delivery.alertsTopic, List.of(
          Alerts.record(delivery.alertsTopic, Alerts.trigger(tag + "-a", now, 1)),
          Alerts.record(delivery.alertsTopic, noLabels),
          Alerts.record(delivery.alertsTopic, Alerts.trigger(tag + "-c", now, 1))));

      List<ConsumerRecord<byte[], byte[]>> dead =
          KafkaBrokerFixture.consumeUntil(delivery.dlqTopic, 1, Duration.ofSeconds(30), false);
      DeliveryHarness.await("a and c active", Duration.ofSeconds(30), () -> {
        try {
          return alertmanager.active(Map.of("consumer", tag + "-a")).size() == 1
              && alertmanager.active(Map.of("consumer", tag + "-c")).size() == 1;
        } catch (Exception e) {
          return false;
        }
      });

      assertThat(dead).hasSize(1);
      assertThat(new String(dead.get(0).key(), StandardCharsets.UTF_8)).isEqualTo(Alerts.dedupKey(tag + "-b"));
      assertThat(header(dead.get(0), DeadLetters.REASON)).isEqualTo("DELIVERY_REJECTED");
      assertThat(header(dead.get(0), DeadLetterWriter.TARGET)).isEqualTo("alertmanager");
      assertThat(header(dead.get(0), DeadLetterWriter.STATUS)).isEqualTo("400");
      assertThat(header(dead.get(0), DeadLetters.MESSAGE)).contains("at least one label pair required");
      assertThat(delivery.count("alertmanager", "failed")).isEqualTo(1);
      assertThat(delivery.count("alertmanager", "delivered")).isEqualTo(2);
    }
  }

  private static List<JsonNode> active() {
    try {
      return alertmanager.active(SILENT_ANALYTICS);
    } catch (Exception e) {
      throw new AssertionError("Could not read Alertmanager's alerts: " + e, e);
    }
  }

  /** What the processor wrote for one dedup key, in order. */
  private static List<Alert> alerts(String topic, String dedupKey) {
    Deserializer<Alert> deserializer = AvroSingleObjectSerde.of(Alert.class).deserializer();
    List<Alert> alerts = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : KafkaBrokerFixture.consumeUntil(topic, 1, Duration.ofSeconds(10),
        true)) {
      Alert alert = deserializer.deserialize(topic, record.value());
      if (alert.getDedupKey().equals(dedupKey)) {
        alerts.add(alert);
      }
    }
    return alerts;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
