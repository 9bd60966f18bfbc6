package io.tracestitch.http;

import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CONSUMER;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_PRODUCER;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER;
import static io.tracestitch.testing.Otlp.spanId;
import static io.tracestitch.testing.Otlp.traceId;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.replay.ReplayDriver;
import io.tracestitch.testing.Events;
import io.tracestitch.testing.Otlp;
import io.tracestitch.topology.StitchSettings;
import io.tracestitch.topology.workflow.WorkflowStitcher;
import io.tracestitch.topology.workflow.WorkflowView;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * The event index the API's {@code /api/events/{id}} reads: an event points at the workflow storing
 * it, follows it when that workflow merges into another, and leaves with it after retention.
 */
class EventIndexTest {
  private static final long T = 1_767_225_600_000L;
  private static final String T1 = traceId(201);
  private static final String T2 = traceId(202);
  private static final StitchSettings SETTINGS = StitchSettings.defaults().withEventTopics(List.of("order.created"));

  @Test
  void shouldPointAnEventAtItsWorkflowFollowAMergeAndForgetItWithTheWorkflow() {
    Otlp orderB = Otlp.batch()
        .span("order", T1, spanId(1), null, "POST /orders", SPAN_KIND_SERVER, T, T + 100)
        .attr("correlation_id", "order-b").done()
        .span("order", T1, spanId(4), spanId(1), "order.created publish", SPAN_KIND_PRODUCER, T + 50, T + 60)
        .messaging("order.created", "send", null).done();
    Otlp orderA = Otlp.batch()
        .span("billing", T2, spanId(2), null, "POST /invoices", SPAN_KIND_SERVER, T + 200, T + 300)
        .attr("correlation_id", "order-a").done();
    // A span of order-a's trace claims order-b too: the two are one workflow, and order-a wins.
    Otlp bridge = Otlp.batch()
        .span("billing", T2, spanId(3), spanId(2), "reconcile", SPAN_KIND_CONSUMER, T + 250, T + 280)
        .attr("correlation_id", "order-b").done();

    try (ReplayDriver driver = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(T))) {
      KeyValueStore<String, String> index = driver.driver().getKeyValueStore(WorkflowView.EVENT_INDEX_STORE);
      driver.pipeSpans(null, orderB.toProto(), T + 1000);
      driver.pipeEvent("order.created", "order-b".getBytes(StandardCharsets.UTF_8),
          Events.headers("traceparent", Events.traceparent(T1, spanId(4))),
          Events.flatEnvelope("evt-b", "order-b", "order.created"), T + 1010);
      driver.pipeSpans(null, orderA.toProto(), T + 1100);
      driver.advanceBy(Duration.ofSeconds(1));
      assertThat(index.get("evt-b")).isEqualTo("order-b");

      driver.pipeSpans(null, bridge.toProto(), T + 2500);
      driver.advanceBy(Duration.ofSeconds(1));
      assertThat(index.get("evt-b")).as("moved with its workflow").isEqualTo("order-a");

      driver.advanceBy(SETTINGS.inactivityGap().plusSeconds(5)); // published
      assertThat(index.get("evt-b")).as("kept while the workflow is kept for late data").isEqualTo("order-a");
      driver.advanceBy(SETTINGS.retention().plusSeconds(5));
      assertThat(index.get("evt-b")).as("gone with the expired workflow").isNull();
      assertThat(driver.counters().get("workflows.expired")).isEqualTo(2);
    }
  }
}
