package io.tracestitch.topology.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.AlertAction;
import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.testing.Graphs;
import io.tracestitch.topology.expect.ExpectationSettings;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The named fault schedules through the real topology, each judged against its ground truth (every problem
 * paged, once; nothing else paged; each page resolved after its problem ended, in time; the workflows a
 * consumer missed show it PENDING), plus what is particular to the scenario.
 */
class FaultScheduleScenariosTest {

  @Test
  void fullOutageIsOnePageCountingEveryMissedOrderResolvedAfterTheConsumerIsBack() {
    FaultRun run = judged(FaultScenarios.fullOutage());

    Page page = run.pages().get(0);
    assertThat(page.subject()).isEqualTo("loyalty");
    assertThat(page.eventName()).isEqualTo(CheckoutTraffic.EVENT);
    assertThat(page.count()).isEqualTo(run.problems().get(0).affected());
    assertThat(page.first().getSummary()).startsWith("loyalty has not handled order.created by its deadline");
    assertThat(page.last().getAction()).isEqualTo(AlertAction.RESOLVE);
    assertThat(page.last().getSummary()).contains("resolved: no new occurrence for").contains("healthy branches seen since");
  }

  @Test
  void secondOutageInsideTheResolvePeriodIsTheSamePageAndItsWorkflowsShowTheBranchPending() {
    FaultRun run = judged(FaultScenarios.repeatOutageInsideTheResolvePeriod());

    assertThat(run.pages()).hasSize(1);
    assertThat(run.pages().get(0).count()).as("30 + 20 stalled orders").isEqualTo(50);
    assertThat(run.verdict().missedMarkedPending()).isEqualTo(50);
  }

  @Test
  void secondOutageAfterARealRecoveryPagesAgain() {
    FaultRun run = judged(FaultScenarios.repeatOutageAfterRecovery());

    assertThat(run.pages()).hasSize(2).allMatch(Page::resolved);
    assertThat(run.pages().get(1).count()).isEqualTo(run.problems().get(1).affected());
  }

  @Test
  void everyThirdOrderMissedIsOnePageThatSaysAShareOfTheEventsIsAffected() {
    FaultRun run = judged(FaultScenarios.everyThirdOrder());

    Page page = run.pages().get(0);
    assertThat(page.count()).isEqualTo(run.problems().get(0).affected());
    assertThat(page.last().getCustomDetails()).containsKey("affected_partitions").containsKey("resolution");
    assertThat(page.last().getSummary()).contains("a share of the events, not a whole partition");
  }

  /** Kafka's test driver has one partition per topic; which partition is named is proven in StuckPartitionIT. */
  @Test
  void onePartitionOfThreeStuckIsOnePage() {
    FaultRun run = judged(FaultScenarios.onePartitionOfThreeStuck());

    assertThat(run.pages()).hasSize(1);
    assertThat(run.pages().get(0).count()).isEqualTo(run.problems().get(0).affected());
  }

  @Test
  void consumerFiveTimesSlowerPagesAsLateForTheBaselineHorizonThenItsPaceIsTheNewNormal() {
    FaultRun run = judged(FaultScenarios.fiveTimesSlower());

    Page page = run.pages().get(0);
    Duration horizon = ExpectationSettings.defaults().slowdownHorizon(5);
    Duration lateFor = Duration.ofMillis(page.last().getLastSeenMs() - page.triggeredAtMs());
    assertThat(horizon).isBetween(Duration.ofMinutes(75), Duration.ofMinutes(76));
    assertThat(lateFor).as("late for at least the documented horizon (%s), then the new normal", horizon)
        .isBetween(horizon, horizon.plusMinutes(45));
    assertThat(page.first().getCustomDetails().get("detail")).contains("after its deadline");
  }

  @Test
  void consumerThatSlowsDownGraduallyPagesOnceItPassesItsDeadline() {
    FaultRun run = judged(FaultScenarios.gradualSlowdown());

    Problem surelyLate = run.problems().get(0);
    Problem perhapsLate = run.allowed().get(0);
    Page page = run.pages().get(0);
    assertThat(page.triggeredAtMs()).as("paged once it is late, within three minutes of the first order surely late")
        .isBetween(perhapsLate.firstMs(), surelyLate.firstMs() + Duration.ofMinutes(3).toMillis());
  }

  @Test
  void retryStormThatSucceedsInsideTheDeadlinePagesNobody() {
    FaultRun run = judged(FaultScenarios.retryStormThatSucceeds());

    assertThat(run.pages()).isEmpty();
    WorkflowGraph during = run.graphs().stream().filter(g -> g.getWorkflowId().equals("order-200")).findFirst()
        .orElseThrow();
    assertThat(Graphs.branch(during, "loyalty", CheckoutTraffic.EVENT).getAttempts()).isEqualTo(5);
    assertThat(Graphs.branch(during, "loyalty", CheckoutTraffic.EVENT).getState()).isEqualTo(BranchState.SUCCEEDED);
  }

  @Test
  void consumerRemovedOnPurposePagesUntilItIsForgottenThenNeverAgain() {
    FaultRun run = judged(FaultScenarios.consumerRemovedOnPurpose());

    assertThat(run.pages()).hasSize(1);
    Page page = run.pages().get(0);
    assertThat(page.resolved()).isTrue();
    assertThat(page.resolvedAtMs()).isGreaterThan(FaultSchedule.at(5 + 30));
  }

  @Test
  void rebalancePausesInsideTheDeadlinePageNobody() {
    assertThat(judged(FaultScenarios.rebalancePauseInsideTheDeadline()).pages()).isEmpty();
  }

  @Test
  void healthyTrafficAtTenOrdersASecondPagesNobody() {
    FaultRun run = judged(FaultScenarios.healthyTrafficAtHighRate());

    assertThat(run.pages()).isEmpty();
    assertThat(run.graphs()).hasSizeGreaterThan(2_000);
  }

  static FaultRun judged(FaultSchedule schedule) {
    FaultRun run = FaultRun.of(schedule);
    assertThat(run.verdict().findings()).as(run.verdict().describe()).isEmpty();
    List<Problem> problems = run.problems();
    assertThat(run.verdict().pagedProblems()).isEqualTo(problems.size());
    return run;
  }
}
