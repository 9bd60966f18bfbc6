package io.tracestitch.topology;

import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CLIENT;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CONSUMER;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_INTERNAL;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_PRODUCER;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER;
import static io.tracestitch.testing.Graphs.branch;
import static io.tracestitch.testing.Graphs.event;
import static io.tracestitch.testing.Graphs.hasEdge;
import static io.tracestitch.testing.Graphs.span;
import static io.tracestitch.testing.Otlp.spanId;
import static io.tracestitch.testing.Otlp.traceId;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.Branch;
import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.EdgeType;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.testing.Checkout;
import io.tracestitch.testing.Events;
import io.tracestitch.testing.Graphs;
import io.tracestitch.testing.Otlp;
import io.tracestitch.testing.TimedInput;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shapes real Kafka instrumentation gives consumers (see docs/instrumentation.md), built by hand so each rule
 * is seen on its own: which span is a branch's attempt, which edge joins it, and when the branch failed. The
 * fixtures recorded from the instrumentation itself are in io.tracestitch.instrumentation.
 */
class InstrumentationShapesTest {
  static final long T = Checkout.T0;
  static final String POLL_TRACE = traceId(900);

  /** Order {@code n}: its request span with the correlation id, its publish span, and its event on the topic. */
  private static List<TimedInput> order(int n, long at) {
    Otlp spans = Otlp.batch()
        .span("order", trace(n), sid(n, 1), null, "POST /orders", SPAN_KIND_SERVER, at, at + 100)
        .attr("correlation_id", "order-" + n).done()
        .span("order", trace(n), sid(n, 2), sid(n, 1), "order.created publish", SPAN_KIND_PRODUCER, at + 50, at + 60)
        .attr("messaging.system", "kafka").attr("messaging.destination.name", "order.created")
        .attr("messaging.operation", "publish").done();
    return List.of(new TimedInput.SpanBatch(spans, at + 1000),
        new TimedInput.Event("order.created", "order-" + n,
            Events.headers("traceparent", "00-" + trace(n) + "-" + sid(n, 2) + "-03"),
            Events.flatEnvelope("evt-" + n, "order-" + n, "order.created"), at + 60));
  }

  private static String trace(int n) {
    return traceId(800 + n);
  }

  private static String sid(int n, int local) {
    return spanId(n * 1000 + local);
  }

  /** A process span of the Java library's older conventions, at the event's position (offset n - 1). */
  private static Otlp.SpanSpec process(Otlp batch, String service, String traceId, String spanId, String parent,
      int n, long start, long end) {
    return batch.span(service, traceId, spanId, parent, "order.created process", SPAN_KIND_CONSUMER, start, end)
        .attr("messaging.system", "kafka").attr("messaging.destination.name", "order.created")
        .attr("messaging.operation", "process").attr("messaging.kafka.consumer.group", service)
        .attr("messaging.destination.partition.id", "0").attr("messaging.kafka.message.offset", n - 1);
  }

  private static List<WorkflowGraph> run(List<TimedInput> inputs) {
    return StitchingArrivalOrderTest.run(inputs);
  }

  private static WorkflowGraph only(List<TimedInput> inputs) {
    List<WorkflowGraph> graphs = run(inputs);
    assertThat(graphs).hasSize(1);
    return graphs.get(0);
  }

  private static WorkflowGraph workflow(List<WorkflowGraph> graphs, String id) {
    return graphs.stream().filter(g -> g.getWorkflowId().equals(id)).reduce((a, b) -> b).orElseThrow();
  }

  @Test
  void aReceiveSpanServingTwoOrdersIsThePollOfBothAndEachProcessSpanIsItsOrdersAttempt() {
    List<TimedInput> in = new ArrayList<>(order(1, T));
    in.addAll(order(2, T + 20));
    // Receive telemetry on: one receive span per poll, a trace of its own; one process span per record, its
    // child, linking to the record's producer. Nothing in this trace carries a correlation id.
    Otlp poll = Otlp.batch()
        .span("inventory", POLL_TRACE, spanId(1), null, "order.created receive", SPAN_KIND_CONSUMER, T + 40, T + 200)
        .attr("messaging.system", "kafka").attr("messaging.destination.name", "order.created")
        .attr("messaging.operation", "receive").attr("messaging.kafka.consumer.group", "inventory")
        .attr("messaging.batch.message_count", 2).done();
    process(poll, "inventory", POLL_TRACE, spanId(2), spanId(1), 1, T + 210, T + 240).link(trace(1), sid(1, 2)).done();
    poll.span("inventory", POLL_TRACE, spanId(3), spanId(2), "SELECT stock", SPAN_KIND_CLIENT, T + 215, T + 235).done();
    process(poll, "inventory", POLL_TRACE, spanId(4), spanId(1), 2, T + 240, T + 260).link(trace(2), sid(2, 2)).done();
    in.add(new TimedInput.SpanBatch(poll, T + 1300));

    List<WorkflowGraph> graphs = run(in);

    assertThat(graphs).extracting(WorkflowGraph::getWorkflowId).containsExactlyInAnyOrder("order-1", "order-2");
    assertThat(graphs).allSatisfy(g -> assertThat(g.getMergedFrom()).isEmpty());
    for (int n = 1; n <= 2; n++) {
      WorkflowGraph g = workflow(graphs, "order-" + n);
      String attempt = span(spanId(n == 1 ? 2 : 4));
      Branch inventory = branch(g, "inventory", "order.created");
      assertThat(inventory.getAttemptNodeIds()).containsExactly(attempt);
      assertThat(inventory.getQueueWaitMs()).isEqualTo(n == 1 ? 150L : 160L);
      assertThat(hasEdge(g, event("evt-" + n), attempt, EdgeType.CONSUMED_BY)).isTrue();
      assertThat(hasEdge(g, attempt, span(sid(n, 2)), EdgeType.LINK)).isTrue();
      assertThat(hasEdge(g, attempt, span(spanId(1)), EdgeType.CHILD_OF)).as("the poll is in both graphs").isTrue();
      assertThat(Graphs.edges(g, EdgeType.CORRELATED)).isEmpty();
      assertThat(g.getWarnings()).noneMatch(w -> w.contains("parent span that never arrived"));
    }
    assertThat(Graphs.nodeIds(workflow(graphs, "order-1"))).contains(span(spanId(3)));
    assertThat(Graphs.nodeIds(workflow(graphs, "order-2"))).doesNotContain(span(spanId(3)), span(spanId(2)));
  }

  @Test
  void aReceiveSpanExportedApartFromItsProcessSpansStillMergesNothing() {
    List<TimedInput> in = new ArrayList<>(order(1, T));
    in.addAll(order(2, T + 20));
    Otlp receive = Otlp.batch()
        .span("inventory", POLL_TRACE, spanId(1), null, "order.created receive", SPAN_KIND_CONSUMER, T + 40, T + 200)
        .attr("messaging.operation", "receive").attr("messaging.destination.name", "order.created")
        .attr("messaging.kafka.consumer.group", "inventory").attr("messaging.batch.message_count", 2).done();
    Otlp processed = Otlp.batch();
    process(processed, "inventory", POLL_TRACE, spanId(2), spanId(1), 1, T + 210, T + 240).link(trace(1), sid(1, 2))
        .done();
    process(processed, "inventory", POLL_TRACE, spanId(4), spanId(1), 2, T + 240, T + 260).link(trace(2), sid(2, 2))
        .done();
    in.add(new TimedInput.SpanBatch(receive, T + 1200));
    in.add(new TimedInput.SpanBatch(processed, T + 2200));

    List<WorkflowGraph> graphs = run(in);

    assertThat(graphs).extracting(WorkflowGraph::getWorkflowId).containsExactlyInAnyOrder("order-1", "order-2");
    for (int n = 1; n <= 2; n++) {
      WorkflowGraph g = workflow(graphs, "order-" + n);
      assertThat(g.getMergedFrom()).isEmpty();
      assertThat(branch(g, "inventory", "order.created").getAttemptNodeIds())
          .containsExactly(span(spanId(n == 1 ? 2 : 4)));
    }
    // Seen apart, the receive span follows the first workflow its trace served; it is never an attempt.
    long withPoll = graphs.stream().filter(g -> Graphs.nodeIds(g).contains(span(spanId(1)))).count();
    assertThat(withPoll).isEqualTo(1);
  }

  @Test
  void aBatchSpanLinkingTwoOrdersIsTheAttemptInBothAndItsErrorFailsBoth() {
    List<TimedInput> in = new ArrayList<>(order(1, T));
    in.addAll(order(2, T + 20));
    Otlp batch = Otlp.batch()
        .span("search", POLL_TRACE, spanId(1), null, "order.created process", SPAN_KIND_CONSUMER, T + 300, T + 400)
        .attr("messaging.operation", "process").attr("messaging.destination.name", "order.created")
        .attr("messaging.kafka.consumer.group", "search").attr("messaging.batch.message_count", 2)
        .link(trace(1), sid(1, 2)).link(trace(2), sid(2, 2)).error("index is read-only").done()
        .span("search", POLL_TRACE, spanId(2), spanId(1), "POST /_bulk", SPAN_KIND_CLIENT, T + 310, T + 390).done();
    in.add(new TimedInput.SpanBatch(batch, T + 1400));

    List<WorkflowGraph> graphs = run(in);

    assertThat(graphs).extracting(WorkflowGraph::getWorkflowId).containsExactlyInAnyOrder("order-1", "order-2");
    for (int n = 1; n <= 2; n++) {
      WorkflowGraph g = workflow(graphs, "order-" + n);
      Branch search = branch(g, "search", "order.created");
      assertThat(search.getAttemptNodeIds()).containsExactly(span(spanId(1)));
      assertThat(search.getState()).isEqualTo(BranchState.FAILED);
      assertThat(search.getSubtreeSpans()).isEqualTo(1);
      assertThat(hasEdge(g, event("evt-" + n), span(spanId(1)), EdgeType.CONSUMED_BY)).isTrue();
      assertThat(hasEdge(g, span(spanId(1)), span(sid(n, 2)), EdgeType.LINK)).isTrue();
      assertThat(g.getFindings()).anyMatch(f -> f.getKind().name().equals("SILENT_FAILURE"));
    }
  }

  @Test
  void aSingleReceiveSpanPerMessageUnderTheProducerIsTheAttempt() {
    // Spring Kafka's observation and older instrumentation: one "receive" span per record, the producer's child,
    // the older attribute names throughout.
    List<TimedInput> in = new ArrayList<>(order(1, T));
    in.add(new TimedInput.SpanBatch(Otlp.batch()
        .span("loyalty", trace(1), spanId(7), sid(1, 2), "order.created receive", SPAN_KIND_CONSUMER, T + 90, T + 120)
        .attr("messaging.system", "kafka").attr("messaging.destination", "order.created")
        .attr("messaging.operation", "receive").attr("messaging.kafka.consumer_group", "loyalty")
        .attr("messaging.kafka.partition", 0).attr("messaging.kafka.offset", "0").done(), T + 1200));

    WorkflowGraph g = only(in);

    Branch loyalty = branch(g, "loyalty", "order.created");
    assertThat(loyalty.getAttemptNodeIds()).containsExactly(span(spanId(7)));
    assertThat(loyalty.getQueueWaitMs()).isEqualTo(30L);
    assertThat(hasEdge(g, event("evt-1"), span(spanId(7)), EdgeType.CONSUMED_BY)).isTrue();
  }

  @Test
  void anErrorRecordedInsideTheHandlerFailsTheBranchThoughTheProcessSpanIsUnset() {
    List<TimedInput> in = new ArrayList<>(order(1, T));
    Otlp consumer = Otlp.batch();
    process(consumer, "analytics", trace(1), spanId(10), sid(1, 2), 1, T + 100, T + 150).done();
    consumer.span("analytics", trace(1), spanId(11), spanId(10), "store-event", SPAN_KIND_INTERNAL, T + 110, T + 140)
        .error("analytics store unavailable").done();
    in.add(new TimedInput.SpanBatch(consumer, T + 1200));

    WorkflowGraph g = only(in);

    Branch analytics = branch(g, "analytics", "order.created");
    assertThat(analytics.getState()).isEqualTo(BranchState.FAILED);
    assertThat(analytics.getLastError()).isEqualTo("java.io.IOException: analytics store unavailable");
    assertThat(g.getFindings()).anyMatch(f -> f.getKind().name().equals("SILENT_FAILURE")
        && "analytics".equals(f.getConsumer()));
  }

  @Test
  void aFailedCallThatTheHandlerRetriedSuccessfullyDoesNotFailTheBranch() {
    List<TimedInput> in = new ArrayList<>(order(1, T));
    Otlp consumer = Otlp.batch();
    process(consumer, "loyalty", trace(1), spanId(10), sid(1, 2), 1, T + 100, T + 200).done();
    consumer.span("loyalty", trace(1), spanId(11), spanId(10), "INSERT points", SPAN_KIND_CLIENT, T + 110, T + 120)
        .error("deadlock detected").done()
        .span("loyalty", trace(1), spanId(12), spanId(10), "INSERT points", SPAN_KIND_CLIENT, T + 130, T + 140).done();
    in.add(new TimedInput.SpanBatch(consumer, T + 1200));

    WorkflowGraph g = only(in);

    assertThat(branch(g, "loyalty", "order.created").getState()).isEqualTo(BranchState.SUCCEEDED);
    assertThat(branch(g, "loyalty", "order.created").getLastError()).isNull();
    assertThat(g.getFindings()).noneMatch(f -> f.getKind().name().equals("SILENT_FAILURE"));
  }

  @Test
  void aFailedCallFollowedByADifferentCallIsNotARecovery() {
    // Not the same operation tried again: the handler went on after INSERT points failed, which proves nothing.
    List<TimedInput> in = new ArrayList<>(order(1, T));
    Otlp consumer = Otlp.batch();
    process(consumer, "loyalty", trace(1), spanId(10), sid(1, 2), 1, T + 100, T + 200).done();
    consumer.span("loyalty", trace(1), spanId(11), spanId(10), "INSERT points", SPAN_KIND_CLIENT, T + 110, T + 120)
        .error("deadlock detected").done()
        .span("loyalty", trace(1), spanId(12), spanId(10), "UPDATE tiers", SPAN_KIND_CLIENT, T + 130, T + 140).done()
        // A later INSERT points that failed too is no recovery either.
        .span("loyalty", trace(1), spanId(13), spanId(10), "INSERT points", SPAN_KIND_CLIENT, T + 150, T + 160)
        .error("deadlock detected again").done();
    in.add(new TimedInput.SpanBatch(consumer, T + 1200));

    Branch loyalty = branch(only(in), "loyalty", "order.created");

    assertThat(loyalty.getState()).isEqualTo(BranchState.FAILED);
    assertThat(loyalty.getLastError()).isEqualTo("java.io.IOException: deadlock detected");
  }

  @Test
  void anOkStatusSetByTheServiceOverrulesTheErrorsBelowIt() {
    List<TimedInput> in = new ArrayList<>(order(1, T));
    Otlp consumer = Otlp.batch();
    process(consumer, "loyalty", trace(1), spanId(10), sid(1, 2), 1, T + 100, T + 200).done();
    consumer.span("loyalty", trace(1), spanId(11), spanId(10), "award-points", SPAN_KIND_INTERNAL, T + 105, T + 195)
        .ok().done()
        .span("loyalty", trace(1), spanId(12), spanId(11), "GET /members/42", SPAN_KIND_CLIENT, T + 110, T + 120)
        .error("404 Not Found").done();
    in.add(new TimedInput.SpanBatch(consumer, T + 1200));

    assertThat(branch(only(in), "loyalty", "order.created").getState()).isEqualTo(BranchState.SUCCEEDED);
  }

  @Test
  void aFollowUpEventsConsumerAndACalleeServiceFailOnTheirOwnNotTheBranchAbove() {
    List<TimedInput> in = new ArrayList<>(order(1, T));
    Otlp spans = Otlp.batch();
    process(spans, "payment", trace(1), spanId(10), sid(1, 2), 1, T + 100, T + 300).done();
    spans.span("payment", trace(1), spanId(11), spanId(10), "POST /charges", SPAN_KIND_CLIENT, T + 110, T + 150).done()
        // The card service had trouble of its own, and still answered the call.
        .span("cards", trace(1), spanId(12), spanId(11), "POST /charges", SPAN_KIND_SERVER, T + 115, T + 145)
        .error("retrying on replica").done()
        .span("payment", trace(1), spanId(13), spanId(10), "payment.authorized publish", SPAN_KIND_PRODUCER,
            T + 200, T + 210).attr("messaging.destination.name", "payment.authorized").done()
        .span("notification", trace(1), spanId(14), spanId(13), "payment.authorized process", SPAN_KIND_CONSUMER,
            T + 400, T + 420).attr("messaging.destination.name", "payment.authorized")
        .attr("messaging.operation", "process").error("mail server down").done();
    in.add(new TimedInput.SpanBatch(spans, T + 1500));
    in.add(new TimedInput.Event("payment.authorized", "order-1",
        Events.headers("traceparent", Events.traceparent(trace(1), spanId(13))),
        Events.flatEnvelope("evt-paid-1", "order-1", "payment.authorized"), T + 210));

    WorkflowGraph g = only(in);

    assertThat(branch(g, "payment", "order.created").getState()).isEqualTo(BranchState.SUCCEEDED);
    assertThat(branch(g, "notification", "payment.authorized").getState()).isEqualTo(BranchState.FAILED);
  }
}
