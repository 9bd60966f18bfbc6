package io.tracestitch.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tracestitch.avro.Alert;
import io.tracestitch.avro.AlertAction;
import io.tracestitch.config.TracestitchConfig;
import io.tracestitch.delivery.FakePagerDuty.Event;
import io.tracestitch.delivery.FakePagerDuty.Fault;
import io.tracestitch.delivery.FakePagerDuty.OpenedAlert;
import io.tracestitch.kafka.KafkaBrokerFixture;
import io.tracestitch.topology.deadletter.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * deliver-alerts against a PagerDuty that keeps to the Events API v2 rules and misbehaves on purpose, on the
 * real broker: every page arrives once per lifecycle, in order per dedup key, whatever the API answers.
 */
class PagerDutyDeliveryIT {
  private static final int KEYS = 12;

  @Test
  void everyPageArrivesOnceAndInOrderPerKeyThrough429s5xxAndDroppedConnections() throws Exception {
    try (FakePagerDuty pagerDuty = FakePagerDuty.start(DeliveryHarness.ROUTING_KEY)
        .faults(PagerDutyDeliveryIT::misbehaviour).refuse(Set.of(Alerts.dedupKey("poison")));
         DeliveryHarness harness = new DeliveryHarness("pd", 3)) {
      harness.set(TracestitchConfig.DELIVERY_TARGETS, "pagerduty").pagerDuty(pagerDuty).start();
      long base = System.currentTimeMillis();
      Map<String, List<Alert>> histories = new LinkedHashMap<>();
      for (int k = 0; k < KEYS; k++) {
        histories.put("c" + k, twoLifecycles("c" + k, base, k % 2 == 0));
      }
      histories.put("poison", List.of(Alerts.trigger("poison", base, 1)));
      long started = System.nanoTime();
      int produced = produceInterleaved(harness.alertsTopic, histories);

      DeliveryHarness.await("PagerDuty in its final state for every key", Duration.ofSeconds(60),
          () -> histories.keySet().stream().filter(c -> !c.equals("poison")).allMatch(c -> finalStateReached(
              pagerDuty, c, histories.get(c))));
      long elapsedMs = (System.nanoTime() - started) / 1_000_000;
      List<ConsumerRecord<byte[], byte[]>> deadLetters =
          KafkaBrokerFixture.consumeUntil(harness.dlqTopic, 1, Duration.ofSeconds(30), false);

      for (int k = 0; k < KEYS; k++) {
        String consumer = "c" + k;
        List<OpenedAlert> opened = pagerDuty.alerts(Alerts.dedupKey(consumer));
        assertThat(opened).as("alerts PagerDuty opened for %s: one per lifecycle", consumer).hasSize(2);
        assertLifecycle(opened.get(0), histories.get(consumer).get(0).getFirstSeenMs(), 3, true);
        assertLifecycle(opened.get(1), histories.get(consumer).get(4).getFirstSeenMs(), 2, k % 2 == 0);
      }
      List<Event> accepted = pagerDuty.accepted();
      // Each opened alert holds at most one resolve (assertLifecycle), and none came without an open alert.
      assertThat(accepted).as("no resolve without an open alert (it would mean a stale or repeated record)")
          .noneMatch(e -> e.effect().equals("dropped"));
      Set<String> distinct = new HashSet<>();
      for (Event e : accepted) {
        if (e.action().equals("trigger")) {
          assertThat(distinct.add(e.dedupKey() + " " + e.detail("lifecycle") + " " + e.detail("sequence")))
              .as("taken twice: %s", e).isTrue();
        }
      }

      assertThat(pagerDuty.rejections()).as("the refused event was sent once, never retried").hasSize(1)
          .allSatisfy(r -> assertThat(r).contains("poison"));
      ConsumerRecord<byte[], byte[]> dead = deadLetters.get(0);
      assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo(Alerts.dedupKey("poison"));
      assertThat(header(dead, DeadLetters.REASON)).isEqualTo("DELIVERY_REJECTED");
      assertThat(header(dead, DeadLetterWriter.TARGET)).isEqualTo("pagerduty");
      assertThat(header(dead, DeadLetterWriter.STATUS)).isEqualTo("400");
      assertThat(header(dead, DeadLetters.MESSAGE)).contains("answered 400").contains("Event object is invalid");
      assertThat(header(dead, DeadLetters.TOPIC)).isEqualTo(harness.alertsTopic);
      assertThat(dead.value()).isEqualTo(Alerts.avro(histories.get("poison").get(0)));

      int injected = 0;
      for (Fault fault : Fault.values()) {
        if (fault != Fault.NONE) {
          injected += pagerDuty.injected(fault);
        }
      }
      double delivered = harness.count("pagerduty", "delivered");
      double retried = harness.count("pagerduty", "retried");
      double superseded = harness.count("pagerduty", "superseded");
      assertThat(delivered).as("delivered per /metrics").isEqualTo(accepted.size());
      assertThat(retried).as("retried per /metrics: one per failed try").isEqualTo(injected);
      assertThat(harness.count("pagerduty", "failed")).isEqualTo(1);
      assertThat(delivered + superseded + 1).as("every record settled once").isEqualTo(produced);
      assertThat(harness.metrics().sum("tracestitch_delivery_latency_seconds_count", Map.of("target", "pagerduty")))
          .isEqualTo(delivered);
      System.out.printf("PagerDutyDeliveryIT: %d records, %d requests (%d failed on purpose: %d x 429, %d x 5xx, "
              + "%d dropped), %d delivered, %d superseded, 1 dead-lettered, 0 duplicated, in %d ms%n", produced,
          pagerDuty.requests(), injected, pagerDuty.injected(Fault.TOO_MANY_REQUESTS),
          pagerDuty.injected(Fault.SERVER_ERROR) + pagerDuty.injected(Fault.BAD_GATEWAY)
              + pagerDuty.injected(Fault.UNAVAILABLE), pagerDuty.injected(Fault.DROP_CONNECTION),
          (long) delivered, (long) superseded, elapsedMs);
    }
  }

  @Test
  void aPagerDutyThatIsDownHoldsNothingBackAtAlertmanagerAndLosesNothing() throws Exception {
    AtomicBoolean down = new AtomicBoolean(true);
    try (AlertmanagerProcess alertmanager = AlertmanagerProcess.start(Duration.ofMinutes(5));
         FakePagerDuty pagerDuty = FakePagerDuty.start(DeliveryHarness.ROUTING_KEY)
             .faults(n -> down.get() ? Fault.UNAVAILABLE : Fault.NONE);
         DeliveryHarness harness = new DeliveryHarness("down", 3)) {
      harness.set(TracestitchConfig.DELIVERY_TARGETS, "alertmanager,pagerduty").pagerDuty(pagerDuty)
          .set(TracestitchConfig.DELIVERY_ALERTMANAGER_URL, alertmanager.url().toString())
          .set(TracestitchConfig.DELIVERY_UNREADY_AFTER_MS, "1000").start();
      long base = System.currentTimeMillis();
      List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
      for (int k = 0; k < 5; k++) {
        records.add(Alerts.record(harness.alertsTopic, Alerts.trigger("k" + k, base, 1)));
      }
      records.add(Alerts.record(harness.alertsTopic, Alerts.resolve("k0", base, 2, base + 1)));
      KafkaBrokerFixture.produce(harness.alertsTopic, records);

      DeliveryHarness.await("Alertmanager has k1..k4 active and not k0", Duration.ofSeconds(30), () -> {
        try {
          return alertmanager.active(Map.of("alertname", "TracestitchStalledBranch")).size() == 4
              && alertmanager.active(Map.of("consumer", "k0")).isEmpty();
        } catch (Exception e) {
          return false;
        }
      });
      DeliveryHarness.await("/readyz 503 while PagerDuty fails", Duration.ofSeconds(30),
          () -> harness.status("/readyz") == 503);
      JsonNode readiness = harness.json("/readyz");
      assertThat(readiness.get("reason").asText()).contains("pagerduty has failed every try").contains("503");
      assertThat(pagerDuty.accepted()).isEmpty();
      assertThat(pagerDuty.requests()).isGreaterThan(1);
      assertThat(harness.metrics().sum("tracestitch_delivery_failing_seconds", Map.of("target", "pagerduty")))
          .isPositive();
      assertThat(harness.metrics().sum("tracestitch_delivery_failing_seconds", Map.of("target", "alertmanager")))
          .isZero();
      assertThat(harness.metrics().sum("tracestitch_delivery_pending", Map.of("target", "pagerduty"))).isEqualTo(6);

      down.set(false);
      DeliveryHarness.await("PagerDuty has every page once it answers", Duration.ofSeconds(30), () ->
          java.util.stream.IntStream.range(1, 5).allMatch(k -> pagerDuty.alerts(Alerts.dedupKey("k" + k)).size() == 1)
              && pagerDuty.alerts(Alerts.dedupKey("k0")).size() == 1
              && pagerDuty.alerts(Alerts.dedupKey("k0")).get(0).resolved());
      DeliveryHarness.await("/readyz 200 again", Duration.ofSeconds(10), () -> harness.status("/readyz") == 200);
      assertThat(pagerDuty.accepted()).hasSize(6);
    }
  }

  private static Fault misbehaviour(int request) {
    if (request % 5 == 1) {
      return Fault.TOO_MANY_REQUESTS;
    } else if (request % 7 == 2) {
      return Fault.UNAVAILABLE;
    } else if (request % 11 == 3) {
      return Fault.DROP_CONNECTION;
    } else if (request % 13 == 4) {
      return Fault.SERVER_ERROR;
    } else if (request % 17 == 5) {
      return Fault.BAD_GATEWAY;
    }
    return Fault.NONE;
  }

  /** A stall paged, re-sent twice and resolved; then again, re-sent once, and resolved or still firing. */
  private static List<Alert> twoLifecycles(String consumer, long base, boolean secondResolved) {
    List<Alert> alerts = new ArrayList<>(List.of(Alerts.trigger(consumer, base, 1), Alerts.trigger(consumer, base, 2),
        Alerts.trigger(consumer, base, 3), Alerts.resolve(consumer, base, 4, base + 3_000),
        Alerts.trigger(consumer, base + 5_000, 1), Alerts.trigger(consumer, base + 5_000, 2)));
    if (secondResolved) {
      alerts.add(Alerts.resolve(consumer, base + 5_000, 3, base + 8_000));
    }
    return alerts;
  }

  /** Step by step across keys, so partitions and keys interleave as they do on a real topic. */
  private static int produceInterleaved(String topic, Map<String, List<Alert>> histories) {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    int longest = histories.values().stream().mapToInt(List::size).max().orElse(0);
    for (int step = 0; step < longest; step++) {
      for (List<Alert> history : histories.values()) {
        if (step < history.size()) {
          records.add(Alerts.record(topic, history.get(step)));
        }
      }
    }
    KafkaBrokerFixture.produce(topic, records);
    return records.size();
  }

  private static boolean finalStateReached(FakePagerDuty pagerDuty, String consumer, List<Alert> history) {
    List<OpenedAlert> opened = pagerDuty.alerts(Alerts.dedupKey(consumer));
    if (opened.size() < 2) {
      return false;
    }
    boolean resolvedLast = history.get(history.size() - 1).getAction() == AlertAction.RESOLVE;
    OpenedAlert last = opened.get(opened.size() - 1);
    return opened.get(0).resolved() && (resolvedLast ? last.resolved()
        : last.events().stream().anyMatch(e -> "2".equals(e.detail("sequence"))));
  }

  /** The triggers of one lifecycle in increasing order, its last re-send among them, then its resolve if any. */
  private static void assertLifecycle(OpenedAlert alert, long lifecycle, long lastTrigger, boolean resolved) {
    List<Event> events = alert.events();
    List<Event> triggers = events.stream().filter(e -> e.action().equals("trigger")).toList();
    assertThat(triggers).as("triggers of %s", alert.dedupKey()).isNotEmpty()
        .allSatisfy(t -> assertThat(t.detail("lifecycle")).isEqualTo(Long.toString(lifecycle)));
    List<Long> sequences = triggers.stream().map(t -> Long.parseLong(t.detail("sequence"))).toList();
    assertThat(sequences).as("re-sends of %s in order", alert.dedupKey()).isSorted().doesNotHaveDuplicates()
        .contains(lastTrigger);
    assertThat(alert.resolved()).isEqualTo(resolved);
    if (resolved) {
      assertThat(events.get(events.size() - 1).action()).isEqualTo("resolve");
      assertThat(events.stream().filter(e -> e.action().equals("resolve"))).hasSize(1);
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
