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

import io.tracestitch.avro.Branch;
import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.EdgeType;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.avro.WorkflowStatus;
import io.tracestitch.testing.Checkout;
import io.tracestitch.testing.Events;
import io.tracestitch.testing.Graphs;
import io.tracestitch.testing.Otlp;
import io.tracestitch.testing.TimedInput;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Retries and duplicates must stay visible, not be collapsed away. */
class RetriesAndDuplicatesTest {
  static final long T = Checkout.T0;
  static final String T1 = traceId(201);

  static Otlp producer() {
    return Otlp.batch()
        .span("order", T1, spanId(1), null, "POST /orders", SPAN_KIND_SERVER, T, T + 100)
        .attr("correlation_id", "order-9").ok().done()
        .span("order", T1, spanId(2), spanId(1), "order.created publish", SPAN_KIND_PRODUCER, T + 50, T + 60)
        .messaging("order.created", "send", null).done();
  }

  static TimedInput.Event orderCreated(long offsetTime) {
    return new TimedInput.Event("order.created", null, Events.headers("traceparent", Events.traceparent(T1, spanId(2))),
        Events.flatEnvelope("evt-9", "order-9", "order.created"), offsetTime);
  }

  @Test
  void retryThatFailsTwiceThenSucceedsIsOneBranchWithThreeChainedAttempts() {
    Otlp payment = Otlp.batch()
        .span("payment", T1, spanId(10), spanId(2), "authorize-payment", SPAN_KIND_CONSUMER, T + 200, T + 250)
        .messaging("order.created", "process", "payment").error("timeout").done()
        .span("payment", T1, spanId(11), spanId(2), "authorize-payment", SPAN_KIND_CONSUMER, T + 1200, T + 1250)
        .messaging("order.created", "process", "payment").error("timeout again").done()
        .span("payment", T1, spanId(12), spanId(2), "authorize-payment", SPAN_KIND_CONSUMER, T + 3200, T + 3300)
        .messaging("order.created", "process", "payment").ok().done();
    WorkflowGraph g = single(List.of(orderCreated(T + 60), new TimedInput.SpanBatch(producer(), T + 1000),
        new TimedInput.SpanBatch(payment, T + 4000)));

    Branch b = branch(g, "payment", "order.created");
    assertThat(b.getAttempts()).isEqualTo(3);
    assertThat(b.getState()).isEqualTo(BranchState.SUCCEEDED);
    assertThat(b.getLastError()).contains("timeout again");
    assertThat(b.getProcessingMs()).as("the successful attempt's duration").isEqualTo(100L);
    assertThat(b.getAttemptNodeIds()).containsExactly(span(spanId(10)), span(spanId(11)), span(spanId(12)));
    assertThat(Graphs.edges(g, EdgeType.RETRY_OF)).containsExactly(
        span(spanId(11)) + " -> " + span(spanId(10)), span(spanId(12)) + " -> " + span(spanId(11)));
    assertThat(Graphs.node(g, span(spanId(12))).getAttempt()).isEqualTo(3);
    assertThat(g.getStatus()).isEqualTo(WorkflowStatus.SUCCEEDED);
    assertThat(g.getCriticalPath()).endsWith(span(spanId(10)), span(spanId(11)), span(spanId(12)));
  }

  @Test
  void retryThatNeverSucceedsFailsTheBranchAndTheWorkflow() {
    Otlp payment = Otlp.batch()
        .span("payment", T1, spanId(10), spanId(2), "authorize-payment", SPAN_KIND_CONSUMER, T + 200, T + 250)
        .messaging("order.created", "process", "payment").error("declined").done()
        .span("payment", T1, spanId(11), spanId(2), "authorize-payment", SPAN_KIND_CONSUMER, T + 1200, T + 1250)
        .messaging("order.created", "process", "payment").error("declined").done();
    WorkflowGraph g = single(List.of(orderCreated(T + 60), new TimedInput.SpanBatch(producer(), T + 1000),
        new TimedInput.SpanBatch(payment, T + 2000)));

    assertThat(branch(g, "payment", "order.created").getState()).isEqualTo(BranchState.FAILED);
    assertThat(branch(g, "payment", "order.created").getAttempts()).isEqualTo(2);
    assertThat(g.getStatus()).isEqualTo(WorkflowStatus.FAILED);
  }

  @Test
  void duplicateDeliveryOfAnEventStaysVisibleAsTwoDeliveriesAndTwoAttempts() {
    // The producer retried its send: the same event id sits at two offsets, and loyalty handled both.
    Otlp loyalty = Otlp.batch()
        .span("loyalty", T1, spanId(30), spanId(2), "award-points", SPAN_KIND_CONSUMER, T + 200, T + 220)
        .messaging("order.created", "process", "loyalty").attr("messaging.kafka.message.offset", 0).attr(
            "messaging.destination.partition.id", "0").done()
        .span("loyalty", T1, spanId(31), spanId(2), "award-points", SPAN_KIND_CONSUMER, T + 300, T + 320)
        .messaging("order.created", "process", "loyalty").attr("messaging.kafka.message.offset", 1).attr(
            "messaging.destination.partition.id", "0").done();
    WorkflowGraph g = single(List.of(orderCreated(T + 60), orderCreated(T + 65),
        new TimedInput.SpanBatch(producer(), T + 1000), new TimedInput.SpanBatch(loyalty, T + 1100)));

    assertThat(Graphs.nodeIds(g)).contains(event("evt-9"), event("evt-9") + "#2");
    assertThat(hasEdge(g, event("evt-9") + "#2", event("evt-9"), EdgeType.RETRY_OF)).isTrue();
    assertThat(hasEdge(g, event("evt-9"), span(spanId(30)), EdgeType.CONSUMED_BY)).isTrue();
    assertThat(hasEdge(g, event("evt-9") + "#2", span(spanId(31)), EdgeType.CONSUMED_BY)).isTrue();
    Branch b = branch(g, "loyalty", "order.created");
    assertThat(b.getAttempts()).as("the same event id handled twice by one consumer").isEqualTo(2);
    assertThat(b.getEventNodeId()).isEqualTo(event("evt-9"));
  }

  @Test
  void aSpanExportedTwiceIsCountedOnceAndTheDuplicateReported() {
    WorkflowGraph g = single(List.of(orderCreated(T + 60), new TimedInput.SpanBatch(producer(), T + 1000),
        new TimedInput.SpanBatch(producer(), T + 1500)));

    assertThat(g.getNodes()).hasSize(3);
    assertThat(g.getDuplicateSpans()).isEqualTo(2);
  }

  static WorkflowGraph single(List<TimedInput> inputs) {
    List<WorkflowGraph> graphs = StitchingArrivalOrderTest.run(inputs);
    assertThat(graphs).hasSize(1);
    return graphs.get(0);
  }
}
