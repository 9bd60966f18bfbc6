package io.tracestitch.topology.graph;

import static io.tracestitch.topology.graph.Checkouts.EVENT;
import static io.tracestitch.topology.graph.Checkouts.OTHER_TRACE;
import static io.tracestitch.topology.graph.Checkouts.T;
import static io.tracestitch.topology.graph.Checkouts.TRACE;
import static io.tracestitch.topology.graph.Checkouts.consumer;
import static io.tracestitch.topology.graph.Checkouts.event;
import static io.tracestitch.topology.graph.Checkouts.nodes;
import static io.tracestitch.topology.graph.Checkouts.publish;
import static io.tracestitch.topology.graph.Checkouts.root;
import static io.tracestitch.topology.graph.Checkouts.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.tracestitch.avro.GraphNode;
import io.tracestitch.avro.NodeKind;
import io.tracestitch.avro.NodeStatus;
import io.tracestitch.avro.internal.SpanException;
import io.tracestitch.avro.internal.SpanKind;
import io.tracestitch.avro.internal.SpanStatus;
import io.tracestitch.avro.internal.WorkflowKind;
import io.tracestitch.avro.internal.WorkflowSummary;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A workflow's stored spans and events as the graph's nodes: one node per span, one per event delivery. */
class WorkflowNodesTest {
  @BeforeAll
  static void trustTheGeneratedRecords() {
    io.tracestitch.serdes.AvroTrust.trustGeneratedRecords();
  }

  static WorkflowSummary summary(String id, WorkflowKind kind) {
    return WorkflowSummary.newBuilder().setWorkflowId(id).setWorkflowKind(kind).setFirstSeenMs(T).setLastActivityMs(T)
        .setDueMs(T).build();
  }

  @Test
  void aSpanExportedTwiceIsOneNodeTheFirstCopyAndCountsAsADuplicate() {
    WorkflowNodes nodes = nodes(List.of(root(), root().setName("POST /orders (retried export)"), publish()),
        List.of());

    assertThat(nodes.spans()).extracting(SpanView::nodeId).containsExactly("span:root", "span:publish");
    assertThat(nodes.spans().get(0).span().getName()).isEqualTo("POST /orders");
    assertThat(nodes.duplicateSpans()).isEqualTo(1);
  }

  @Test
  void eachDeliveryOfAnEventIsANodeNumberedInTheOrderTheyWerePublished() {
    // The redelivery sits at a lower offset of another partition but was published later.
    WorkflowNodes nodes = nodes(List.of(), List.of(event(40, 3).setPartition(1), event(15, 7)));

    assertThat(nodes.events()).extracting(EventView::nodeId, EventView::delivery)
        .containsExactly(tuple("event:" + EVENT, 1),
            tuple("event:" + EVENT + "#2", 2));
    assertThat(nodes.events().get(0).event().getOffset()).isEqualTo(7);
  }

  @Test
  void twoTracesThatShareASpanIdKeepTwoNodesTheLaterNamedWithItsTrace() {
    WorkflowNodes nodes = nodes(List.of(root(), span(OTHER_TRACE, "root", null, "loyalty", "GET /points",
        SpanKind.SERVER, 50, 60)), List.of());

    assertThat(nodes.spans()).extracting(SpanView::nodeId).containsExactly("span:root", "span:" + OTHER_TRACE + "/root");
    assertThat(nodes.span(OTHER_TRACE, "root").span().getService()).isEqualTo("loyalty");
    assertThat(nodes.span(TRACE, "missing")).isNull();
  }

  @Test
  void theParentOfASpanIsFoundInItsOwnTraceOnly() {
    WorkflowNodes nodes = nodes(List.of(root(), publish(),
        span(OTHER_TRACE, "child", "root", "loyalty", "GET /points", SpanKind.SERVER, 50, 60)), List.of());

    assertThat(nodes.parent(nodes.span(TRACE, "publish")).nodeId()).isEqualTo("span:root");
    assertThat(nodes.parent(nodes.span(OTHER_TRACE, "child"))).as("its parent never arrived").isNull();
    assertThat(nodes.parent(nodes.span(TRACE, "root"))).isNull();
  }

  @Test
  void graphNodesAreInStartOrderAndAConsumingSpanCarriesItsConsumerAndAttempt() {
    WorkflowNodes nodes = nodes(List.of(consumer("loyalty-1", "loyalty", 50, 60), root(), publish()),
        List.of(event(15, 7)));

    List<GraphNode> graphNodes = nodes.graphNodes(Map.of("span:loyalty-1", 2));

    assertThat(graphNodes).extracting(GraphNode::getId)
        .containsExactly("span:root", "span:publish", "event:" + EVENT, "span:loyalty-1");
    GraphNode attempt = graphNodes.get(3);
    assertThat(attempt.getConsumer()).isEqualTo("loyalty");
    assertThat(attempt.getAttempt()).isEqualTo(2);
    assertThat(attempt.getTopic()).isEqualTo("orders");
    assertThat(graphNodes.get(0).getConsumer()).as("the root consumes nothing").isNull();
    assertThat(graphNodes.get(0).getAttempt()).isEqualTo(1);
    GraphNode published = graphNodes.get(2);
    assertThat(published.getKind()).isEqualTo(NodeKind.EVENT);
    assertThat(published.getService()).isEqualTo("order");
    assertThat(published.getStartMs()).isEqualTo(T + 15).isEqualTo(published.getEndMs());
    assertThat(published.getOffset()).isEqualTo(7);
  }

  @Test
  void aSpanWithAnExceptionIsAnErrorNodeUnlessItsServiceMarkedItOk() {
    SpanException timeout = SpanException.newBuilder().setType("java.net.SocketTimeoutException").setMessage("Read timed out")
        .build();
    WorkflowNodes nodes = nodes(List.of(root().setExceptions(List.of(timeout)),
        publish().setExceptions(List.of(timeout)).setStatusCode(SpanStatus.OK)), List.of());

    List<GraphNode> graphNodes = nodes.graphNodes(Map.of());

    assertThat(graphNodes).extracting(GraphNode::getStatus).containsExactly(NodeStatus.ERROR, NodeStatus.OK);
    assertThat(graphNodes.get(0).getExceptions()).containsExactly("java.net.SocketTimeoutException: Read timed out");
  }

  @Test
  void aTracesWorkflowTakesTheCorrelationIdAnEventCarriesAndACorrelationsWorkflowIsItsOwn() {
    WorkflowNodes nodes = nodes(List.of(root().setCorrelationId("order-from-span")),
        List.of(event(15, 7).setCorrelationId("order-7")));

    assertThat(nodes.correlationId(summary("trace:" + TRACE, WorkflowKind.TRACE))).isEqualTo("order-7");
    assertThat(nodes.correlationId(summary("order-9", WorkflowKind.CORRELATION))).isEqualTo("order-9");
    assertThat(nodes(List.of(root()), List.of()).correlationId(summary("trace:" + TRACE, WorkflowKind.TRACE))).isNull();
  }

  @Test
  void theTraceIdsAreTheNodesOwnAndTheSummarysWhenNoNodeNamesOne() {
    WorkflowSummary summary = summary("order-7", WorkflowKind.CORRELATION);
    summary.setTraceIds(List.of("from-the-summary"));

    assertThat(nodes(List.of(root()), List.of(event(15, 7).setTraceId(OTHER_TRACE))).traceIds(summary))
        .containsExactly(TRACE, OTHER_TRACE);
    assertThat(nodes(List.of(), List.of(event(15, 7).setTraceId(null))).traceIds(summary))
        .containsExactly("from-the-summary");
  }
}
