package io.tracestitch.topology.expect;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.testing.InMemoryStores;
import io.tracestitch.avro.internal.ConsumerStats;
import io.tracestitch.avro.internal.ExpectationStats;
import io.tracestitch.topology.StitchCounters;
import io.tracestitch.topology.StitchSerdes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Percentage;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/** The rules by which consumers become expected, stay expected, are forgotten, and get their deadline. */
class LearnedExpectationsTest {
  static final long T = 1_767_225_600_000L;
  static final long EVERY = 2_000;
  static final String ORDER_CREATED = "order.created";

  final StitchCounters counters = new StitchCounters();
  final KeyValueStore<String, ExpectationStats> store = store();
  long now = T;

  LearnedExpectations learned(ExpectationSettings settings) {
    return new LearnedExpectations(store, settings, Contracts.NONE, counters);
  }

  static KeyValueStore<String, ExpectationStats> store() {
    return InMemoryStores.open("expectations", StitchSerdes.avro().expectationStats());
  }

  /** One published order: loyalty handled it after {@code latencyMs}, or (negative) did not. */
  void order(LearnedExpectations expectations, long latencyMs) {
    now += EVERY;
    List<Observations.Handled> handled = new ArrayList<>();
    handled.add(new Observations.Handled("inventory", "inventory", 150));
    if (latencyMs >= 0) {
      handled.add(new Observations.Handled("loyalty", "loyalty", latencyMs));
    }
    expectations.learn(new Observations(List.of(new Observations.EventSeen(ORDER_CREATED, now, handled)), List.of()),
        now);
  }

  boolean loyaltyExpected(LearnedExpectations expectations) {
    return expectations.consumersOf(ORDER_CREATED, now).stream().anyMatch(c -> c.name().equals("loyalty"));
  }

  long loyaltyDeadline(LearnedExpectations expectations) {
    return expectations.consumersOf(ORDER_CREATED, now).stream().filter(c -> c.name().equals("loyalty")).findFirst()
        .orElseThrow().deadlineMs();
  }

  /** Ten decayed events: the tenth, two seconds after the first, still weighs a little less than ten. */
  @Test
  void consumerIsExpectedOnceItHandledTenEventsWithoutAnyConfiguration() {
    LearnedExpectations expectations = learned(ExpectationSettings.defaults());
    for (int i = 0; i < 9; i++) {
      order(expectations, 120);
    }
    assertThat(loyaltyExpected(expectations)).isFalse();
    order(expectations, 120);
    order(expectations, 120);
    assertThat(loyaltyExpected(expectations)).isTrue();
  }

  @Test
  void outagesAndTheirRecoveriesNeverUnlearnAnExpectedConsumer() {
    LearnedExpectations expectations = learned(ExpectationSettings.defaults());
    for (int i = 0; i < 30; i++) {
      order(expectations, 120);
    }
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 200; i++) {
        order(expectations, -1);
        assertThat(loyaltyExpected(expectations)).as("outage %d, order %d", round, i).isTrue();
      }
      for (int i = 0; i < 40; i++) {
        order(expectations, 120);
      }
    }
    assertThat(loyaltyExpected(expectations)).isTrue();
  }

  @Test
  void partialOutageNeverUnlearnsAnExpectedConsumer() {
    LearnedExpectations expectations = learned(ExpectationSettings.defaults());
    for (int i = 0; i < 30; i++) {
      order(expectations, 120);
    }
    for (int i = 0; i < 1_000; i++) {
      order(expectations, i % 3 == 0 ? 120 : -1);
      assertThat(loyaltyExpected(expectations)).isTrue();
    }
  }

  @Test
  void consumerThatHandlesAThirdOfTheEventsOnPurposeIsNeverExpected() {
    LearnedExpectations expectations = learned(ExpectationSettings.defaults());
    for (int i = 0; i < 1_000; i++) {
      order(expectations, i % 3 == 0 ? 120 : -1);
    }
    assertThat(loyaltyExpected(expectations)).isFalse();
  }

  @Test
  void consumerThatHandledNothingForTheForgetPeriodIsForgottenAndLearnedAfreshWhenItReturns() {
    LearnedExpectations expectations = learned(ExpectationSettings.defaults().withForgetAfter(Duration.ofMinutes(30)));
    for (int i = 0; i < 30; i++) {
      order(expectations, 120);
    }
    long lastSuccess = now;
    while (now - lastSuccess <= Duration.ofMinutes(30).toMillis()) {
      assertThat(loyaltyExpected(expectations)).isTrue();
      order(expectations, -1);
    }
    assertThat(loyaltyExpected(expectations)).isFalse();
    assertThat(store.get("event:" + ORDER_CREATED).getConsumers()).doesNotContainKey("loyalty");
    for (int i = 0; i < 9; i++) {
      order(expectations, 120);
    }
    assertThat(loyaltyExpected(expectations)).as("relearned from scratch: ten events").isFalse();
    order(expectations, 120);
    order(expectations, 120);
    assertThat(loyaltyExpected(expectations)).isTrue();
  }

  @Test
  void deadlineIsThreeTimesTheNinetyFifthPercentileAndAnOutlierDoesNotMoveIt() {
    LearnedExpectations expectations = learned(ExpectationSettings.defaults());
    for (int i = 0; i < 200; i++) {
      order(expectations, 4_000 + (i % 10) * 100); // 4.0 .. 4.9 s
    }
    long deadline = loyaltyDeadline(expectations);
    assertThat(deadline).as("3 x ~4.9 s, to within a histogram bucket").isBetween(13_000L, 16_500L);
    order(expectations, 120_000);
    assertThat(loyaltyDeadline(expectations)).isCloseTo(deadline, Percentage.withPercentage(1));
  }

  @Test
  void outageDoesNotMoveTheDeadline() {
    LearnedExpectations expectations = learned(ExpectationSettings.defaults());
    for (int i = 0; i < 100; i++) {
      order(expectations, 4_000 + (i % 10) * 100);
    }
    long deadline = loyaltyDeadline(expectations);
    for (int i = 0; i < 3_600; i++) {
      order(expectations, -1);
    }
    assertThat(loyaltyDeadline(expectations)).isCloseTo(deadline, Percentage.withPercentage(1));
  }

  @Test
  void deadlineOfAConsumerThatBecameFiveTimesSlowerGrowsByAtMostHalfAgainPerHour() {
    LearnedExpectations expectations = learned(ExpectationSettings.defaults());
    for (int i = 0; i < 100; i++) {
      order(expectations, 4_000);
    }
    long before = loyaltyDeadline(expectations);
    long slowFrom = now;
    while (now - slowFrom < Duration.ofHours(1).toMillis()) {
      order(expectations, 20_000);
    }
    long afterAnHour = loyaltyDeadline(expectations);
    assertThat((double) afterAnHour / before).isBetween(1.45, 1.5);
    assertThat(afterAnHour).as("still short of the new 20 s").isLessThan(20_000);
    while (now - slowFrom < ExpectationSettings.defaults().slowdownHorizon(5).plusMinutes(5).toMillis()) {
      order(expectations, 20_000);
    }
    assertThat(loyaltyDeadline(expectations)).as("the new pace is normal after the documented horizon")
        .isGreaterThan(20_000);
  }

  @Test
  void eventNamesBeyondTheCapAreCountedAndStaleOnesAreSweptOutToMakeRoom() {
    LearnedExpectations expectations = learned(ExpectationSettings.defaults().withCaps(3, 100));
    for (int i = 0; i < 5; i++) {
      expectations.learn(new Observations(List.of(new Observations.EventSeen("junk-" + i, now, List.of())), List.of()),
          now);
    }
    assertThat(counters.get("expectations.keys_over_cap")).isEqualTo(2);
    // Hours later, with only one name still busy, the junk has less than one event's weight left and is swept.
    now += Duration.ofHours(3).toMillis();
    for (int i = 0; i < 64; i++) {
      expectations.learn(new Observations(List.of(new Observations.EventSeen("junk-0", now, List.of())), List.of()),
          now);
    }
    assertThat(counters.get("expectations.keys_swept")).isEqualTo(2);
    for (int i = 0; i < 11; i++) {
      order(expectations, 120);
    }
    assertThat(loyaltyExpected(expectations)).isTrue();
  }

  @Test
  void consumersBeyondTheCapPerEventNameAreCountedAndNotLearned() {
    LearnedExpectations expectations = learned(ExpectationSettings.defaults().withCaps(100, 2));
    for (int i = 0; i < 20; i++) {
      order(expectations, 120);
    }
    now += EVERY;
    expectations.learn(new Observations(List.of(new Observations.EventSeen(ORDER_CREATED, now,
        List.of(new Observations.Handled("analytics", null, 10)))), List.of()), now);
    assertThat(counters.get("expectations.consumers_over_cap")).isEqualTo(1);
    assertThat(store.get("event:" + ORDER_CREATED).getConsumers()).containsOnlyKeys("inventory", "loyalty");
  }

  @Test
  void recordWrittenByAReleaseBeforeTheHistogramKeepsItsConsumerExpectedAndItsDeadline() {
    ConsumerStats old = ConsumerStats.newBuilder().setHandled(40).setMissedBefore(2).setLastHandledMs(now)
        .setLatencyMeanMs(3_000).setLatencyVarMs2(250_000).setConsumerGroup("loyalty").build();
    store.put("event:" + ORDER_CREATED, ExpectationStats.newBuilder().setObservations(42).setLastObservedMs(now)
        .setConsumers(Map.of("loyalty", old)).build());
    LearnedExpectations expectations = learned(ExpectationSettings.defaults());

    assertThat(loyaltyExpected(expectations)).isTrue();
    assertThat(loyaltyDeadline(expectations)).as("3 x (mean + 3 sd) = 3 x 4.5 s, within a bucket")
        .isBetween(12_000L, 15_000L);
    order(expectations, -1);
    assertThat(loyaltyExpected(expectations)).as("and it stays expected from then on").isTrue();
    assertThat(store.get("event:" + ORDER_CREATED).getConsumers().get("loyalty").getExpectedSinceMs()).isPositive();
  }

  @Test
  void calleeOfACallingSpanStaysExpectedThroughAnOutageOfTheCallee() {
    LearnedExpectations expectations = learned(ExpectationSettings.defaults());
    for (int i = 0; i < 20; i++) {
      now += EVERY;
      expectations.learn(new Observations(List.of(), List.of(new Observations.CallSeen("order", "GET /stock", true))),
          now);
    }
    for (int i = 0; i < 500; i++) {
      now += EVERY;
      expectations.learn(new Observations(List.of(), List.of(new Observations.CallSeen("order", "GET /stock", false))),
          now);
      assertThat(expectations.calleeExpected("order", "GET /stock", now)).isTrue();
    }
  }
}
