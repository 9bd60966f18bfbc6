package io.tracestitch.topology;

import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CONSUMER;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_PRODUCER;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER;
import static io.tracestitch.testing.Graphs.branch;
import static io.tracestitch.testing.Graphs.event;
import static io.tracestitch.testing.Graphs.hasEdge;
import static io.tracestitch.testing.Graphs.span;
import static io.tracestitch.testing.Otlp.spanId;
import static io.tracestitch.testing.Otlp.traceId;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.EdgeType;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.replay.ReplayDriver;
import io.tracestitch.testing.Checkout;
import io.tracestitch.testing.Events;
import io.tracestitch.testing.Graphs;
import io.tracestitch.testing.Otlp;
import io.tracestitch.testing.TimedInput;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The same workflow must come out whatever order its spans and events arrive in. */
class StitchingArrivalOrderTest {
  static final long T = Checkout.T0;
  static final String T1 = traceId(101);
  static final String T2 = traceId(102);

  @Test
  void eventsArrivingLongBeforeTheirSpansGiveTheSameGraph() {
    Checkout checkout = new Checkout(2, T);
    WorkflowGraph inOrder = CheckoutWorkflowTest.runAlone(checkout.inputs());
    List<TimedInput> eventsFirst = new ArrayList<>();
    for (TimedInput input : checkout.inputs()) {
      eventsFirst.add(input instanceof TimedInput.Event e
          ? new TimedInput.Event(e.topic(), e.key(), e.headers(), e.value(), T + 1) : input);
    }
    WorkflowGraph reordered = CheckoutWorkflowTest.runAlone(eventsFirst);

    assertThat(Graphs.nodeIds(reordered)).isEqualTo(Graphs.nodeIds(inOrder));
    assertThat(reordered.getEdges().stream().filter(e -> e.getType() != EdgeType.CORRELATED).toList())
        .isEqualTo(inOrder.getEdges());
    assertThat(reordered.getBranches().stream().map(b -> b.getConsumer() + ":" + b.getState()).toList())
        .isEqualTo(inOrder.getBranches().stream().map(b -> b.getConsumer() + ":" + b.getState()).toList());
  }

  @Test
  void spansWithoutCorrelationAreHeldUntilTheirEventNamesTheWorkflow() {
    // No span carries a correlation id: only the event's headers and payload tie the trace to order-77.
    Otlp spans = Otlp.batch()
        .span("order", T1, spanId(1), null, "POST /orders", SPAN_KIND_SERVER, T, T + 100).done()
        .span("order", T1, spanId(2), spanId(1), "order.created publish", SPAN_KIND_PRODUCER, T + 50, T + 60)
        .messaging("order.created", "send", null).done()
        .span("loyalty", T1, spanId(3), spanId(2), "award-points", SPAN_KIND_CONSUMER, T + 70, T + 90)
        .messaging("order.created", "process", "loyalty").done();
    List<WorkflowGraph> graphs = run(List.of(
        new TimedInput.SpanBatch(spans, T + 1000),
        new TimedInput.Event("order.created", null, Events.headers("traceparent", Events.traceparent(T1, spanId(2))),
            Events.flatEnvelope("evt-77", "order-77", "order.created"), T + 6000)));

    assertThat(graphs).hasSize(1);
    WorkflowGraph g = graphs.get(0);
    assertThat(g.getWorkflowId()).isEqualTo("order-77");
    assertThat(g.getNodes()).hasSize(4);
    assertThat(hasEdge(g, span(spanId(2)), event("evt-77"), EdgeType.PUBLISHED)).isTrue();
    assertThat(hasEdge(g, event("evt-77"), span(spanId(3)), EdgeType.CONSUMED_BY)).isTrue();
    assertThat(g.getMergedFrom()).as("held, not merged").isEmpty();
  }

  @Test
  void consumerThatStartedANewTraceIsJoinedByCorrelationAndTheGapIsMarked() {
    Otlp producer = Otlp.batch()
        .span("order", T1, spanId(1), null, "POST /orders", SPAN_KIND_SERVER, T, T + 100)
        .attr("correlation_id", "order-5").done()
        .span("order", T1, spanId(2), spanId(1), "order.created publish", SPAN_KIND_PRODUCER, T + 50, T + 60)
        .messaging("order.created", "send", null).done();
    // The loyalty consumer dropped the context: a fresh trace, no parent, no link; only the correlation id.
    Otlp consumer = Otlp.batch()
        .span("loyalty", T2, spanId(9), null, "order.created process", SPAN_KIND_CONSUMER, T + 300, T + 350)
        .messaging("order.created", "process", "loyalty").attr("correlation_id", "order-5").done();
    List<WorkflowGraph> graphs = run(List.of(
        new TimedInput.Event("order.created", null, Events.headers("traceparent", Events.traceparent(T1, spanId(2))),
            Events.flatEnvelope("evt-5", "order-5", "order.created"), T + 60),
        new TimedInput.SpanBatch(producer, T + 1000),
        new TimedInput.SpanBatch(consumer, T + 1200)));

    assertThat(graphs).hasSize(1);
    WorkflowGraph g = graphs.get(0);
    assertThat(g.getWorkflowId()).isEqualTo("order-5");
    assertThat(g.getTraceIds()).containsExactlyInAnyOrder(T1, T2);
    assertThat(hasEdge(g, event("evt-5"), span(spanId(9)), EdgeType.CORRELATED)).isTrue();
    assertThat(Graphs.edges(g, EdgeType.CONSUMED_BY)).isEmpty();
    assertThat(branch(g, "loyalty", "order.created").getState()).isEqualTo(BranchState.SUCCEEDED);
    assertThat(branch(g, "loyalty", "order.created").getQueueWaitMs()).isEqualTo(240L);
  }

  @Test
  void consumerJoinedOnlyByASpanLinkLandsInTheProducersWorkflow() {
    Otlp producer = Otlp.batch()
        .span("order", T1, spanId(1), null, "POST /orders", SPAN_KIND_SERVER, T, T + 100)
        .attr("correlation_id", "order-6").done()
        .span("order", T1, spanId(2), spanId(1), "order.created publish", SPAN_KIND_PRODUCER, T + 50, T + 60)
        .messaging("order.created", "send", null).done();
    // A batch consumer: its own trace, no correlation id, a link to the producer's context per the conventions.
    Otlp consumer = Otlp.batch()
        .span("analytics", T2, spanId(20), null, "order.created process", SPAN_KIND_CONSUMER, T + 400, T + 420)
        .messaging("order.created", "process", "analytics").link(T1, spanId(2)).done()
        .span("analytics", T2, spanId(21), spanId(20), "INSERT facts", SPAN_KIND_SERVER, T + 405, T + 415).done();
    for (boolean consumerFirst : new boolean[] {false, true}) {
      List<TimedInput> inputs = new ArrayList<>(List.of(
          new TimedInput.Event("order.created", null,
              Events.headers("traceparent", Events.traceparent(T1, spanId(2))),
              Events.flatEnvelope("evt-6", "order-6", "order.created"), T + 60),
          new TimedInput.SpanBatch(producer, consumerFirst ? T + 3000 : T + 1000),
          new TimedInput.SpanBatch(consumer, consumerFirst ? T + 800 : T + 2000)));
      List<WorkflowGraph> graphs = run(inputs);

      assertThat(graphs).as("consumer first: %s", consumerFirst).hasSize(1);
      WorkflowGraph g = graphs.get(0);
      assertThat(g.getWorkflowId()).isEqualTo("order-6");
      assertThat(g.getNodes()).hasSize(5);
      assertThat(hasEdge(g, span(spanId(20)), span(spanId(2)), EdgeType.LINK)).isTrue();
      assertThat(hasEdge(g, event("evt-6"), span(spanId(20)), EdgeType.CONSUMED_BY)).isTrue();
      assertThat(branch(g, "analytics", "order.created").getSubtreeSpans()).isEqualTo(1);
    }
  }

  @Test
  void twoWorkflowsThatTurnOutToBeOneAreMergedUnderOneId() {
    // Trace 1 says order-b, trace 2 says order-a; then a span of trace 2 links into trace 1.
    Otlp first = Otlp.batch()
        .span("order", T1, spanId(1), null, "POST /orders", SPAN_KIND_SERVER, T, T + 100)
        .attr("correlation_id", "order-b").done();
    Otlp second = Otlp.batch()
        .span("billing", T2, spanId(2), null, "POST /invoices", SPAN_KIND_SERVER, T + 200, T + 300)
        .attr("correlation_id", "order-a").done();
    Otlp bridge = Otlp.batch()
        .span("billing", T2, spanId(3), spanId(2), "reconcile", SPAN_KIND_CONSUMER, T + 250, T + 280)
        .link(T1, spanId(1)).done();
    List<WorkflowGraph> graphs = run(List.of(
        new TimedInput.SpanBatch(first, T + 1000),
        new TimedInput.SpanBatch(second, T + 1100),
        new TimedInput.SpanBatch(bridge, T + 1200)));

    assertThat(graphs).hasSize(1);
    WorkflowGraph g = graphs.get(0);
    assertThat(g.getWorkflowId()).as("a correlation id wins over the other by order, not by arrival").isEqualTo("order-a");
    assertThat(g.getMergedFrom()).containsExactly("order-b");
    assertThat(g.getTraceIds()).containsExactlyInAnyOrder(T1, T2);
    assertThat(Graphs.nodeIds(g)).containsExactly(span(spanId(1)), span(spanId(2)), span(spanId(3)));
    assertThat(hasEdge(g, span(spanId(3)), span(spanId(1)), EdgeType.LINK)).isTrue();
  }

  @Test
  void aMergeAfterPublicationWithdrawsTheLoserAndRevisesTheWinner() {
    Otlp first = Otlp.batch()
        .span("order", T1, spanId(1), null, "POST /orders", SPAN_KIND_SERVER, T, T + 100)
        .attr("correlation_id", "order-b").done();
    Otlp second = Otlp.batch()
        .span("billing", T2, spanId(2), null, "POST /invoices", SPAN_KIND_SERVER, T + 200, T + 300)
        .attr("correlation_id", "order-a").done();
    Otlp lateBridge = Otlp.batch()
        .span("billing", T2, spanId(3), spanId(2), "reconcile", SPAN_KIND_CONSUMER, T + 250, T + 280)
        .attr("correlation_id", "order-b").done();
    try (ReplayDriver driver = new ReplayDriver(CheckoutWorkflowTest.SETTINGS, Instant.ofEpochMilli(T))) {
      driver.pipeSpans(null, first.toProto(), T + 1000);
      driver.pipeSpans(null, second.toProto(), T + 1100);
      driver.advanceBy(java.time.Duration.ofSeconds(40));
      assertThat(driver.graphs()).extracting(WorkflowGraph::getWorkflowId).containsExactlyInAnyOrder("order-a", "order-b");
      driver.pipeSpans(null, lateBridge.toProto(), driver.wallMs() + 1000);
      driver.finish();

      var records = driver.graphRecords();
      assertThat(records.get(records.size() - 1).value()).isNotNull();
      assertThat(records.stream().filter(r -> r.value() == null).map(r -> r.key()).toList())
          .as("the loser's published graph is withdrawn with a tombstone").containsExactly("order-b");
      WorkflowGraph merged = driver.graphs().stream().filter(g -> g.getWorkflowId().equals("order-a"))
          .max(Comparator.comparingInt(WorkflowGraph::getRevision)).orElseThrow();
      assertThat(merged.getRevision()).isEqualTo(2);
      assertThat(merged.getMergedFrom()).containsExactly("order-b");
      assertThat(merged.getNodes()).hasSize(3);
    }
  }

  @Test
  void traceWithNoCorrelationAtAllIsAWorkflowOfItsOwn() {
    Otlp spans = Otlp.batch()
        .span("cron", T1, spanId(1), null, "nightly-report", SPAN_KIND_SERVER, T, T + 500).done()
        .span("cron", T1, spanId(2), spanId(1), "SELECT orders", SPAN_KIND_SERVER, T + 10, T + 400).done();
    List<WorkflowGraph> graphs = run(List.of(new TimedInput.SpanBatch(spans, T + 1000)));

    assertThat(graphs).hasSize(1);
    assertThat(graphs.get(0).getWorkflowId()).isEqualTo("trace:" + T1);
    assertThat(graphs.get(0).getCorrelationId()).isNull();
    assertThat(graphs.get(0).getNodes()).hasSize(2);
  }

  static List<WorkflowGraph> run(List<TimedInput> inputs) {
    try (ReplayDriver driver = new ReplayDriver(CheckoutWorkflowTest.SETTINGS, Instant.ofEpochMilli(T))) {
      TimedInput.pipeAll(inputs, driver);
      driver.finish();
      return driver.graphs();
    }
  }
}
