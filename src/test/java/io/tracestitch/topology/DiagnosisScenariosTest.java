package io.tracestitch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.Alert;
import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.GraphFinding;
import io.tracestitch.avro.Severity;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.avro.WorkflowStatus;
import io.tracestitch.replay.ReplayDriver;
import io.tracestitch.testing.FaultyCheckout;
import io.tracestitch.testing.Graphs;
import io.tracestitch.testing.TimedInput;
import io.tracestitch.avro.internal.StepTimes;
import io.tracestitch.topology.graph.DiagnosisSettings;
import io.tracestitch.topology.steps.StepLearning;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The seed's three debugging stories, answered by the graph: where a cascade began, N+1 calls, slow sometimes. */
class DiagnosisScenariosTest {
  static final long T = io.tracestitch.testing.Checkout.T0;
  static final long EVERY = 2_000;
  /** Short gap and retention: these workflows end long before, and replay then has less quiet time to cross. */
  static final StitchSettings SETTINGS = StitchSettings.defaults().withEventTopics(List.of(FaultyCheckout.ORDER_CREATED))
      .withTimes(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofMinutes(1), Duration.ofSeconds(10));

  @Test
  void paymentThatDoesNotAnswerIsTheOriginOfTheCascadeNamedWithTheChainAndTheWait() {
    WorkflowGraph g = single(new FaultyCheckout(1, T).paymentDown(30_000));

    assertThat(g.getStatus()).isEqualTo(WorkflowStatus.FAILED);
    GraphFinding origin = only(g, AlertKind.ERROR_ORIGIN);
    assertThat(origin.getService()).isEqualTo("payment");
    assertThat(origin.getNodeId()).as("the call that waited").isEqualTo(Graphs.span(new FaultyCheckout(1, T).sid(7)));
    assertThat(origin.getDetail()).startsWith("payment did not answer in 30 s → order failed → gateway 504")
        .contains("the workflow spent 30 s of its 30 s (100 %) waiting on payment");
    assertThat(origin.getDurationMs()).isEqualTo(30_000L);
    assertThat(origin.getShare()).isGreaterThan(0.99);
    assertThat(g.getFindings()).as("the paging findings are unchanged, and none pages by default").isEmpty();
  }

  @Test
  void aRetriedInnerErrorThatRecoveredIsNoOriginAndAWorkflowItLetSucceedHasNone() {
    FaultyCheckout failing = new FaultyCheckout(1, T).inventoryRetried().orderFailsItself();
    Map<String, WorkflowGraph> graphs = run(List.of(failing, new FaultyCheckout(2, T + EVERY).inventoryRetried()));

    GraphFinding origin = only(graphs.get("order-1"), AlertKind.ERROR_ORIGIN);
    assertThat(origin.getService()).isEqualTo("order");
    assertThat(origin.getNodeId()).isEqualTo(Graphs.span(failing.sid(3)));
    assertThat(origin.getDetail()).startsWith("order POST /orders failed (java.io.IOException: order validation failed: total is negative)"
        + " → gateway 500");
    assertThat(graphs.get("order-2").getStatus()).isEqualTo(WorkflowStatus.SUCCEEDED);
    assertThat(kinds(graphs.get("order-2"))).doesNotContain(AlertKind.ERROR_ORIGIN);
  }

  @Test
  void fortySequentialIdenticalQueriesAreRepeatedCallsNamingTheCallerTheCallAndTheTime() {
    WorkflowGraph g = single(new FaultyCheckout(1, T).loyaltyQueries(40, 25, false));

    GraphFinding repeated = only(g, AlertKind.REPEATED_CALLS);
    assertThat(repeated.getService()).isEqualTo("loyalty");
    assertThat(repeated.getOperation()).isEqualTo("order.created process");
    assertThat(repeated.getCount()).isEqualTo(40);
    assertThat(repeated.getDurationMs()).isEqualTo(1_000L);
    assertThat(repeated.getCall()).isEqualTo(
        "SELECT customer_points (SELECT points FROM customer_points WHERE item_id = ?)");
    assertThat(repeated.getDetail()).startsWith("loyalty order.created process made 40 sequential calls of "
        + "SELECT customer_points (SELECT points FROM customer_points WHERE item_id = ?), 1.0 s in total, ")
        .contains("of the critical path");
    assertThat(repeated.getShare()).isBetween(0.5, 1.0);
  }

  @Test
  void fortyParallelQueriesAreAFanOutNotRepeatedCalls() {
    assertThat(kinds(single(new FaultyCheckout(1, T).loyaltyQueries(40, 25, true))))
        .doesNotContain(AlertKind.REPEATED_CALLS);
  }

  @Test
  void sevenSequentialQueriesAreUnderTheThreshold() {
    assertThat(kinds(single(new FaultyCheckout(1, T).loyaltyQueries(7, 25, false))))
        .doesNotContain(AlertKind.REPEATED_CALLS);
  }

  @Test
  void aStepSlowInOneWorkflowOfTenIsFlaggedThereOnly() {
    // 15 checkouts teach inventory's usual query time (20-120 ms); then one of the next ten takes 2 s.
    Map<String, WorkflowGraph> graphs = run(checkouts(25, n -> 20 + (n * 37) % 100, 20, 2_000));

    List<String> flagged = new ArrayList<>();
    graphs.forEach((id, g) -> {
      if (kinds(g).contains(AlertKind.SLOW_STEP)) {
        flagged.add(id);
      }
    });
    assertThat(flagged).containsExactly("order-20");
    GraphFinding slow = only(graphs.get("order-20"), AlertKind.SLOW_STEP);
    assertThat(slow.getService()).isEqualTo("inventory");
    assertThat(slow.getOperation()).isEqualTo("SELECT stock");
    assertThat(slow.getDetail()).matches("inventory SELECT stock took 2\\.0 s, usually \\d+ ms \\(p99 1[0-3]\\d ms\\):"
        + " .* of the critical path .*");
    assertThat(slow.getUsualMs()).isBetween(50L, 90L);
    assertThat(slow.getDurationMs()).isEqualTo(2_000L);
  }

  @Test
  void aStepThatIsAlwaysSlowIsItsUsualTimeAndNeverFlagged() {
    Map<String, WorkflowGraph> graphs = run(checkouts(25, n -> 1_900 + (n * 37) % 200, -1, 0));

    graphs.values().forEach(g -> assertThat(kinds(g)).doesNotContain(AlertKind.SLOW_STEP));
  }

  @Test
  void noStepIsJudgedBeforeEnoughOfItsRunsWereSeen() {
    Map<String, WorkflowGraph> graphs = run(checkouts(6, n -> 60, 4, 2_000));

    assertThat(kinds(graphs.get("order-4"))).doesNotContain(AlertKind.SLOW_STEP);
  }

  @Test
  void learnedStepTimesSurviveARestartThroughTheirChangelog() {
    List<FaultyCheckout> before = checkouts(15, n -> 20 + (n * 37) % 100, -1, 0);
    List<TestRecord<String, StepTimes>> changelog;
    try (ReplayDriver first = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(T))) {
      feed(first, before);
      changelog = first.driver().createOutputTopic(SETTINGS.internalTopicPrefix() + "-" + StepLearning.STORE
          + "-changelog", new StringDeserializer(), StitchSerdes.avro().stepTimes().deserializer()).readRecordsToList();
    }
    assertThat(changelog).as("every learned step is written to the store's changelog").isNotEmpty();
    FaultyCheckout slow = new FaultyCheckout(16, T + 16 * EVERY).inventoryQuery(2_000);

    // A new instance restores the store from its changelog before it processes anything, as Kafka Streams does.
    try (ReplayDriver restarted = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(T))) {
      KeyValueStore<String, StepTimes> store = restarted.driver().getKeyValueStore(StepLearning.STORE);
      changelog.forEach(r -> store.put(r.key(), r.value()));
      assertThat(only(feed(restarted, List.of(slow)).get("order-16"), AlertKind.SLOW_STEP).getService())
          .isEqualTo("inventory");
    }
    try (ReplayDriver forgetful = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(T))) {
      assertThat(kinds(feed(forgetful, List.of(slow)).get("order-16"))).as("without what was learned")
          .doesNotContain(AlertKind.SLOW_STEP);
    }
  }

  @Test
  void aPromotedFindingPagesAsItsKindWithItsSeverityAndTheOthersDoNot() {
    StitchSettings promoting = SETTINGS.withDiagnosis(DiagnosisSettings.defaults()
        .withPromoted(Map.of(AlertKind.ERROR_ORIGIN, Severity.critical)));
    try (ReplayDriver driver = new ReplayDriver(promoting, Instant.ofEpochMilli(T))) {
      List<TimedInput> inputs = new ArrayList<>(new FaultyCheckout(1, T).paymentDown(3_000).inputs());
      inputs.addAll(new FaultyCheckout(2, T + EVERY).loyaltyQueries(40, 25, false).inputs());
      TimedInput.pipeAll(inputs, driver);
      driver.finish();

      List<Alert> alerts = driver.alerts();
      assertThat(alerts).extracting(Alert::getDedupKey).containsOnly("tracestitch/error_origin/payment/POST /payments");
      Alert page = alerts.get(0);
      assertThat(page.getKind()).isEqualTo(AlertKind.ERROR_ORIGIN);
      assertThat(page.getSeverity()).isEqualTo(Severity.critical);
      assertThat(page.getService()).isEqualTo("payment");
      assertThat(page.getSummary()).startsWith("payment did not answer in 3.0 s → order failed → gateway 504")
          .endsWith("(in 1 workflow)");
      assertThat(page.getLabels()).containsEntry("alertname", "TracestitchErrorOrigin");
    }
  }

  /** Checkout n's stock query takes {@code usualMs(n)}, except checkout {@code slowOne}, which takes slowMs. */
  static List<FaultyCheckout> checkouts(int count, java.util.function.IntToLongFunction usualMs, int slowOne, long slowMs) {
    List<FaultyCheckout> checkouts = new ArrayList<>();
    for (int n = 1; n <= count; n++) {
      checkouts.add(new FaultyCheckout(n, T + n * EVERY).inventoryQuery(n == slowOne ? slowMs : usualMs.applyAsLong(n)));
    }
    return checkouts;
  }

  static Map<String, WorkflowGraph> run(List<FaultyCheckout> checkouts) {
    try (ReplayDriver driver = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(T))) {
      return feed(driver, checkouts);
    }
  }

  static Map<String, WorkflowGraph> feed(ReplayDriver driver, List<FaultyCheckout> checkouts) {
    List<TimedInput> inputs = new ArrayList<>();
    checkouts.forEach(c -> inputs.addAll(c.inputs()));
    TimedInput.pipeAll(inputs, driver);
    driver.finish();
    Map<String, WorkflowGraph> byId = new LinkedHashMap<>();
    driver.graphs().forEach(g -> byId.put(g.getWorkflowId(), g));
    return byId;
  }

  static WorkflowGraph single(FaultyCheckout checkout) {
    Map<String, WorkflowGraph> graphs = run(List.of(checkout));
    assertThat(graphs).hasSize(1);
    return graphs.values().iterator().next();
  }

  static List<AlertKind> kinds(WorkflowGraph g) {
    return g.getAllFindings().stream().map(GraphFinding::getKind).toList();
  }

  static GraphFinding only(WorkflowGraph g, AlertKind kind) {
    List<GraphFinding> found = g.getAllFindings().stream().filter(f -> f.getKind() == kind).toList();
    assertThat(found).as("%s findings in %s: %s", kind, g.getWorkflowId(), g.getAllFindings()).hasSize(1);
    return found.get(0);
  }
}
