package io.tracestitch.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.Branch;
import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.EdgeType;
import io.tracestitch.avro.GraphEdge;
import io.tracestitch.avro.GraphFinding;
import io.tracestitch.avro.GraphNode;
import io.tracestitch.avro.NodeKind;
import io.tracestitch.avro.NodeStatus;
import io.tracestitch.avro.PublishReason;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.avro.WorkflowStatus;
import io.tracestitch.serdes.AvroTrust;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkflowLineTest {
  static {
    // Avro 1.12 builds generated records only from classes it was told to trust.
    AvroTrust.trustGeneratedRecords();
  }


  @Test
  void aCheckoutWithFaultsReadsAsOneLineWithEveryBranchAndTheSlowestStep() {
    String line = WorkflowLine.of(checkout(1, PublishReason.QUIET));

    assertThat(line).isEqualTo("WORKFLOW order-ab12-3 FAILED in 2.20 s, 2 traces"
        + " | order.created: inventory SUCCEEDED 2.04 s, payment SUCCEEDED after 2 attempts 30 ms,"
        + " analytics FAILED 4 ms (java.net.ConnectException: Connection refused: analytics-store:9042)"
        + " | payment.authorized: notification SUCCEEDED 12 ms, joined by correlation id only"
        + " | slowest step: inventory SELECT stock 2.00 s");
  }

  @Test
  void theFindingsThatExplainAWorkflowFollowItsSlowestStepEachNamingItsService() {
    WorkflowGraph graph = checkout(1, PublishReason.QUIET);
    graph.setAllFindings(List.of(
        GraphFinding.newBuilder().setKind(AlertKind.SILENT_FAILURE).setService("analytics").setDetail("pages").build(),
        GraphFinding.newBuilder().setKind(AlertKind.SLOW_STEP).setService("inventory")
            .setDetail("inventory SELECT stock took 2.0 s, usually 8 ms (p99 12 ms)").build()));

    assertThat(WorkflowLine.of(graph)).endsWith("| slowest step: inventory SELECT stock 2.00 s"
        + " | SLOW_STEP inventory: inventory SELECT stock took 2.0 s, usually 8 ms (p99 12 ms)");
  }

  @Test
  void aLaterRevisionSaysWhyItWasPublishedAgain() {
    assertThat(WorkflowLine.of(checkout(2, PublishReason.LATE_DATA)))
        .startsWith("WORKFLOW order-ab12-3 FAILED in 2.20 s, 2 traces, revision 2 (late data) | order.created:");
  }

  @Test
  void aWorkflowWithoutConsumersSaysSo() {
    WorkflowGraph graph = graph(List.of(span("span:g", "gateway", "POST /checkout", "t1", 0, 40)), List.of(),
        List.of(), 1, PublishReason.QUIET, WorkflowStatus.SUCCEEDED);

    assertThat(WorkflowLine.of(graph)).isEqualTo("WORKFLOW order-ab12-3 SUCCEEDED in 40 ms, 1 trace"
        + " | no consumer handled an event | slowest step: gateway POST /checkout 40 ms");
  }

  private static WorkflowGraph checkout(int revision, PublishReason reason) {
    List<GraphNode> nodes = List.of(
        span("span:g", "gateway", "POST /checkout", "t1", 0, 60),
        span("span:i", "inventory", "order.created process", "t1", 100, 2140),
        span("span:q", "inventory", "SELECT stock", "t1", 120, 2120),
        span("span:p1", "payment", "order.created process", "t1", 90, 110),
        span("span:p2", "payment", "order.created process", "t1", 700, 730),
        span("span:a", "analytics", "order.created process", "t1", 95, 99),
        span("span:n", "notification", "payment.authorized process", "t2", 2188, 2200));
    List<GraphEdge> edges = List.of(
        edge("span:q", "span:i", EdgeType.CHILD_OF),
        edge("span:p2", "span:p1", EdgeType.RETRY_OF),
        edge("event:paid", "span:n", EdgeType.CORRELATED));
    List<Branch> branches = List.of(
        branch("created", "order.created", "inventory", BranchState.SUCCEEDED, List.of("span:i"), 2040, null),
        branch("created", "order.created", "payment", BranchState.SUCCEEDED, List.of("span:p1", "span:p2"), 30,
            "java.util.concurrent.TimeoutException: The card gateway did not answer within 250 ms."),
        branch("created", "order.created", "analytics", BranchState.FAILED, List.of("span:a"), 4,
            "java.net.ConnectException: Connection refused: analytics-store:9042"),
        branch("paid", "payment.authorized", "notification", BranchState.SUCCEEDED, List.of("span:n"), 12, null));
    return graph(nodes, edges, branches, revision, reason, WorkflowStatus.FAILED);
  }

  private static WorkflowGraph graph(List<GraphNode> nodes, List<GraphEdge> edges, List<Branch> branches,
      int revision, PublishReason reason, WorkflowStatus status) {
    long start = nodes.stream().mapToLong(GraphNode::getStartMs).min().orElse(0);
    long end = nodes.stream().mapToLong(GraphNode::getEndMs).max().orElse(0);
    return WorkflowGraph.newBuilder()
        .setWorkflowId("order-ab12-3").setCorrelationId("order-ab12-3")
        .setTraceIds(nodes.stream().map(GraphNode::getTraceId).distinct().sorted().toList())
        .setStatus(status).setRevision(revision).setPublishReason(reason).setPublishedAtMs(end + 5_000)
        .setStartedAtMs(start).setEndedAtMs(end).setDurationMs(end - start)
        .setRootNodeId("span:g").setNodes(nodes).setEdges(edges).setBranches(branches)
        .setCriticalPath(List.of("span:g"))
        .build();
  }

  private static GraphNode span(String id, String service, String name, String trace, long startMs, long endMs) {
    return GraphNode.newBuilder().setId(id).setKind(NodeKind.SPAN).setService(service).setName(name)
        .setStatus(NodeStatus.UNSET).setTraceId(trace).setStartMs(startMs).setEndMs(endMs)
        .setDurationMs(endMs - startMs).build();
  }

  private static GraphEdge edge(String from, String to, EdgeType type) {
    return GraphEdge.newBuilder().setFrom(from).setTo(to).setType(type).build();
  }

  private static Branch branch(String eventId, String eventName, String consumer, BranchState state,
      List<String> attempts, long processingMs, String lastError) {
    return Branch.newBuilder().setEventId(eventId).setEventName(eventName).setEventNodeId("event:" + eventId)
        .setConsumer(consumer).setService(consumer).setState(state).setAttempts(attempts.size())
        .setAttemptNodeIds(attempts).setProcessingMs(processingMs).setLastError(lastError).build();
  }
}
