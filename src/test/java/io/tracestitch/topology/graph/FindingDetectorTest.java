package io.tracestitch.topology.graph;

import static io.tracestitch.topology.graph.Checkouts.EVENT;
import static io.tracestitch.topology.graph.Checkouts.T;
import static io.tracestitch.topology.graph.Checkouts.TRACE;
import static io.tracestitch.topology.graph.Checkouts.branch;
import static io.tracestitch.topology.graph.Checkouts.consumer;
import static io.tracestitch.topology.graph.Checkouts.event;
import static io.tracestitch.topology.graph.Checkouts.failed;
import static io.tracestitch.topology.graph.Checkouts.nodes;
import static io.tracestitch.topology.graph.Checkouts.publish;
import static io.tracestitch.topology.graph.Checkouts.root;
import static io.tracestitch.topology.graph.Checkouts.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.Branch;
import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.EdgeType;
import io.tracestitch.avro.Finding;
import io.tracestitch.avro.GraphEdge;
import io.tracestitch.avro.PublishReason;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.avro.WorkflowStatus;
import io.tracestitch.avro.internal.FindingAction;
import io.tracestitch.avro.internal.FindingMessage;
import io.tracestitch.avro.internal.SpanKind;
import io.tracestitch.topology.expect.ExpectedConsumer;
import io.tracestitch.topology.expect.Expectations;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The problems read off a workflow's graph, each with the message the alert stage gets, and the healthy evidence
 * that lets an alert resolve. Loyalty and shipping (declared) must handle order.created within five seconds.
 */
class FindingDetectorTest {
  static final long PUBLISHED = T + 15;
  static final long DEADLINE = PUBLISHED + 5_000;
  static final Map<String, List<ExpectedConsumer>> EXPECTED = Map.of(EVENT, List.of(
      new ExpectedConsumer("loyalty", "loyalty", 5_000, false), new ExpectedConsumer("shipping", "shipping", 5_000, true)));

  @BeforeAll
  static void trustTheGeneratedRecords() {
    io.tracestitch.serdes.AvroTrust.trustGeneratedRecords();
  }

  final WorkflowNodes nodes = nodes(List.of(root(), publish(), consumer("l", "loyalty", 50, 60),
      failed(consumer("s", "shipping", 50, 60), "label printer offline"),
      span(TRACE, "pay", "root", "order", "POST /pay", SpanKind.CLIENT, 30, 40)), List.of(event(15, 7)));
  final List<GraphEdge> edges = List.of(edge("span:publish", EdgeType.CHILD_OF, "span:root"),
      edge("span:publish", EdgeType.PUBLISHED, "event:" + EVENT),
      edge("event:" + EVENT, EdgeType.CONSUMED_BY, "span:l"), edge("event:" + EVENT, EdgeType.CONSUMED_BY, "span:s"));

  static GraphEdge edge(String from, EdgeType type, String to) {
    return GraphEdge.newBuilder().setFrom(from).setType(type).setTo(to).build();
  }

  static Branch expected(Branch.Builder branch) {
    return branch.setExpected(true).setDeadlineMs(DEADLINE).build();
  }

  static Branch loyaltyDone() {
    return expected(branch("loyalty", BranchState.SUCCEEDED, "span:l"));
  }

  FindingDetector.Result detect(List<Branch> branches, boolean rootFailed, long nowMs, Expectations expectations) {
    WorkflowGraph graph = WorkflowGraph.newBuilder().setWorkflowId("order-7").setCorrelationId("order-7")
        .setTraceIds(List.of(TRACE)).setStatus(WorkflowStatus.INCOMPLETE).setRevision(1)
        .setPublishReason(PublishReason.QUIET).setPublishedAtMs(nowMs).setNodes(List.of()).setEdges(edges)
        .setBranches(branches).setCriticalPath(List.of()).build();
    return FindingDetector.detect(graph, nodes.events(), nodes.spans(), EXPECTED, expectations, rootFailed, nowMs);
  }

  FindingDetector.Result detect(List<Branch> branches, long nowMs) {
    return detect(branches, false, nowMs, Expectations.NONE);
  }

  static List<FindingMessage> occurred(FindingDetector.Result result) {
    return result.messages().stream().filter(m -> m.getAction() == FindingAction.OCCURRED).toList();
  }

  /** Healthy evidence about the event's branches (calls that reached their callee are evidence of their own). */
  static List<FindingMessage> cleared(FindingDetector.Result result) {
    return result.messages().stream().filter(m -> m.getAction() == FindingAction.CLEARED)
        .filter(m -> m.getKind() != AlertKind.MISSING_CALLEE).toList();
  }

  @Test
  void anExpectedConsumerWithNoSpanPastItsDeadlineIsAStalledBranchTheAlertStageMustTellFromLostTelemetry() {
    Branch shipping = expected(branch("shipping", BranchState.PENDING));

    FindingDetector.Result found = detect(List.of(loyaltyDone(), shipping), DEADLINE + 4_000);

    assertThat(occurred(found)).singleElement().satisfies(m -> {
      assertThat(m.getKind()).isEqualTo(AlertKind.STALLED_BRANCH);
      assertThat(m.getDedupKey()).isEqualTo(DedupKeys.of(AlertKind.STALLED_BRANCH, "shipping", "order.created"));
      assertThat(m.getConsumer()).isEqualTo("shipping");
      assertThat(m.getConsumerGroup()).isEqualTo("shipping");
      assertThat(m.getDeclared()).isTrue();
      assertThat(m.getNoConsumerSpan()).isTrue();
      assertThat(m.getWaitedMs()).isEqualTo(9_000);
      assertThat(m.getTopic()).isEqualTo("orders");
      assertThat(m.getOffset()).isEqualTo(7);
      assertThat(m.getDetail()).isEqualTo("shipping has not handled order.created (evt-1) 9 s after it was published; "
          + "its deadline was 5 s.");
    });
    assertThat(found.graphFindings()).extracting(Finding::getConsumer, Finding::getNodeId)
        .containsExactly(tuple("shipping", "event:" + EVENT));
  }

  @Test
  void theHealthyBranchesOfTheSameEventAreClearedEvidenceWithTheirPartitionAndOffset() {
    FindingDetector.Result found = detect(List.of(loyaltyDone(), expected(branch("shipping", BranchState.PENDING))),
        DEADLINE + 4_000);

    assertThat(cleared(found)).extracting(FindingMessage::getKind, FindingMessage::getConsumer)
        .containsExactlyInAnyOrder(tuple(AlertKind.STALLED_BRANCH, "loyalty"), tuple(AlertKind.SILENT_FAILURE, "loyalty"),
            tuple(AlertKind.UNCONSUMED_EVENT, null));
    assertThat(cleared(found)).allSatisfy(m -> {
      assertThat(m.getTopic()).isEqualTo("orders");
      assertThat(m.getPartition()).isZero();
      assertThat(m.getOffset()).isEqualTo(7);
      assertThat(m.getEventPublishedMs()).isEqualTo(PUBLISHED);
    });
  }

  @Test
  void aPendingBranchWithTimeLeftIsNoFinding() {
    FindingDetector.Result found = detect(List.of(loyaltyDone(), expected(branch("shipping", BranchState.PENDING))),
        DEADLINE - 1);

    assertThat(occurred(found)).isEmpty();
    assertThat(found.graphFindings()).isEmpty();
  }

  @Test
  void anEventNoExpectedConsumerHandledByItsDeadlineIsOneUnconsumedEventOfItsProducer() {
    FindingDetector.Result found = detect(List.of(expected(branch("loyalty", BranchState.PENDING)),
        expected(branch("shipping", BranchState.PENDING))), DEADLINE);

    assertThat(occurred(found)).singleElement().satisfies(m -> {
      assertThat(m.getKind()).isEqualTo(AlertKind.UNCONSUMED_EVENT);
      assertThat(m.getService()).as("the service of the span that published it").isEqualTo("order");
      assertThat(m.getDeclared()).isTrue();
      assertThat(m.getDetail()).isEqualTo("No consumer handled order.created (evt-1) within its deadline; expected: "
          + "[loyalty, shipping].");
    });
    assertThat(cleared(found)).isEmpty();
  }

  @Test
  void aConsumerStuckRetryingPastItsDeadlineIsAStalledBranchNamingItsLastError() {
    Branch shipping = expected(branch("shipping", BranchState.RETRYING, "span:s").setLastError("label printer offline"));

    FindingDetector.Result found = detect(List.of(loyaltyDone(), shipping), DEADLINE);

    assertThat(occurred(found)).singleElement().satisfies(m -> {
      assertThat(m.getKind()).isEqualTo(AlertKind.STALLED_BRANCH);
      assertThat(m.getNoConsumerSpan()).isFalse();
      assertThat(m.getDetail()).isEqualTo("shipping is stuck retrying order.created (evt-1): 1 failed attempts, last "
          + "error: label printer offline.");
    });
    assertThat(found.graphFindings()).extracting(Finding::getNodeId).containsExactly("span:s");
  }

  @Test
  void aBranchThatFailedWhileTheRootReportedSuccessIsASilentFailureAndNoneWhenTheRootFailedToo() {
    Branch shipping = branch("shipping", BranchState.FAILED, "span:s").setLastError("label printer offline").build();

    FindingDetector.Result silent = detect(List.of(loyaltyDone(), shipping), false, DEADLINE, Expectations.NONE);
    FindingDetector.Result loud = detect(List.of(loyaltyDone(), shipping), true, DEADLINE, Expectations.NONE);

    assertThat(occurred(silent)).singleElement().satisfies(m -> {
      assertThat(m.getKind()).isEqualTo(AlertKind.SILENT_FAILURE);
      assertThat(m.getConsumer()).isEqualTo("shipping");
      assertThat(m.getTraceId()).isEqualTo(TRACE);
      assertThat(m.getDetail()).endsWith("while the workflow's root reported success: label printer offline.");
    });
    assertThat(occurred(loud)).as("the root's own error tells the user already").isEmpty();
  }

  @Test
  void aBranchDoneAfterItsDeadlineMissedItAndIsNoEvidenceOfHealth() {
    // Loyalty's attempt ended 60 ms after T, its deadline was 20 ms after publication.
    Branch late = branch("loyalty", BranchState.SUCCEEDED, "span:l").setExpected(true).setDeadlineMs(PUBLISHED + 20)
        .build();

    FindingDetector.Result found = detect(List.of(late), DEADLINE);

    assertThat(occurred(found)).singleElement().satisfies(m -> {
      assertThat(m.getKind()).isEqualTo(AlertKind.STALLED_BRANCH);
      assertThat(m.getWaitedMs()).as("publication to its end").isEqualTo(45);
      assertThat(m.getDetail()).isEqualTo("loyalty handled order.created (evt-1) 0 s after its deadline.");
    });
    assertThat(cleared(found)).extracting(FindingMessage::getKind).containsExactly(AlertKind.UNCONSUMED_EVENT);
  }

  @Test
  void branchesWhoseTelemetryWasLostRaiseNothingAndClearNothing() {
    FindingDetector.Result found = detect(List.of(
        expected(branch("loyalty", BranchState.PENDING).setTelemetryMissing(true)),
        expected(branch("shipping", BranchState.PENDING).setTelemetryMissing(true))), DEADLINE + 60_000);

    assertThat(occurred(found)).isEmpty();
    assertThat(cleared(found)).isEmpty();
    assertThat(found.graphFindings()).isEmpty();
  }

  @Test
  void aCallThatUsuallyReachesACalleeAndDidNotIsAMissingCalleeAndOneThatDidIsHealthy() {
    Expectations callsReachCallees = new Checkouts.Expecting(Map.of(), true);

    FindingDetector.Result found = detect(List.of(loyaltyDone()), false, DEADLINE, callsReachCallees);

    assertThat(occurred(found)).singleElement().satisfies(m -> {
      assertThat(m.getKind()).isEqualTo(AlertKind.MISSING_CALLEE);
      assertThat(m.getService()).isEqualTo("order");
      assertThat(m.getEventName()).as("the call's name").isEqualTo("POST /pay");
      assertThat(m.getDetail()).isEqualTo("order's client call 'POST /pay' never reached its callee: no span on the "
          + "other side and no event published.");
    });
    assertThat(found.graphFindings()).extracting(Finding::getNodeId).containsExactly("span:pay");
    assertThat(found.messages()).filteredOn(m -> m.getAction() == FindingAction.CLEARED)
        .filteredOn(m -> m.getKind() == AlertKind.MISSING_CALLEE).extracting(FindingMessage::getEventName).containsExactly("orders publish");
    assertThat(occurred(detect(List.of(loyaltyDone()), DEADLINE))).as("not learned: nothing expected").isEmpty();
  }
}
