package io.tracestitch.topology.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.testing.InMemoryStores;
import io.tracestitch.avro.Alert;
import io.tracestitch.avro.AlertAction;
import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.internal.AlertState;
import io.tracestitch.avro.internal.FindingAction;
import io.tracestitch.avro.internal.FindingMessage;
import io.tracestitch.topology.ReadToEnd;
import io.tracestitch.topology.StitchCounters;
import io.tracestitch.topology.StitchSerdes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/** The alert lifecycle on a real in-memory store: when a page opens, stays open, resolves, and what it says. */
class AlertProcessorTest {
  static final long T = 1_767_225_600_000L;
  static final String KEY = "tracestitch/stalled_branch/loyalty/order.created";

  final StitchCounters counters = new StitchCounters();
  final MockProcessorContext<String, Alert> context = new MockProcessorContext<>();
  final AtomicReference<GroupPositions> offsets = new AtomicReference<>(GroupPositions.pending());
  long now = T;
  long offset;
  long nextPunctuation;

  AlertProcessor processor(AlertSettings settings) {
    return processor(settings, ReadToEnd.NOT_WATCHED_ANYWHERE);
  }

  AlertProcessor processor(AlertSettings settings, ReadToEnd readToEnd) {
    KeyValueStore<String, AlertState> store = InMemoryStores.open(context, AlertProcessor.STORE,
        StitchSerdes.avro().alertState());
    context.addStateStore(store);
    context.setCurrentSystemTimeMs(T);
    context.setCurrentStreamTimeMs(-1);
    AlertProcessor processor = new AlertProcessor(settings, (group, topic) -> offsets.get(), counters, readToEnd);
    processor.init(context);
    nextPunctuation = T + interval();
    return processor;
  }

  long interval() {
    return context.scheduledPunctuators().get(0).getInterval().toMillis();
  }

  /** Wall time moves on to {@code t}; the punctuator runs at every interval on the way, as it would live. */
  void advanceTo(long t) {
    while (nextPunctuation <= t) {
      context.setCurrentSystemTimeMs(nextPunctuation);
      context.scheduledPunctuators().get(0).getPunctuator().punctuate(nextPunctuation);
      nextPunctuation += interval();
    }
    now = t;
    context.setCurrentSystemTimeMs(t);
  }

  /** The stitcher decided, {@code seconds} later, that loyalty missed (or handled) an order on {@code partition}. */
  void finding(AlertProcessor processor, double seconds, FindingAction action, int partition) {
    finding(processor, seconds, action, partition, false);
  }

  /**
   * @param spanless loyalty left no span at all for the event (not stuck retrying, not late); its event was
   *     published 31 s before the finding, as every event here
   */
  void finding(AlertProcessor processor, double seconds, FindingAction action, int partition, boolean spanless) {
    advanceTo(now + Math.round(seconds * 1000));
    FindingMessage f = FindingMessage.newBuilder().setDedupKey(KEY).setAction(action).setKind(AlertKind.STALLED_BRANCH)
        .setConsumer("loyalty").setConsumerGroup("loyalty").setEventName("order.created")
        .setWorkflowId("order-" + offset).setTopic("order.created").setPartition(partition).setOffset(1000 + offset++)
        .setWaitedMs(31_000L).setDetail("loyalty has not handled order.created").setAtMs(now)
        .setEventPublishedMs(now - 31_000L).setNoConsumerSpan(spanless && action == FindingAction.OCCURRED).build();
    context.setRecordMetadata("tracestitch-findings", 0, offset);
    processor.process(new Record<>(KEY, f, now));
  }

  /** loyalty left no span for an order on partition 2. */
  void spanless(AlertProcessor processor, double seconds) {
    finding(processor, seconds, FindingAction.OCCURRED, 2, true);
  }

  /** loyalty's group has committed every offset up to {@code committed} on partition 2, as read now. */
  void groupAt(long committed) {
    offsets.set(new GroupPositions(GroupPositions.Status.READY, Map.of(
        2, new GroupPositions.Position(committed, committed, 0, 3)), now, null));
  }

  List<Alert> sent(AlertKind kind) {
    return sent().stream().filter(a -> a.getKind() == kind).toList();
  }

  void missed(AlertProcessor processor, double seconds) {
    finding(processor, seconds, FindingAction.OCCURRED, 2);
  }

  void healthy(AlertProcessor processor, double seconds, int partition) {
    finding(processor, seconds, FindingAction.CLEARED, partition);
  }

  /** Wall time passes with nothing arriving. */
  void quiet(Duration d) {
    advanceTo(now + d.toMillis());
  }

  List<Alert> sent() {
    return context.forwarded().stream().map(f -> (Alert) f.record().value()).toList();
  }

  @Test
  void firstOccurrenceTriggersAtOnceAndOneHealthyBranchResolvesNothing() {
    AlertProcessor p = processor(AlertSettings.defaults());
    missed(p, 0);
    assertThat(sent()).singleElement().extracting(Alert::getAction).isEqualTo(AlertAction.TRIGGER);
    healthy(p, 1, 0);
    quiet(Duration.ofMinutes(4));
    assertThat(sent()).extracting(Alert::getAction).containsOnly(AlertAction.TRIGGER);
  }

  @Test
  void resolvesOnceNoOccurrenceCameForTheResolvePeriodAndHealthyBranchesWereSeenInIt() {
    AlertProcessor p = processor(AlertSettings.defaults());
    for (int i = 0; i < 10; i++) {
      missed(p, 2);
    }
    long last = now;
    for (int i = 0; i < 200; i++) {
      healthy(p, 2, i % 3);
    }
    quiet(Duration.ofSeconds(30));
    Alert resolve = sent().get(sent().size() - 1);
    assertThat(resolve.getAction()).isEqualTo(AlertAction.RESOLVE);
    assertThat(resolve.getEndsAtMs()).isBetween(last + 300_000, last + 300_000 + 15_000);
    assertThat(resolve.getCount()).isEqualTo(10);
    assertThat(resolve.getCustomDetails().get("resolution")).isEqualTo("no new occurrence for 5 min, healthy branches "
        + "seen since");
  }

  @Test
  void alertStageCutOffFromTheBrokerLongerThanTheResolvePeriodResolvesNothingWhileItsNextOccurrenceWaitsUnread() {
    long[] cutAt = {Long.MAX_VALUE};
    AlertProcessor p = processor(AlertSettings.defaults(), (topic, partition) -> Math.min(cutAt[0],
        context.currentSystemTimeMs()));
    for (int i = 0; i < 5; i++) {
      missed(p, 2);
      healthy(p, 1, 0);
    }
    // Cut off for ten minutes: the problem goes on, its findings wait in the topic.
    cutAt[0] = now;
    quiet(Duration.ofMinutes(10));
    assertThat(sent()).as("ten minutes unread are not ten minutes without an occurrence")
        .extracting(Alert::getAction).doesNotContain(AlertAction.RESOLVE);
    // Back: the backlog holds the next occurrence, decided a minute into the cut.
    cutAt[0] = Long.MAX_VALUE;
    missed(p, 0);
    quiet(Duration.ofMinutes(1));
    assertThat(sent()).extracting(Alert::getAction).doesNotContain(AlertAction.RESOLVE);
    assertThat(sent().get(sent().size() - 1).getCount()).isEqualTo(6);
  }

  @Test
  void problemThatPausesAndReturnsWithinTheResolvePeriodIsTheSamePageAndItsCountGrows() {
    AlertProcessor p = processor(AlertSettings.defaults());
    for (int i = 0; i < 30; i++) {
      missed(p, 2);
    }
    for (int i = 0; i < 40; i++) {
      healthy(p, 2, 0);
    }
    for (int i = 0; i < 20; i++) {
      missed(p, 2);
    }
    quiet(Duration.ofSeconds(30));
    assertThat(sent()).extracting(Alert::getAction).containsOnly(AlertAction.TRIGGER);
    assertThat(sent().stream().filter(a -> a.getSequence() == 1)).hasSize(1);
    assertThat(sent().get(sent().size() - 1).getCount()).isEqualTo(50);
  }

  @Test
  void problemThatComesAndGoesNeedsTwiceItsLongestGapWithoutAnOccurrence() {
    AlertProcessor p = processor(AlertSettings.defaults());
    missed(p, 0);
    missed(p, 240); // four minutes apart: inside the resolve period, the same page
    long last = now;
    for (int i = 0; i < 200; i++) {
      healthy(p, 2, 0);
    }
    assertThat(sent()).extracting(Alert::getAction).as("6 min 40 s without one is not enough: 2 x 4 min are needed")
        .containsOnly(AlertAction.TRIGGER);
    quiet(Duration.ofMinutes(2));
    Alert resolve = sent().get(sent().size() - 1);
    assertThat(resolve.getAction()).isEqualTo(AlertAction.RESOLVE);
    assertThat(resolve.getEndsAtMs()).isBetween(last + 480_000, last + 480_000 + 15_000);
  }

  @Test
  void alertThatHearsNothingAtAllResolvesAfterTheQuietPeriodAndSaysThereWasNothingToJudgeBy() {
    AlertProcessor p = processor(AlertSettings.defaults());
    missed(p, 0);
    long last = now;
    quiet(Duration.ofMinutes(16));
    Alert resolve = sent().get(sent().size() - 1);
    assertThat(resolve.getAction()).isEqualTo(AlertAction.RESOLVE);
    assertThat(resolve.getEndsAtMs()).isBetween(last + 900_000, last + 900_000 + 15_000);
    assertThat(resolve.getSummary()).contains("no healthy branch to judge by");
  }

  @Test
  void firingAlertIsResentEveryMinuteNeverMoreOften() {
    AlertProcessor p = processor(AlertSettings.defaults());
    for (int i = 0; i < 300; i++) {
      missed(p, 1);
    }
    List<Alert> sent = sent();
    assertThat(sent).hasSizeBetween(5, 6);
    for (int i = 1; i < sent.size(); i++) {
      assertThat(context.forwarded().get(i).record().timestamp() - context.forwarded().get(i - 1).record().timestamp())
          .isGreaterThanOrEqualTo(60_000);
      assertThat(sent.get(i).getSequence()).isEqualTo(i + 1);
    }
  }

  @Test
  void stalledBranchNamesItsOnlyAffectedPartitionAndWhereTheGroupStandsThere() {
    AlertProcessor p = processor(AlertSettings.defaults());
    for (int i = 0; i < 6; i++) {
      healthy(p, 1, 0);
      healthy(p, 1, 1);
      missed(p, 1);
    }
    offsets.set(new GroupPositions(GroupPositions.Status.READY, Map.of(
        0, new GroupPositions.Position(5_120, 5_121, 0, 4),
        1, new GroupPositions.Position(4_980, 4_980, 0, 4),
        2, new GroupPositions.Position(1_000, 1_057, 180_000, 4)), now, null));
    quiet(Duration.ofMinutes(1));

    Alert first = sent().get(0);
    assertThat(first.getCustomDetails()).containsEntry("offset_check", "pending: being read, shown from the next re-send");
    Alert resent = sent().get(sent().size() - 1);
    assertThat(resent.getSequence()).isGreaterThan(1);
    assertThat(resent.getSummary())
        .contains("order.created-2 only (6 workflows, offsets 1002-1017; healthy: order.created-0 and order.created-1)")
        .contains("loyalty's committed offset on order.created-2 stuck at 1000 for 3 min (lag 57) while "
            + "order.created-0 and order.created-1 advance");
    assertThat(resent.getCustomDetails()).containsEntry("affected_partitions", "order.created-2:6")
        .containsEntry("healthy_partitions", "order.created-0,order.created-1").containsEntry("offset_check", "ready");
  }

  @Test
  void groupThatCommittedPastTheAffectedEventsDroppedThemSilently() {
    AlertProcessor p = processor(AlertSettings.defaults());
    offsets.set(new GroupPositions(GroupPositions.Status.READY, Map.of(
        2, new GroupPositions.Position(1_500, 1_500, 0, 3)), now, null));
    missed(p, 0);
    assertThat(sent().get(0).getCustomDetails().get("offset_diagnosis"))
        .isEqualTo("loyalty's committed offset on order.created-2 is 1500, past the affected events (up to offset 1000), "
            + "with no span of handling them: dropped silently or not instrumented");
  }

  @Test
  void unreachableAdminApiLeavesTheDiagnosisOutAndSaysWhy() {
    AlertProcessor p = processor(AlertSettings.defaults());
    offsets.set(GroupPositions.unavailable("describing topic order.created: the Admin API did not answer within 5000 ms",
        now));
    missed(p, 0);
    Alert alert = sent().get(0);
    assertThat(alert.getSummary()).contains("consumer-group offsets unavailable (describing topic order.created: the "
        + "Admin API did not answer within 5000 ms)");
    assertThat(alert.getCustomDetails().get("offset_check")).startsWith("unavailable: ");
  }

  @Test
  void everyThirdEventMissedOnEveryPartitionIsAShareOfTheEventsNotAPartition() {
    AlertProcessor p = processor(AlertSettings.defaults());
    for (int i = 0; i < 9; i++) {
      finding(p, 1, i % 3 == 0 ? FindingAction.OCCURRED : FindingAction.CLEARED, i % 3);
      finding(p, 1, i % 3 == 1 ? FindingAction.OCCURRED : FindingAction.CLEARED, (i + 1) % 3);
    }
    quiet(Duration.ofMinutes(1));
    assertThat(sent().get(sent().size() - 1).getSummary()).contains("each with healthy branches too: a share of the "
        + "events, not a whole partition");
  }

  @Test
  void newGroupBeyondTheCapIsCountedAndNotPaged() {
    AlertProcessor p = processor(AlertSettings.defaults().withMaxGroups(1));
    missed(p, 0);
    FindingMessage other = FindingMessage.newBuilder().setDedupKey("tracestitch/stalled_branch/payment/order.created")
        .setAction(FindingAction.OCCURRED).setKind(AlertKind.STALLED_BRANCH).setConsumer("payment")
        .setEventName("order.created").setAtMs(now).build();
    p.process(new Record<>(other.getDedupKey(), other, now));
    assertThat(sent()).extracting(Alert::getDedupKey).containsExactly(KEY);
    assertThat(counters.get("alerts.suppressed_group_cap")).isEqualTo(1);
  }

  // A stall loyalty left no span for: a stall, or loyalty's telemetry lost. Its group's offsets and its later
  // branches tell which (AlertProcessor's verdict).

  @Test
  void consumerWhoseSpansStoppedWhileItsGroupCommitsPastRaisesOneTelemetryWarningAndNoStallPage() {
    AlertProcessor p = processor(AlertSettings.defaults());
    groupAt(10_000);
    long first = now;
    for (int i = 0; i < 90; i++) {
      spanless(p, 2);
    }
    quiet(Duration.ofSeconds(30));

    assertThat(sent(AlertKind.STALLED_BRANCH)).as("a consumer that goes on working is not paged as stalled").isEmpty();
    Alert warning = sent(AlertKind.TELEMETRY_MISSING).get(0);
    assertThat(warning.getAction()).isEqualTo(AlertAction.TRIGGER);
    assertThat(warning.getSeverity()).isEqualTo(io.tracestitch.avro.Severity.warning);
    assertThat(warning.getDedupKey()).isEqualTo("tracestitch/telemetry_missing/loyalty/order.created");
    assertThat(warning.getSummary()).startsWith("loyalty's spans stopped while its consumer group loyalty kept "
        + "committing past order.created in ");
    assertThat(warning.getCustomDetails().get("offset_diagnosis")).contains("past the affected events");
    long waited = context.forwarded().get(0).record().timestamp() - first;
    assertThat(waited).as("held for the hold, then no longer than a check interval").isBetween(120_000L,
        120_000L + interval());
    assertThat(sent(AlertKind.TELEMETRY_MISSING)).as("one lifecycle: the first send and its re-sends")
        .extracting(Alert::getSequence).doesNotHaveDuplicates();
    assertThat(sent().get(sent().size() - 1).getCount()).isEqualTo(90);
    assertThat(counters.get("alerts.suppressed_telemetry_missing")).isEqualTo(90);
  }

  @Test
  void aLaterEventsHealthyBranchDecidedBeforeTheSpanlessStallStillMakesItAStall() {
    // The usual order live: loyalty drops one order; its next orders, handled with spans, are published after
    // their quiet gap, before the dropped one's (longer) deadline comes and its stall is decided.
    AlertProcessor p = processor(AlertSettings.defaults());
    groupAt(10_000);
    advanceTo(now + 1_000);
    FindingMessage later = FindingMessage.newBuilder().setDedupKey(KEY).setAction(FindingAction.CLEARED)
        .setKind(AlertKind.STALLED_BRANCH).setConsumer("loyalty").setEventName("order.created").setTopic("order.created")
        .setPartition(2).setOffset(1_500L).setEventPublishedMs(now - 1_000).setAtMs(now).build();
    p.process(new Record<>(KEY, later, now));
    spanless(p, 2); // published 31 s before now: before the healthy one
    assertThat(sent()).singleElement().extracting(Alert::getKind).isEqualTo(AlertKind.STALLED_BRANCH);
  }

  @Test
  void healthyBranchesOfEventsPublishedBeforeTheFirstSpanlessOneSayNothingAboutItsTelemetry() {
    AlertProcessor p = processor(AlertSettings.defaults());
    groupAt(10_000);
    spanless(p, 0);
    // Decided later, but about events published before the spanless one (their quiet gap ended later).
    for (int i = 0; i < 5; i++) {
      advanceTo(now + 1_000);
      FindingMessage earlier = FindingMessage.newBuilder().setDedupKey(KEY).setAction(FindingAction.CLEARED)
          .setKind(AlertKind.STALLED_BRANCH).setConsumer("loyalty").setEventName("order.created").setTopic("order.created")
          .setPartition(2).setOffset(900L + i).setEventPublishedMs(now - 60_000).setAtMs(now).build();
      p.process(new Record<>(KEY, earlier, now));
    }
    quiet(Duration.ofMinutes(3));
    assertThat(sent()).extracting(Alert::getKind).containsOnly(AlertKind.TELEMETRY_MISSING);
  }

  @Test
  void spanlessStallPagesAsAStallAsSoonAsALaterEventOfTheConsumerArrivesWithItsSpans() {
    AlertProcessor p = processor(AlertSettings.defaults());
    groupAt(10_000); // past the event: loyalty read it and, it turns out, dropped it silently
    spanless(p, 0);
    assertThat(sent()).as("held while the witnesses come in").isEmpty();
    healthy(p, 5, 2); // a branch of an order published after the spanless one: loyalty's spans do arrive
    long healthyAt = now;
    quiet(Duration.ofMinutes(3));

    assertThat(sent(AlertKind.TELEMETRY_MISSING)).isEmpty();
    Alert page = sent(AlertKind.STALLED_BRANCH).get(0);
    assertThat(page.getAction()).isEqualTo(AlertAction.TRIGGER);
    assertThat(context.forwarded().get(0).record().timestamp() - healthyAt).isLessThanOrEqualTo(interval());
    assertThat(page.getCustomDetails().get("offset_diagnosis")).contains("dropped silently or not instrumented");
  }

  @Test
  void spanlessStallPagesOnceTheGroupIsReadNotToHaveGotPastTheEvent() {
    AlertProcessor p = processor(AlertSettings.defaults());
    offsets.set(GroupPositions.pending());
    spanless(p, 0);
    long missedAt = now;
    quiet(Duration.ofSeconds(5));
    groupAt(1_000); // the group's committed offset is the event's own: it has not got past it (a dead consumer)
    quiet(Duration.ofSeconds(40));

    assertThat(sent()).extracting(Alert::getKind).containsOnly(AlertKind.STALLED_BRANCH);
    assertThat(context.forwarded().get(0).record().timestamp() - missedAt).as("paged at the next check, not after "
        + "the hold").isLessThanOrEqualTo(5_000 + interval());
  }

  @Test
  void spanlessStallPagesAtOnceWhenThereIsNoOffsetToAskAndAtTheEndOfTheHoldWhenTheyAreNeverRead() {
    AlertProcessor p = processor(AlertSettings.defaults());
    offsets.set(GroupPositions.notChecked("there is no Kafka cluster to ask (offline replay)"));
    spanless(p, 0);
    assertThat(sent()).singleElement().extracting(Alert::getKind).isEqualTo(AlertKind.STALLED_BRANCH);

    AlertProcessorTest other = new AlertProcessorTest();
    AlertProcessor q = other.processor(AlertSettings.defaults());
    other.spanless(q, 0);
    other.quiet(Duration.ofSeconds(100));
    assertThat(other.sent()).as("offsets still pending: held").isEmpty();
    other.quiet(Duration.ofSeconds(20 + other.interval() / 1000));
    assertThat(other.sent()).singleElement().extracting(Alert::getKind).isEqualTo(AlertKind.STALLED_BRANCH);
  }

  @Test
  void telemetryWarningResolvesOnceTheConsumersSpansReturn() {
    AlertProcessor p = processor(AlertSettings.defaults());
    groupAt(10_000);
    for (int i = 0; i < 70; i++) {
      spanless(p, 2);
    }
    for (int i = 0; i < 200; i++) {
      healthy(p, 2, 2);
    }
    Alert last = sent().get(sent().size() - 1);
    assertThat(last.getKind()).isEqualTo(AlertKind.TELEMETRY_MISSING);
    assertThat(last.getAction()).isEqualTo(AlertAction.RESOLVE);
    assertThat(last.getCustomDetails().get("resolution")).isEqualTo("no new occurrence for 5 min, healthy branches "
        + "seen since");
    assertThat(sent(AlertKind.STALLED_BRANCH)).isEmpty();
  }

  @Test
  void withTheTelemetryAlertSwitchedOffLostTelemetryIsOnlyCounted() {
    AlertProcessor p = processor(AlertSettings.defaults().withTelemetryHold(Duration.ofMinutes(2), false));
    groupAt(10_000);
    for (int i = 0; i < 90; i++) {
      spanless(p, 2);
    }
    quiet(Duration.ofMinutes(3)); // each is held at most the hold, then counted
    assertThat(sent()).isEmpty();
    assertThat(counters.get("alerts.suppressed_telemetry_missing")).isEqualTo(90);
  }
}
