package io.tracestitch.topology.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.Alert;
import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.TelemetryState;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.avro.WorkflowStatus;
import io.tracestitch.replay.ReplayDriver;
import io.tracestitch.testing.TimedInput;
import io.tracestitch.topology.faults.Page;
import io.tracestitch.topology.StitchSerdes;
import io.tracestitch.topology.StitchSettings;
import io.tracestitch.topology.alert.ConsumerOffsets;
import io.tracestitch.topology.workflow.TelemetryCompleteness;
import io.tracestitch.topology.workflow.TelemetryCompleteness.ServiceShare;
import io.tracestitch.topology.sampling.SampledCheckouts.Generated;
import io.tracestitch.topology.sampling.SampledCheckouts.Sampling;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Checkout traffic under head and tail sampling, decided by the OpenTelemetry SDK's samplers
 * ({@link SampledCheckouts}): what is published and what pages. Each run prints its figures.
 */
class SampledTrafficScenariosTest {
  static final long T0 = 1_767_225_600_000L;
  static final long EVERY_MS = 2_000;
  static final StitchSettings SETTINGS = StitchSettings.defaults().withEventTopics(List.of(SampledCheckouts.EVENT));

  /** The last revision of each published workflow, and every alert, of one run. */
  record Run(Map<String, WorkflowGraph> graphs, List<Alert> alerts, List<ServiceShare> completeness) {
    ServiceShare of(String consumer) {
      return completeness.stream().filter(s -> s.service().equals(consumer)).findFirst().orElseThrow();
    }

    /** Pages as the on-call engineer counts them: a TRIGGER and its re-sends up to its RESOLVE are one. */
    List<Page> pages() {
      return Page.of(alerts);
    }

    long triggers(AlertKind kind) {
      return pages().stream().filter(p -> p.kind() == kind).count();
    }

    long telemetry(TelemetryState state) {
      return graphs.values().stream().filter(g -> g.getTelemetry() == state).count();
    }

    long status(WorkflowStatus status) {
      return graphs.values().stream().filter(g -> g.getStatus() == status).count();
    }

    long missingBranches() {
      return graphs.values().stream().flatMap(g -> g.getBranches().stream()).filter(b -> b.getTelemetryMissing())
          .count();
    }

    String figures(String name, Generated generated) {
      return name + ": orders " + generated.orders() + ", recorded " + generated.recordedWorkflows().size()
          + ", graphs published " + graphs.size() + " (RECORDED " + telemetry(TelemetryState.RECORDED) + ", PARTIAL "
          + telemetry(TelemetryState.PARTIAL) + ", NOT_SAMPLED " + telemetry(TelemetryState.NOT_SAMPLED)
          + "; SUCCEEDED " + status(WorkflowStatus.SUCCEEDED) + ", INCOMPLETE " + status(WorkflowStatus.INCOMPLETE)
          + ", FAILED " + status(WorkflowStatus.FAILED) + "), telemetryMissing branches " + missingBranches()
          + ", pages: STALLED_BRANCH " + triggers(AlertKind.STALLED_BRANCH) + ", TELEMETRY_MISSING "
          + triggers(AlertKind.TELEMETRY_MISSING) + ", UNCONSUMED_EVENT "
          + triggers(AlertKind.UNCONSUMED_EVENT) + ", SILENT_FAILURE " + triggers(AlertKind.SILENT_FAILURE)
          + ", completeness " + completeness.stream().map(c -> c.service() + " " + c.missing() + "/" + c.expected()
              + " missing").toList();
    }
  }

  static Run run(StitchSettings settings, Generated generated) {
    return run(settings, generated, false);
  }

  /** @param groups let the alert stage read the consumer groups' offsets as they stand (replay has none) */
  static Run run(StitchSettings settings, Generated generated, boolean groups) {
    TelemetryCompleteness completeness = new TelemetryCompleteness();
    AtomicReference<ReplayDriver> clock = new AtomicReference<>();
    ConsumerOffsets offsets = groups ? generated.groups(() -> clock.get().wallMs()) : ConsumerOffsets.NONE;
    try (ReplayDriver driver = new ReplayDriver(settings, StitchSerdes.avro(), Instant.ofEpochMilli(T0),
        List.of(completeness), null, offsets)) {
      clock.set(driver);
      TimedInput.pipeAll(generated.inputs(), driver);
      driver.finish();
      Map<String, WorkflowGraph> last = new LinkedHashMap<>();
      driver.graphs().forEach(g -> last.put(g.getWorkflowId(), g));
      return new Run(last, driver.alerts(), completeness.services());
    }
  }

  private static void assertNoSamplingPage(Run run) {
    assertThat(run.triggers(AlertKind.STALLED_BRANCH)).as("stall pages").isZero();
    assertThat(run.triggers(AlertKind.UNCONSUMED_EVENT)).as("unconsumed-event pages").isZero();
    assertThat(run.triggers(AlertKind.SILENT_FAILURE)).as("silent-failure pages").isZero();
  }

  private static void assertOnlyRecordedCheckoutsPublished(Run run, Generated generated) {
    assertThat(run.graphs().keySet()).as("no graph claims what nothing observed")
        .isSubsetOf(generated.recordedWorkflows());
    assertThat(run.graphs().values()).allSatisfy(g -> assertThat(g.getTelemetry()).isEqualTo(TelemetryState.RECORDED));
  }

  @Test
  void headSamplingOneInTenPublishesOnlyTheSampledCheckoutsAndPagesForNothing() {
    Generated traffic = SampledCheckouts.generate(Sampling.HEAD, 0.1, T0, 600, EVERY_MS, 7, Set.of(), null, 0, 10);
    Run run = run(SETTINGS, traffic);
    System.out.println(run.figures("head 1 in 10", traffic));

    assertThat(traffic.recordedWorkflows().size()).as("the sampler kept about one in ten").isBetween(35, 90);
    assertOnlyRecordedCheckoutsPublished(run, traffic);
    assertThat(run.graphs()).hasSize(traffic.recordedWorkflows().size());
    assertNoSamplingPage(run);
  }

  @Test
  void headSamplingOneInAHundredPublishesOnlyTheSampledCheckoutsAndPagesForNothing() {
    Generated traffic = SampledCheckouts.generate(Sampling.HEAD, 0.01, T0, 1_000, EVERY_MS, 7, Set.of(), null, 0, 100);
    Run run = run(SETTINGS, traffic);
    System.out.println(run.figures("head 1 in 100", traffic));

    assertThat(traffic.recordedWorkflows().size()).isBetween(2, 25);
    assertOnlyRecordedCheckoutsPublished(run, traffic);
    assertThat(run.graphs()).hasSize(traffic.recordedWorkflows().size());
    assertNoSamplingPage(run);
  }

  @Test
  void unrecordedCheckoutsArePublishedAsNotSampledWhenAskedTo() {
    Generated traffic = SampledCheckouts.generate(Sampling.HEAD, 0.1, T0, 200, EVERY_MS, 7, Set.of(), null, 0, 10);
    Run run = run(SETTINGS.withPublishUnrecorded(true), traffic);

    assertThat(run.graphs()).hasSize(200);
    assertThat(run.telemetry(TelemetryState.NOT_SAMPLED)).isEqualTo(200 - traffic.recordedWorkflows().size());
    assertThat(run.graphs().values()).filteredOn(g -> !traffic.recordedWorkflows().contains(g.getWorkflowId()))
        .allSatisfy(g -> assertThat(g.getTelemetry()).isEqualTo(TelemetryState.NOT_SAMPLED));
    assertNoSamplingPage(run);
  }

  @Test
  void tailSamplingKeepingErrorsMarksDroppedCheckoutsPartialAndPagesForNothing() {
    Generated traffic = SampledCheckouts.generate(Sampling.TAIL, 0.1, T0, 600, EVERY_MS, 7, Set.of(), null, 0, 20);
    Run run = run(SETTINGS, traffic);
    System.out.println(run.figures("tail 1 in 10 + errors", traffic));

    assertNoSamplingPage(run);
    assertThat(run.graphs()).hasSize(600);
    Collection<WorkflowGraph> dropped = run.graphs().values().stream()
        .filter(g -> !traffic.recordedWorkflows().contains(g.getWorkflowId())).toList();
    assertThat(dropped).isNotEmpty().allSatisfy(g -> {
      assertThat(g.getTelemetry()).isEqualTo(TelemetryState.PARTIAL);
      assertThat(g.getStatus()).isNotEqualTo(WorkflowStatus.INCOMPLETE);
    });
    assertThat(run.missingBranches()).as("the learned consumers of dropped checkouts are marked, not stalled")
        .isPositive();
    assertThat(run.graphs().values()).flatExtracting(WorkflowGraph::getBranches)
        .filteredOn(b -> b.getState() == BranchState.PENDING).allSatisfy(b -> assertThat(b.getTelemetryMissing()).isTrue());
    assertThat(run.graphs().values()).filteredOn(g -> traffic.recordedWorkflows().contains(g.getWorkflowId()))
        .allSatisfy(g -> assertThat(g.getTelemetry()).isEqualTo(TelemetryState.RECORDED));
    // The completeness signal sees the dropping: most workflows that expected each consumer's spans lack them.
    for (String consumer : SampledCheckouts.CONSUMERS) {
      assertThat(run.of(consumer).missingShare()).as(consumer).isBetween(0.6, 0.9);
    }
  }

  @Test
  void aRealStallInTheMiddleOfTailSampledTrafficStillPagesOnce() {
    long stallFrom = T0 + 300 * EVERY_MS;
    Generated traffic = SampledCheckouts.generate(Sampling.TAIL, 0.1, T0, 600, EVERY_MS, 7, Set.of(), "loyalty",
        stallFrom, 30);
    Run run = run(SETTINGS, traffic);
    System.out.println(run.figures("tail 1 in 10 + errors, loyalty stalls halfway", traffic));

    assertThat(run.pages()).extracting(Page::kind, Page::subject)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(AlertKind.STALLED_BRANCH, "loyalty"));
    Page page = run.pages().get(0);
    assertThat(page.triggeredAtMs()).as("paged after the stall began, not before").isGreaterThan(stallFrom);
    // Its dropped checkouts were marked, not paged: the one page comes from the kept traces, whose producer span
    // arrived and whose loyalty span did not.
    assertThat(run.missingBranches()).isPositive();
    assertThat(run.of("loyalty").missingShare()).as("loyalty lacks spans more often than the others")
        .isGreaterThan(run.of("inventory").missingShare());
  }

  @Test
  void aServiceWithInstrumentationOffRaisesNoStall() {
    Generated traffic = SampledCheckouts.generate(Sampling.HEAD, 1.0, T0, 300, EVERY_MS, 0, Set.of("loyalty"), null,
        0, 40);
    Run run = run(SETTINGS, traffic);
    System.out.println(run.figures("loyalty not instrumented", traffic));

    assertNoSamplingPage(run);
    assertThat(run.graphs()).hasSize(300);
  }

  @Test
  void aLearnedConsumerWhoseInstrumentationIsSwitchedOffShowsInCompletenessAndRaisesATelemetryWarningNotAStall() {
    long offFrom = T0 + 150 * EVERY_MS;
    Generated traffic = SampledCheckouts.generate(Sampling.HEAD, 1.0, T0, 300, EVERY_MS, 0, Set.of("loyalty"), offFrom,
        null, 0, 41);
    Run run = run(SETTINGS, traffic, true);
    System.out.println(run.figures("loyalty's instrumentation switched off halfway, its group goes on", traffic));

    assertNoSamplingPage(run);
    assertThat(run.pages()).extracting(Page::kind, Page::subject)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(AlertKind.TELEMETRY_MISSING, "loyalty"));
    Page warning = run.pages().get(0);
    assertThat(warning.triggeredAtMs()).as("raised after the telemetry stopped").isGreaterThan(offFrom);
    assertThat(run.alerts()).filteredOn(a -> a.getKind() == AlertKind.TELEMETRY_MISSING)
        .allSatisfy(a -> assertThat(a.getSeverity()).isEqualTo(io.tracestitch.avro.Severity.warning));
    // The completeness signal: about half of the workflows that expected loyalty's spans lack them; nobody else's.
    assertThat(run.of("loyalty").missingShare()).isBetween(0.4, 0.6);
    assertThat(run.of("inventory").missingShare()).isZero();
  }

  @Test
  void aLearnedConsumerThatStopsWhileItsGroupStandsStillPagesOnceAsAStall() {
    long stallFrom = T0 + 150 * EVERY_MS;
    Generated traffic = SampledCheckouts.generate(Sampling.HEAD, 1.0, T0, 300, EVERY_MS, 0, Set.of(), "loyalty",
        stallFrom, 41);
    Run run = run(SETTINGS, traffic, true);
    System.out.println(run.figures("loyalty stops halfway, its group stands still", traffic));

    assertThat(run.pages()).extracting(Page::kind, Page::subject)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(AlertKind.STALLED_BRANCH, "loyalty"));
    assertThat(run.pages().get(0).triggeredAtMs()).isGreaterThan(stallFrom);
    assertThat(run.alerts()).filteredOn(a -> a.getKind() == AlertKind.STALLED_BRANCH).last()
        .satisfies(a -> assertThat(a.getCustomDetails().get("offset_diagnosis")).contains("loyalty"));
  }
}
