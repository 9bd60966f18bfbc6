package io.tracestitch.topology;

import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CONSUMER;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_PRODUCER;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER;
import static io.tracestitch.testing.Otlp.spanId;
import static io.tracestitch.testing.Otlp.traceId;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.testing.Checkout;
import io.tracestitch.testing.Events;
import io.tracestitch.testing.Graphs;
import io.tracestitch.testing.Otlp;
import io.tracestitch.testing.TimedInput;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One service's clock must not silently reorder another's spans: the graph says when it cannot trust them. */
class ClockSkewTest {
  static final long T = Checkout.T0;
  static final String T1 = traceId(501);

  @Test
  void consumerWhoseClockRunsBehindIsReportedAsSkewNotAsNegativeQueueWait() {
    // loyalty's clock is 2 s behind: its span "starts" before the event it handles was published.
    Otlp spans = Otlp.batch()
        .span("order", T1, spanId(1), null, "POST /orders", SPAN_KIND_SERVER, T, T + 100)
        .attr("correlation_id", "order-skew").done()
        .span("order", T1, spanId(2), spanId(1), "order.created publish", SPAN_KIND_PRODUCER, T + 50, T + 60)
        .messaging("order.created", "send", null).done()
        .span("loyalty", T1, spanId(3), spanId(2), "award-points", SPAN_KIND_CONSUMER, T - 1_900, T - 1_850)
        .messaging("order.created", "process", "loyalty").done();
    List<WorkflowGraph> graphs = StitchingArrivalOrderTest.run(List.of(
        new TimedInput.Event("order.created", null, Events.headers("traceparent", Events.traceparent(T1, spanId(2))),
            Events.flatEnvelope("evt-skew", "order-skew", "order.created"), T + 60),
        new TimedInput.SpanBatch(spans, T + 1000)));

    WorkflowGraph g = graphs.get(0);
    assertThat(g.getWarnings()).anyMatch(w -> w.startsWith("Clock skew suspected between")
        && w.contains("loyalty") && w.contains("approximate"));
    assertThat(Graphs.branch(g, "loyalty", "order.created").getQueueWaitMs()).as("never negative").isZero();
  }

  @Test
  void spansWithinTheToleranceRaiseNoWarning() {
    Otlp spans = Otlp.batch()
        .span("order", T1, spanId(1), null, "POST /orders", SPAN_KIND_SERVER, T, T + 100)
        .attr("correlation_id", "order-fine").done()
        .span("billing", T1, spanId(2), spanId(1), "charge", SPAN_KIND_SERVER, T - 50, T + 80).done();
    WorkflowGraph g = StitchingArrivalOrderTest.run(List.of(new TimedInput.SpanBatch(spans, T + 1000))).get(0);

    assertThat(g.getWarnings()).isEmpty();
  }
}
