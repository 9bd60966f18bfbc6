package io.tracestitch.topology.alert;

import static io.tracestitch.testing.Orders.Outcome.FAIL;
import static io.tracestitch.testing.Orders.Outcome.NONE;
import static io.tracestitch.testing.Orders.Outcome.OK;
import static io.tracestitch.testing.Orders.Outcome.RETRY_THEN_OK;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.Alert;
import io.tracestitch.avro.AlertAction;
import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.Severity;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.avro.WorkflowStatus;
import io.tracestitch.replay.ReplayDriver;
import io.tracestitch.testing.Checkout;
import io.tracestitch.testing.Graphs;
import io.tracestitch.testing.Orders;
import io.tracestitch.testing.TimedInput;
import io.tracestitch.topology.StitchSettings;
import io.tracestitch.topology.expect.Contracts;
import io.tracestitch.topology.ReadToEnd;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the on-call engineer sees: one page per problem, specific, and quiet when nothing is wrong. */
class AlertScenariosTest {
  static final long T = Checkout.T0;
  static final long EVERY = 2_000;
  static final StitchSettings SETTINGS = StitchSettings.defaults().withEventTopics(List.of(Orders.ORDER_CREATED));

  @Test
  void consumerThatStopsHandlingAnEventItUsedToHandlePagesOnceAndResolvesWhenItRecovers() {
    try (ReplayDriver driver = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(T))) {
      int n = 0;
      for (; n < 30; n++) {
        feed(driver, Orders.order(n, T + n * EVERY).consumer("inventory", OK).consumer("loyalty", OK));
      }
      for (; n < 50; n++) {
        feed(driver, Orders.order(n, T + n * EVERY).consumer("inventory", OK).consumer("loyalty", NONE));
      }
      driver.advanceBy(Duration.ofSeconds(60));
      List<Alert> during = driver.alerts();
      // Healthy again, and for longer than the resolve period (5 min): a healthy branch alone resolves nothing.
      for (; n < 240; n++) {
        feed(driver, Orders.order(n, T + 200_000 + n * EVERY).consumer("inventory", OK).consumer("loyalty", OK));
      }
      driver.advanceBy(Duration.ofSeconds(60));
      List<Alert> alerts = driver.alerts();

      assertThat(alerts).extracting(Alert::getDedupKey).containsOnly("tracestitch/stalled_branch/loyalty/order.created");
      Alert first = alerts.get(0);
      assertThat(first.getAction()).isEqualTo(AlertAction.TRIGGER);
      assertThat(first.getKind()).isEqualTo(AlertKind.STALLED_BRANCH);
      assertThat(first.getConsumer()).isEqualTo("loyalty");
      assertThat(first.getEventName()).isEqualTo("order.created");
      assertThat(first.getSeverity()).isEqualTo(Severity.error);
      assertThat(first.getSummary()).contains("loyalty has not handled order.created");
      assertThat(first.getLabels()).containsEntry("alertname", "TracestitchStalledBranch")
          .doesNotContainKeys("workflow_id", "trace_id");
      assertThat(first.getCustomDetails()).containsKeys("sample_trace_ids", "sample_correlation_ids", "waited_ms");
      assertThat(during).extracting(Alert::getAction).containsOnly(AlertAction.TRIGGER);
      assertThat(during.get(during.size() - 1).getSequence()).isEqualTo(during.size());
      assertResentNoMoreOftenThanOncePerMinute(alerts);
      Alert resolve = alerts.get(alerts.size() - 1);
      assertThat(resolve.getAction()).as("loyalty handled order.created again").isEqualTo(AlertAction.RESOLVE);
      assertThat(resolve.getCount()).as("every stalled workflow counted").isEqualTo(20);
      assertThat(resolve.getEndsAtMs()).as("5 min after the last stalled workflow was decided")
          .isNotNull().isBetween(resolve.getLastSeenMs() + 300_000, resolve.getLastSeenMs() + 330_000);
      assertThat(resolve.getSummary()).contains("resolved: no new occurrence for 5 min, healthy branches seen since");
    }
  }

  @Test
  void theSameStallInTwoHundredWorkflowsIsOneAlertWithCountTwoHundred() {
    try (ReplayDriver driver = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(T))) {
      int n = 0;
      for (; n < 15; n++) {
        feed(driver, Orders.order(n, T + n * EVERY).consumer("inventory", OK).consumer("loyalty", OK));
      }
      for (; n < 215; n++) {
        feed(driver, Orders.order(n, T + n * 500L).consumer("inventory", OK).consumer("loyalty", NONE));
      }
      driver.finish();
      List<Alert> alerts = driver.alerts();

      assertThat(alerts).extracting(Alert::getDedupKey).containsOnly("tracestitch/stalled_branch/loyalty/order.created");
      assertResentNoMoreOftenThanOncePerMinute(alerts);
      Alert resolve = alerts.get(alerts.size() - 1);
      assertThat(resolve.getAction()).isEqualTo(AlertAction.RESOLVE);
      assertThat(resolve.getCount()).isEqualTo(200);
      assertThat(resolve.getSampleWorkflowIds()).hasSize(5).allMatch(id -> id.startsWith("order-"));
    }
  }

  @Test
  void consumerThatFailsWhileTheRootSucceedsIsASilentFailure() {
    try (ReplayDriver driver = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(T))) {
      feed(driver, Orders.order(1, T).consumer("inventory", OK).consumer("analytics", FAIL));
      driver.finish();

      List<Alert> alerts = driver.alerts();
      assertThat(alerts).extracting(Alert::getDedupKey).containsOnly("tracestitch/silent_failure/analytics/order.created");
      Alert alert = alerts.get(0);
      assertThat(alert.getAction()).isEqualTo(AlertAction.TRIGGER);
      assertThat(alert.getSequence()).isEqualTo(1);
      // Re-sent while firing, once a minute, then resolved after the quiet period with no new failure.
      for (int i = 1; i < alerts.size() - 1; i++) {
        assertThat(alerts.get(i).getAction()).isEqualTo(AlertAction.TRIGGER);
      }
      assertThat(alerts.get(alerts.size() - 1).getAction()).isEqualTo(AlertAction.RESOLVE);
      assertThat(alerts.size()).isBetween(14, 18);
      assertThat(alert.getSummary()).contains("analytics failed handling order.created")
          .contains("root reported success");
      assertThat(alert.getCustomDetails().get("detail")).contains("analytics is down");
      WorkflowGraph graph = driver.graphs().get(0);
      assertThat(graph.getFindings()).extracting(f -> f.getKind().name())
          .containsExactly(AlertKind.SILENT_FAILURE.name());
    }
  }

  @Test
  void retryThatEventuallySucceedsPagesNobody() {
    try (ReplayDriver driver = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(T))) {
      for (int n = 0; n < 20; n++) {
        feed(driver, Orders.order(n, T + n * EVERY).consumer("payment", RETRY_THEN_OK).consumer("loyalty", OK));
      }
      driver.finish();

      assertThat(driver.alerts()).isEmpty();
      assertThat(Graphs.branch(driver.graphs().get(19), "payment", "order.created").getAttempts()).isEqualTo(2);
      assertThat(driver.graphs().get(19).getFindings()).isEmpty();
    }
  }

  @Test
  void eventThatNobodyConsumesIsOneUnconsumedEventAlert() {
    StitchSettings settings = SETTINGS.withContracts(Contracts.of(List.of(new Contracts.Contract(Orders.ORDER_CREATED,
        List.of(new Contracts.Consumer("loyalty", Duration.ofSeconds(5)),
            new Contracts.Consumer("inventory", Duration.ofSeconds(5))))), Set.of()));
    try (ReplayDriver driver = new ReplayDriver(settings, Instant.ofEpochMilli(T))) {
      feed(driver, Orders.order(1, T));
      driver.finish();

      Alert alert = driver.alerts().get(0);
      assertThat(alert.getKind()).isEqualTo(AlertKind.UNCONSUMED_EVENT);
      assertThat(alert.getSeverity()).as("a declared contract").isEqualTo(Severity.critical);
      assertThat(alert.getService()).isEqualTo("order");
      assertThat(alert.getDedupKey()).isEqualTo("tracestitch/unconsumed_event/order/order.created");
      assertThat(driver.alerts()).extracting(Alert::getKind).containsOnly(AlertKind.UNCONSUMED_EVENT);
      assertThat(driver.graphs().get(0).getBranches()).extracting(b -> b.getConsumer() + ":" + b.getState())
          .containsExactly("inventory:PENDING", "loyalty:PENDING");
      assertThat(driver.graphs().get(0).getStatus()).isEqualTo(WorkflowStatus.INCOMPLETE);
    }
  }

  @Test
  void declaredDeadlineIsWaitedForAndAMissedOneIsACriticalStall() {
    StitchSettings settings = SETTINGS.withContracts(Contracts.of(List.of(new Contracts.Contract(Orders.ORDER_CREATED,
        List.of(new Contracts.Consumer("inventory", Duration.ofSeconds(60))))), Set.of()));
    try (ReplayDriver driver = new ReplayDriver(settings, Instant.ofEpochMilli(T))) {
      // Inventory answers after 45 s: later than the 30 s quiet gap, within its 60 s contract.
      feed(driver, Orders.order(1, T).late("inventory", 45_000));
      // Here it never answers.
      feed(driver, Orders.order(2, T + 5_000).consumer("inventory", NONE));
      driver.advanceBy(Duration.ofSeconds(120));

      WorkflowGraph onTime = driver.graphs().stream().filter(g -> g.getWorkflowId().equals("order-1")).findFirst()
          .orElseThrow();
      assertThat(onTime.getRevision()).as("published once, after the late consumer").isEqualTo(1);
      assertThat(Graphs.branch(onTime, "inventory", "order.created").getState()).isEqualTo(BranchState.SUCCEEDED);
      assertThat(Graphs.branch(onTime, "inventory", "order.created").getExpected()).isTrue();
      WorkflowGraph stalled = driver.graphs().stream().filter(g -> g.getWorkflowId().equals("order-2")).findFirst()
          .orElseThrow();
      assertThat(Graphs.branch(stalled, "inventory", "order.created").getState()).isEqualTo(BranchState.PENDING);
      assertThat(Graphs.branch(stalled, "inventory", "order.created").getDeadlineMs()).isEqualTo(T + 5_060 + 60_000);
      assertThat(stalled.getPublishedAtMs()).isGreaterThanOrEqualTo(T + 5_060 + 60_000);

      Alert alert = driver.alerts().get(0);
      assertThat(alert.getKind()).isEqualTo(AlertKind.UNCONSUMED_EVENT);
      assertThat(alert.getSeverity()).isEqualTo(Severity.critical);
      assertThat(alert.getSampleWorkflowIds()).containsExactly("order-2");
    }
  }

  @Test
  void backlogReplayedHoursLaterCountsOldStallsButPagesNobody() {
    try (ReplayDriver driver = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(T + 3 * 3_600_000))) {
      for (int n = 0; n < 15; n++) {
        feed(driver, Orders.order(n, T + n * EVERY).consumer("inventory", OK).consumer("loyalty", OK));
      }
      for (int n = 15; n < 30; n++) {
        feed(driver, Orders.order(n, T + n * EVERY).consumer("inventory", OK).consumer("loyalty", NONE));
      }
      driver.finish();

      assertThat(driver.graphs()).hasSize(30);
      assertThat(driver.graphs().get(29).getFindings()).extracting(f -> f.getKind().name())
          .containsExactly(AlertKind.STALLED_BRANCH.name());
      assertThat(driver.alerts()).as("three-hour-old stalls are history, not a page").isEmpty();
      assertThat(driver.counters().get("alerts.suppressed_catching_up")).isEqualTo(15);
    }
  }

  @Test
  void processorCutOffFromItsInputLongerThanADeadlinePagesNothingForWhatTheBacklogAnswers() {
    try (CutOffProcessor processor = new CutOffProcessor(contractOf60s())) {
      // Inventory answers 20 s after the order, within its 60 s contract; the processor has read the order only.
      processor.feedUpTo(Orders.order(1, T).late("inventory", 20_000), T + 1_000);
      processor.cutFor(Duration.ofSeconds(100));
      processor.backAndReadTheBacklog();
      processor.driver.advanceBy(Duration.ofSeconds(120));

      WorkflowGraph first = processor.driver.graphs().get(0);
      assertThat(Graphs.branch(first, "inventory", "order.created").getState())
          .as("the answer waited in the backlog").isEqualTo(BranchState.SUCCEEDED);
      assertThat(processor.driver.alerts()).as("a cut of 100 s is not 100 s of quiet").isEmpty();
    }
  }

  @Test
  void processorCutOffFromItsInputStillPagesTheDeadlineItsBacklogDoesNotAnswer() {
    try (CutOffProcessor processor = new CutOffProcessor(contractOf60s())) {
      processor.feedUpTo(Orders.order(1, T).consumer("inventory", NONE), T + 1_000);
      processor.cutFor(Duration.ofSeconds(100));
      processor.backAndReadTheBacklog();
      processor.driver.advanceBy(Duration.ofSeconds(120));

      assertThat(Graphs.branch(processor.driver.graphs().get(0), "inventory", "order.created").getState())
          .isEqualTo(BranchState.PENDING);
      assertThat(processor.driver.alerts()).extracting(Alert::getKind).contains(AlertKind.UNCONSUMED_EVENT);
    }
  }

  private static StitchSettings contractOf60s() {
    return SETTINGS.withContracts(Contracts.of(List.of(new Contracts.Contract(Orders.ORDER_CREATED,
        List.of(new Contracts.Consumer("inventory", Duration.ofSeconds(60))))), Set.of()));
  }

  /**
   * A processor whose source partitions are confirmed read to their end at every moment except while it is cut
   * off: then nothing is read and nothing confirmed, and what was written meanwhile waits in the backlog.
   */
  private static final class CutOffProcessor implements AutoCloseable {
    final ReplayDriver driver;
    private final List<TimedInput> backlog = new java.util.ArrayList<>();
    private long cutAt = Long.MAX_VALUE;
    private ReplayDriver self;

    CutOffProcessor(StitchSettings settings) {
      ReadToEnd readToEnd = (topic, partition) -> Math.min(cutAt, self == null ? Long.MIN_VALUE : self.wallMs());
      driver = new ReplayDriver(settings, io.tracestitch.topology.StitchSerdes.avro(), Instant.ofEpochMilli(T),
          List.of(), null, io.tracestitch.topology.alert.ConsumerOffsets.NONE, readToEnd);
      self = driver;
    }

    /** The order's records stamped up to {@code readUpTo} are read live; the rest is written during the cut. */
    void feedUpTo(Orders order, long readUpTo) {
      for (TimedInput input : order.inputs()) {
        if (input.timestampMs() <= readUpTo) {
          input.pipeInto(driver);
        } else {
          backlog.add(input);
        }
      }
      driver.advanceTo(readUpTo);
    }

    void cutFor(Duration outage) {
      cutAt = driver.wallMs();
      driver.advanceBy(outage);
    }

    void backAndReadTheBacklog() {
      TimedInput.pipeAll(backlog, driver);
      cutAt = Long.MAX_VALUE;
    }

    @Override
    public void close() {
      driver.close();
    }
  }

  /** One TRIGGER, then re-sends with the latest count, never two sends of a lifecycle within a minute. */
  static void assertResentNoMoreOftenThanOncePerMinute(List<Alert> alerts) {
    assertThat(alerts.get(0).getAction()).isEqualTo(AlertAction.TRIGGER);
    assertThat(alerts.stream().filter(a -> a.getSequence() == 1).count()).as("one lifecycle, one first TRIGGER")
        .isEqualTo(1);
    for (int i = 1; i < alerts.size(); i++) {
      assertThat(alerts.get(i).getSequence()).isEqualTo(alerts.get(i - 1).getSequence() + 1);
      if (alerts.get(i).getAction() == AlertAction.TRIGGER) {
        assertThat(alerts.get(i).getLastSeenMs()).isGreaterThanOrEqualTo(alerts.get(i - 1).getLastSeenMs());
      }
    }
  }

  static void feed(ReplayDriver driver, Orders order) {
    TimedInput.pipeAll(order.inputs(), driver);
  }
}
