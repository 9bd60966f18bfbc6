package io.tracestitch.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tracestitch.avro.Alert;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What deliver-alerts posts to Alertmanager, step by step, from the records waiting and what it has posted. */
class AlertmanagerProtocolTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long T0 = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();
  private static final DeliverySettings SETTINGS = new DeliverySettings(List.of(DeliverySettings.Target.ALERTMANAGER),
      "g", URI.create("http://am:9093"), Duration.ofSeconds(60), Duration.ofMinutes(10), null, null,
      Duration.ofMillis(500), Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofMinutes(5));

  private final AlertmanagerProtocol protocol = new AlertmanagerProtocol(SETTINGS);
  private final AlertBook book = new AlertBook();

  @Test
  void aFiringAlertEndsFourRepostIntervalsAheadAndAResolveEndsWhenItWasResolved() throws Exception {
    PendingAlerts pending = Records.pending(Records.at(0, 0, T0, Alerts.trigger("loyalty", T0, 1)),
        Records.at(1, 0, T0, Alerts.resolve("analytics", T0 - 60_000, 5, T0 - 1_000)));

    Delivery delivery = protocol.next(pending, book, T0 + 100).orElseThrow();
    JsonNode body = JSON.readTree(delivery.request());

    assertThat(delivery.sent()).hasSize(2);
    assertThat(body).hasSize(2);
    JsonNode firing = byConsumer(body, "loyalty");
    assertThat(Instant.parse(firing.get("startsAt").asText())).isEqualTo(Instant.ofEpochMilli(T0));
    assertThat(Instant.parse(firing.get("endsAt").asText())).isEqualTo(Instant.ofEpochMilli(T0 + 100 + 240_000));
    assertThat(firing.get("labels").get("alertname").asText()).isEqualTo("TracestitchStalledBranch");
    assertThat(Instant.parse(byConsumer(body, "analytics").get("endsAt").asText()))
        .isEqualTo(Instant.ofEpochMilli(T0 - 1_000));
  }

  @Test
  void onlyTheLatestStateOfEachAlertIsPostedAndTheOlderRecordsAreSettledWithIt() throws Exception {
    PendingAlert first = Records.at(0, 0, T0, Alerts.trigger("loyalty", T0, 1));
    PendingAlert resend = Records.at(0, 1, T0 + 60_000, Alerts.trigger("loyalty", T0, 2));
    PendingAlert resolve = Records.at(0, 2, T0 + 70_000, Alerts.resolve("loyalty", T0, 3, T0 + 70_000));
    Delivery delivery = protocol.next(Records.pending(first, resend, resolve), book, T0 + 80_000).orElseThrow();

    assertThat(delivery.settled()).containsExactly(first, resend, resolve);
    assertThat(delivery.sent()).containsExactly(resolve);
    assertThat(JSON.readTree(delivery.request())).hasSize(1);
  }

  @Test
  void aStaleTriggerAfterTheResolveWasPostedIsNeverPosted() throws Exception {
    Alert resolve = Alerts.resolve("loyalty", T0, 3, T0 + 70_000);
    book.record(resolve, T0 + 70_000, Records.at(0, 2, 0, resolve).partition());
    PendingAlert stale = Records.at(0, 3, T0 + 71_000, Alerts.trigger("loyalty", T0, 2));

    Delivery delivery = protocol.next(Records.pending(stale), book, T0 + 72_000).orElseThrow();

    assertThat(delivery.settled()).containsExactly(stale);
    assertThat(delivery.sent()).isEmpty();
    // All it may carry is the resolve again (see the next test), never the stale trigger's forward endsAt.
    for (JsonNode alert : JSON.readTree(delivery.request())) {
      assertThat(Instant.parse(alert.get("endsAt").asText())).isEqualTo(Instant.ofEpochMilli(T0 + 70_000));
    }
  }

  @Test
  void everyFiringAlertIsPostedAgainEachIntervalWithoutNewRecords() throws Exception {
    PendingAlert trigger = Records.at(0, 0, T0, Alerts.trigger("loyalty", T0, 1));
    Delivery first = protocol.next(Records.pending(trigger), book, T0).orElseThrow();
    protocol.accepted(first, book, T0);

    assertThat(protocol.nextDueMs(book, T0)).isEqualTo(T0 + 60_000);
    assertThat(protocol.next(new PendingAlerts(), book, T0 + 59_000)).isEmpty();
    Delivery repost = protocol.next(new PendingAlerts(), book, T0 + 60_000).orElseThrow();
    assertThat(repost.reposts()).isEqualTo(1);
    assertThat(repost.everyFiring()).isTrue();
    assertThat(Instant.parse(JSON.readTree(repost.request()).get(0).get("endsAt").asText()))
        .isEqualTo(Instant.ofEpochMilli(T0 + 60_000 + 240_000));
    protocol.accepted(repost, book, T0 + 60_000);
    assertThat(protocol.nextDueMs(book, T0 + 60_000)).isEqualTo(T0 + 120_000);
  }

  @Test
  void aFiringAlertTheProcessorStoppedResendingEndsByItself() throws Exception {
    PendingAlert old = Records.at(0, 0, T0, Alerts.trigger("loyalty", T0, 1));
    Delivery first = protocol.next(Records.pending(old), book, T0 + 500_000).orElseThrow();
    protocol.accepted(first, book, T0 + 500_000);

    assertThat(Instant.parse(JSON.readTree(first.request()).get(0).get("endsAt").asText()))
        .as("no later than the record's time plus the hold").isEqualTo(Instant.ofEpochMilli(T0 + 600_000));
    assertThat(protocol.next(new PendingAlerts(), book, T0 + 600_001)).isEmpty();
    assertThat(protocol.nextDueMs(book, T0 + 600_001)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aResolveIsPostedAgainForFourIntervalsSoAnAlertmanagerWhoseClockIsBehindStillResolvesIt() throws Exception {
    PendingAlert resolve = Records.at(0, 0, T0, Alerts.resolve("loyalty", T0 - 60_000, 2, T0));
    Delivery first = protocol.next(Records.pending(resolve), book, T0).orElseThrow();
    protocol.accepted(first, book, T0);

    Delivery again = protocol.next(new PendingAlerts(), book, T0 + 60_000).orElseThrow();
    assertThat(again.reposts()).isEqualTo(1);
    assertThat(Instant.parse(JSON.readTree(again.request()).get(0).get("endsAt").asText()))
        .isEqualTo(Instant.ofEpochMilli(T0));
    protocol.accepted(again, book, T0 + 60_000);
    assertThat(protocol.next(new PendingAlerts(), book, T0 + 240_000)).as("four intervals on").isEmpty();
  }

  @Test
  void whenAnAlertsLabelsChangeTheOldLabelSetIsResolvedInTheSameRequest() throws Exception {
    Alert error = Alerts.trigger("loyalty", T0, 1);
    Delivery first = protocol.next(Records.pending(Records.at(0, 0, T0, error)), book, T0).orElseThrow();
    protocol.accepted(first, book, T0);
    Alert critical = Alerts.withLabel(Alerts.trigger("loyalty", T0, 2), "severity", "critical");

    JsonNode body = JSON.readTree(protocol.next(Records.pending(Records.at(0, 1, T0 + 1_000, critical)), book,
        T0 + 1_000).orElseThrow().request());

    assertThat(body).hasSize(2);
    assertThat(body.get(0).get("labels").get("severity").asText()).isEqualTo("critical");
    assertThat(body.get(1).get("labels").get("severity").asText()).isEqualTo("error");
    assertThat(Instant.parse(body.get(1).get("endsAt").asText())).isEqualTo(Instant.ofEpochMilli(T0 + 1_000));
  }

  @Test
  void afterARefusedBatchTheRecordsGoOneAtATimeSoOnlyTheBadOneIsDeadLettered() {
    PendingAlert a = Records.at(0, 0, T0, Alerts.trigger("a", T0, 1));
    PendingAlert b = Records.at(0, 1, T0, Alerts.trigger("b", T0, 1));
    PendingAlerts pending = Records.pending(a, b);
    Delivery batch = protocol.next(pending, book, T0).orElseThrow();

    assertThat(protocol.rejected(batch, T0)).as("retry one at a time").isTrue();
    Delivery single = protocol.next(pending, book, T0).orElseThrow();
    assertThat(single.settled()).containsExactly(a);
    assertThat(single.sent()).containsExactly(a);
    assertThat(protocol.rejected(single, T0)).as("dead-letter it").isFalse();
  }

  @Test
  void anUnreadableRecordIsSettledWithoutARequest() {
    PendingAlert garbage = Records.unreadable(0, 0, T0);
    Delivery delivery = protocol.next(Records.pending(garbage), book, T0).orElseThrow();

    assertThat(delivery.needsRequest()).isFalse();
    assertThat(delivery.settled()).containsExactly(garbage);
  }

  private static JsonNode byConsumer(JsonNode body, String consumer) {
    for (JsonNode alert : body) {
      if (consumer.equals(alert.get("labels").get("consumer").asText())) {
        return alert;
      }
    }
    throw new AssertionError("no alert for " + consumer + " in " + body);
  }
}
