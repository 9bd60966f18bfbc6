package io.tracestitch.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tracestitch.avro.Alert;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which record deliver-alerts sends PagerDuty next, and which it skips. */
class PagerDutyProtocolTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "R0UT1NGKEY0123456789abcdefABCDEF";
  private static final DeliverySettings SETTINGS = new DeliverySettings(List.of(DeliverySettings.Target.PAGERDUTY),
      "g", null, Duration.ofSeconds(60), Duration.ofMinutes(10), URI.create("http://pd/v2/enqueue"), KEY,
      Duration.ofMillis(500), Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofMinutes(5));

  private final PagerDutyProtocol protocol = new PagerDutyProtocol(SETTINGS);
  private final AlertBook book = new AlertBook();

  @Test
  void recordsGoOneAtATimeOldestFirstAcrossPartitionsAndInOrderWithinOne() throws Exception {
    PendingAlerts pending = Records.pending(
        Records.at(0, 0, 300, Alerts.trigger("a", 100, 1)), Records.at(0, 1, 400, Alerts.resolve("a", 100, 2, 400)),
        Records.at(1, 0, 200, Alerts.trigger("b", 100, 1)), Records.at(1, 1, 500, Alerts.resolve("b", 100, 2, 500)));

    List<String> sent = new ArrayList<>();
    while (!pending.isEmpty()) {
      Delivery delivery = protocol.next(pending, book, 1_000).orElseThrow();
      assertThat(delivery.settled()).hasSize(1);
      var event = JSON.readTree(delivery.request());
      sent.add(event.get("event_action").asText() + " " + event.get("dedup_key").asText().split("/")[2]);
      protocol.accepted(delivery, book, 1_000);
      pending.settle(delivery.settled().get(0));
    }

    assertThat(sent).containsExactly("trigger b", "trigger a", "resolve a", "resolve b");
  }

  @Test
  void aTriggerALaterResendOfTheSameLifecycleCoversIsSkippedButNeverTheLastOneBeforeItsResolve() throws Exception {
    PendingAlert t1 = Records.at(0, 0, 100, Alerts.trigger("a", 100, 1));
    PendingAlert t2 = Records.at(0, 1, 200, Alerts.trigger("a", 100, 2));
    PendingAlert t3 = Records.at(0, 2, 300, Alerts.trigger("a", 100, 3));
    PendingAlert resolve = Records.at(0, 3, 400, Alerts.resolve("a", 100, 4, 400));
    PendingAlert next = Records.at(0, 4, 500, Alerts.trigger("a", 450, 1));
    PendingAlerts pending = Records.pending(t1, t2, t3, resolve, next);

    List<PendingAlert> sent = new ArrayList<>();
    while (!pending.isEmpty()) {
      Delivery delivery = protocol.next(pending, book, 1_000).orElseThrow();
      sent.addAll(delivery.sent());
      if (delivery.needsRequest()) {
        protocol.accepted(delivery, book, 1_000);
      }
      delivery.settled().forEach(pending::settle);
    }

    assertThat(sent).containsExactly(t3, resolve, next);
  }

  @Test
  void aRecordOlderThanWhatPagerDutyWasGivenIsSkipped() {
    Alert resolve = Alerts.resolve("a", 100, 4, 400);
    PendingAlert stale = Records.at(0, 9, 500, Alerts.trigger("a", 100, 3));
    book.record(resolve, 400, stale.partition());

    Delivery delivery = protocol.next(Records.pending(stale), book, 1_000).orElseThrow();

    assertThat(delivery.needsRequest()).isFalse();
    assertThat(delivery.settled()).containsExactly(stale);
  }

  @Test
  void theOrderOfAnAlertsStatesIsLifecycleThenSendThenResolveLast() {
    assertThat(AlertBook.ORDER.compare(Alerts.trigger("a", 100, 2), Alerts.trigger("a", 100, 1))).isPositive();
    assertThat(AlertBook.ORDER.compare(Alerts.resolve("a", 100, 2, 300), Alerts.trigger("a", 100, 2))).isPositive();
    assertThat(AlertBook.ORDER.compare(Alerts.trigger("a", 500, 1), Alerts.resolve("a", 100, 9, 400))).isPositive();
    assertThat(AlertBook.ORDER.compare(Alerts.trigger("a", 100, 1), Alerts.trigger("a", 100, 1))).isZero();
  }
}
