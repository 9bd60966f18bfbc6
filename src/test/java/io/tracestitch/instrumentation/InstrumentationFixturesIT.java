package io.tracestitch.instrumentation;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.Alert;
import io.tracestitch.avro.AlertAction;
import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.Branch;
import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.EdgeType;
import io.tracestitch.avro.GraphNode;
import io.tracestitch.avro.NodeStatus;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.avro.WorkflowStatus;
import io.tracestitch.instrumentation.RecordedOrders.Shape;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Graphs from real instrumentation: the OpenTelemetry Kafka library instrumentation for Java
 * ({@code opentelemetry-kafka-clients-2.6} 2.29.0-alpha) wraps real producers and consumers on the embedded
 * broker, the SDK's in-memory exporter records their spans, and the spans (as OTLP/JSON) and the topic's records
 * (with the headers the instrumentation wrote) go through {@code replay}, as a user checking their
 * instrumentation would send them. Its spans use the older conventions: {@code orders publish/receive/process},
 * {@code messaging.operation}, {@code messaging.kafka.consumer.group}, {@code messaging.kafka.message.offset}, no
 * message id, traceparent flags {@code 03}. The files stay in target/instrumentation-fixtures/ for inspection.
 */
class InstrumentationFixturesIT {
  private static final Path FIXTURES = Path.of("target", "instrumentation-fixtures");
  private static final int ORDERS = 6;

  @Test
  void theDefaultShapeTiesEachProcessSpanToItsEventThroughTheProducersContext() throws Exception {
    Replayed replayed = record("default", RecordedOrders.of("default", ORDERS, 50)
        .consumer("inventory", Shape.DEFAULT, Handlers.stores("SELECT stock")));

    assertOneUnmergedGraphPerOrder(replayed);
    for (WorkflowGraph g : replayed.graphs()) {
      Branch inventory = Fixtures.branch(g, "inventory");
      assertThat(inventory.getState()).isEqualTo(BranchState.SUCCEEDED);
      GraphNode attempt = onlyAttempt(g, inventory);
      assertThat(Fixtures.parentOf(g, attempt)).isEqualTo(Fixtures.publisherOf(g, inventory));
      assertThat(Fixtures.edge(g, inventory.getEventNodeId(), attempt.getId())).isEqualTo(EdgeType.CONSUMED_BY);
      assertThat(inventory.getQueueWaitMs()).isPositive();
      assertThat(inventory.getSubtreeSpans()).as("the handler's SELECT").isEqualTo(1);
      assertThat(g.getTraceIds()).hasSize(1);
      assertThat(g.getStatus()).isEqualTo(WorkflowStatus.SUCCEEDED);
    }
    assertThat(replayed.edges(EdgeType.CORRELATED)).isZero();
    assertThat(replayed.alerts()).isEmpty();
  }

  @Test
  void withReceiveTelemetryTheProcessSpanIsTheAttemptAndTheReceiveSpanIsThePoll() throws Exception {
    Replayed replayed = record("receive", RecordedOrders.of("receive", ORDERS, 0)
        .consumer("inventory", Shape.RECEIVE_TELEMETRY, Handlers.stores("SELECT stock"))
        .consumer("loyalty", Shape.RECEIVE_TELEMETRY, Handlers.retriesTheWriteOnce("INSERT points"))
        .consumersStartAfterPublishing());

    assertOneUnmergedGraphPerOrder(replayed);
    for (WorkflowGraph g : replayed.graphs()) {
      for (String consumer : List.of("inventory", "loyalty")) {
        Branch b = Fixtures.branch(g, consumer);
        assertThat(b.getState()).isEqualTo(BranchState.SUCCEEDED);
        GraphNode attempt = onlyAttempt(g, b);
        GraphNode receive = Fixtures.parentOf(g, attempt);
        assertThat(receive.getName()).endsWith(" receive");
        assertThat(Fixtures.edge(g, attempt.getId(), receive.getId())).isEqualTo(EdgeType.CHILD_OF);
        assertThat(g.getBranches()).noneMatch(other -> other.getAttemptNodeIds().contains(receive.getId()));
        assertThat(Fixtures.edge(g, attempt.getId(), Fixtures.publisherOf(g, b).getId())).isEqualTo(EdgeType.LINK);
        assertThat(Fixtures.edge(g, b.getEventNodeId(), attempt.getId())).isEqualTo(EdgeType.CONSUMED_BY);
        assertThat(b.getQueueWaitMs()).isPositive();
      }
      // loyalty's first INSERT failed and the handler's retry of it succeeded: handled, not a failure.
      Branch loyalty = Fixtures.branch(g, "loyalty");
      assertThat(loyalty.getLastError()).isNull();
      assertThat(g.getNodes()).anyMatch(n -> "loyalty".equals(n.getService()) && n.getStatus() == NodeStatus.ERROR);
      assertThat(g.getTraceIds()).hasSize(3);
    }
    assertThat(replayed.edges(EdgeType.CORRELATED)).isZero();
    assertThat(receiveSpansServingSeveralOrders(replayed)).as("polls that held several orders").isNotEmpty();
    assertThat(replayed.alerts()).isEmpty();
  }

  @Test
  void withReceiveTelemetryAndOrdersTricklingInEachPollsProcessSpanIsTheAttemptWithItsRealQueueWait()
      throws Exception {
    // Consumers polling while orders arrive one by one: each poll's receive span starts before the order it
    // fetches was published, so taking it for the attempt would show no queue wait at all.
    Replayed replayed = record("receive-live", RecordedOrders.of("receive-live", ORDERS, 300)
        .consumer("inventory", Shape.RECEIVE_TELEMETRY, Handlers.stores("SELECT stock"))
        .consumer("analytics", Shape.RECEIVE_TELEMETRY, Handlers.failsToStore("analytics store unavailable")));

    assertOneUnmergedGraphPerOrder(replayed);
    for (WorkflowGraph g : replayed.graphs()) {
      for (String consumer : List.of("inventory", "analytics")) {
        Branch b = Fixtures.branch(g, consumer);
        GraphNode attempt = onlyAttempt(g, b);
        assertThat(attempt.getName()).endsWith(" process");
        assertThat(Fixtures.parentOf(g, attempt).getName()).endsWith(" receive");
        assertThat(Fixtures.edge(g, b.getEventNodeId(), attempt.getId())).isEqualTo(EdgeType.CONSUMED_BY);
        assertThat(b.getQueueWaitMs()).isPositive();
      }
      assertThat(Fixtures.branch(g, "inventory").getState()).isEqualTo(BranchState.SUCCEEDED);
      assertThat(Fixtures.branch(g, "analytics").getState()).isEqualTo(BranchState.FAILED);
    }
    assertThat(replayed.edges(EdgeType.CORRELATED)).isZero();
    assertThat(triggered(replayed, AlertKind.SILENT_FAILURE)).containsExactly("analytics");
  }

  @Test
  void aFailureRecordedInsideTheHandlerFailsTheBranchAndPagesWhileAHandledRetryDoesNot() throws Exception {
    Replayed replayed = record("handler-failure", RecordedOrders.of("handler-failure", ORDERS, 50)
        .consumer("analytics", Shape.DEFAULT, Handlers.failsToStore("analytics store unavailable"))
        .consumer("loyalty", Shape.DEFAULT, Handlers.retriesTheWriteOnce("INSERT points"))
        .consumer("payment", Shape.DEFAULT, Handlers.retriesTheWriteInVain("INSERT payments")));

    assertOneUnmergedGraphPerOrder(replayed);
    for (WorkflowGraph g : replayed.graphs()) {
      Branch analytics = Fixtures.branch(g, "analytics");
      assertThat(analytics.getState()).isEqualTo(BranchState.FAILED);
      assertThat(onlyAttempt(g, analytics).getStatus()).as("the library leaves its process span unset")
          .isEqualTo(NodeStatus.UNSET);
      assertThat(analytics.getLastError()).isEqualTo("java.io.IOException: analytics store unavailable");
      assertThat(Fixtures.branch(g, "loyalty").getState()).isEqualTo(BranchState.SUCCEEDED);
      Branch payment = Fixtures.branch(g, "payment");
      assertThat(payment.getState()).as("retried, but never recovered").isEqualTo(BranchState.FAILED);
      assertThat(payment.getLastError()).isEqualTo("java.io.IOException: connection refused");
      assertThat(g.getStatus()).isEqualTo(WorkflowStatus.FAILED);
    }
    assertThat(triggered(replayed, AlertKind.SILENT_FAILURE)).containsExactlyInAnyOrder("analytics", "payment");
  }

  @Test
  void aBatchListenersSpanIsTheAttemptAtEveryMessageItLinksTo() throws Exception {
    Replayed replayed = record("batch", RecordedOrders.of("batch", ORDERS, 0)
        .batchConsumer("analytics", Handlers.storesTheBatch("INSERT facts"))
        .batchConsumer("search", Handlers.failsTheBatch("search index is read-only"))
        .consumersStartAfterPublishing());

    assertOneUnmergedGraphPerOrder(replayed);
    for (WorkflowGraph g : replayed.graphs()) {
      for (String consumer : List.of("analytics", "search")) {
        Branch b = Fixtures.branch(g, consumer);
        GraphNode batch = onlyAttempt(g, b);
        assertThat(batch.getName()).endsWith(" process");
        assertThat(Fixtures.edge(g, batch.getId(), Fixtures.publisherOf(g, b).getId())).isEqualTo(EdgeType.LINK);
        assertThat(Fixtures.edge(g, b.getEventNodeId(), batch.getId())).isEqualTo(EdgeType.CONSUMED_BY);
        assertThat(b.getQueueWaitMs()).isPositive();
      }
      assertThat(Fixtures.branch(g, "analytics").getState()).isEqualTo(BranchState.SUCCEEDED);
      assertThat(Fixtures.branch(g, "search").getState()).isEqualTo(BranchState.FAILED);
      assertThat(Fixtures.branch(g, "search").getLastError())
          .isEqualTo("java.lang.IllegalStateException: search index is read-only");
    }
    Set<String> batchSpans = replayed.branchesOf("analytics").stream().map(b -> b.getAttemptNodeIds().get(0))
        .collect(Collectors.toSet());
    assertThat(batchSpans.size()).as("batch spans, each the attempt of several orders").isLessThan(ORDERS);
    assertThat(replayed.edges(EdgeType.CORRELATED)).isZero();
    assertThat(triggered(replayed, AlertKind.SILENT_FAILURE)).containsExactly("search");
  }

  @Test
  void aConsumerThatDropsTheContextIsJoinedByItsCorrelationIdAndTheGapShows() throws Exception {
    Replayed replayed = record("no-propagation", RecordedOrders.of("no-propagation", ORDERS, 50)
        .consumer("notification", Shape.NO_PROPAGATION, Handlers.tagsTheCorrelationId("INSERT receipts")));

    assertOneUnmergedGraphPerOrder(replayed);
    for (WorkflowGraph g : replayed.graphs()) {
      Branch notification = Fixtures.branch(g, "notification");
      assertThat(notification.getState()).isEqualTo(BranchState.SUCCEEDED);
      GraphNode attempt = onlyAttempt(g, notification);
      assertThat(attempt.getParentSpanId()).as("a trace of its own").isNull();
      assertThat(Fixtures.edge(g, notification.getEventNodeId(), attempt.getId())).isEqualTo(EdgeType.CORRELATED);
      assertThat(notification.getQueueWaitMs()).isPositive();
      assertThat(g.getTraceIds()).hasSize(2);
    }
    assertThat(replayed.edges(EdgeType.CONSUMED_BY)).isZero();
    assertThat(replayed.alerts()).isEmpty();
  }

  private static Replayed record(String mode, RecordedOrders orders) throws Exception {
    Replayed replayed = Replayed.of(orders.record().write(FIXTURES.resolve(mode)));
    System.out.println("Java library instrumentation, " + mode + ": " + replayed.figures());
    return replayed;
  }

  private static void assertOneUnmergedGraphPerOrder(Replayed replayed) {
    assertThat(replayed.graphs()).extracting(WorkflowGraph::getWorkflowId)
        .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.rangeClosed(1, ORDERS)
            .mapToObj(RecordedOrders::correlationId).toList());
    assertThat(replayed.graphs()).allSatisfy(g -> assertThat(g.getMergedFrom()).isEmpty());
  }

  private static GraphNode onlyAttempt(WorkflowGraph g, Branch b) {
    assertThat(b.getAttemptNodeIds()).as("%s's attempts in %s", b.getConsumer(), g.getWorkflowId()).hasSize(1);
    GraphNode attempt = Fixtures.node(g, b.getAttemptNodeIds().get(0));
    assertThat(attempt.getSpanKind()).isEqualTo("CONSUMER");
    return attempt;
  }

  private static Set<String> receiveSpansServingSeveralOrders(Replayed replayed) {
    return replayed.graphs().stream()
        .flatMap(g -> g.getBranches().stream().map(b -> Fixtures.parentOf(g, Fixtures.node(g, b.getAttemptNodeIds()
            .get(0))).getId()))
        .collect(Collectors.groupingBy(id -> id, Collectors.counting()))
        .entrySet().stream().filter(e -> e.getValue() > 1).map(java.util.Map.Entry::getKey)
        .collect(Collectors.toSet());
  }

  /** The consumers a TRIGGER of this kind named, for order.created. */
  private static List<String> triggered(Replayed replayed, AlertKind kind) {
    return replayed.alerts().stream()
        .filter(a -> a.getKind() == kind && a.getAction() == AlertAction.TRIGGER)
        .filter(a -> "order.created".equals(a.getGroup()))
        .map(Alert::getComponent).distinct().toList();
  }
}
