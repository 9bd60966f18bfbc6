package io.tracestitch.topology;

import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER;
import static io.tracestitch.testing.Otlp.spanId;
import static io.tracestitch.testing.Otlp.traceId;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.replay.ReplayDriver;
import io.tracestitch.testing.Checkout;
import io.tracestitch.testing.Events;
import io.tracestitch.testing.Otlp;
import io.tracestitch.topology.StitchCounters.Outcome;
import io.tracestitch.topology.deadletter.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** Nothing stops the stream on a bad record; each goes to the dead-letter topic with a reason, and counts add up. */
class BadInputTest {
  static final long T = Checkout.T0;
  static final String T1 = traceId(401);

  @Test
  void everyKindOfBadInputIsDeadLetteredWithItsReasonAndTheStreamGoesOn() {
    byte[] garbage = "this is not protobuf \u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1);
    ExportTraceServiceRequest good = Otlp.batch()
        .span("order", T1, spanId(1), null, "POST /orders", SPAN_KIND_SERVER, T, T + 100)
        .attr("correlation_id", "order-1").attr("http.route", "/x".repeat(1_000_000)).done().request();
    // One span of an otherwise good batch has a 3-byte trace id.
    ExportTraceServiceRequest mixed = good.toBuilder().setResourceSpans(0, good.getResourceSpans(0).toBuilder()
        .setScopeSpans(0, good.getResourceSpans(0).getScopeSpans(0).toBuilder()
            .addSpans(good.getResourceSpans(0).getScopeSpans(0).getSpans(0).toBuilder()
                .setTraceId(ByteString.copyFrom(new byte[] {1, 2, 3})).setSpanId(Otlp.bytesOf(spanId(2)))))).build();
    byte[] absurd = Otlp.batch().span("order", T1, spanId(3), spanId(1), "from the year 1970", SPAN_KIND_SERVER, 5, 1)
        .done().toProto();

    try (ReplayDriver driver = new ReplayDriver(CheckoutWorkflowTest.SETTINGS, Instant.ofEpochMilli(T))) {
      driver.pipeSpans(null, garbage, T + 100);
      driver.pipeSpans(null, new byte[0], T + 110);
      driver.pipeSpans(null, mixed.toByteArray(), T + 200);
      driver.pipeSpans(null, absurd, T + 300);
      driver.pipeEvent("order.created", null, Events.headers("content-type", "application/json"),
          "{\"payload\":{\"orderId\":\"o-1\"}}".getBytes(StandardCharsets.UTF_8), T + 400);
      driver.pipeEvent("order.created", null, Events.headers(), "\u00ff\u00fe not json".getBytes(
          StandardCharsets.ISO_8859_1), T + 410);
      driver.pipeEvent("order.created", null, Events.headers("traceparent", "00-zzzz-yyyy-01", "correlation_id",
          "order-1"), "{}".getBytes(StandardCharsets.UTF_8), T + 420);
      driver.finish();

      List<TestRecord<byte[], byte[]>> dlq = driver.deadLetters();
      assertThat(dlq).extracting(r -> header(r.headers(), DeadLetters.REASON) + "/" + header(r.headers(), DeadLetters.UNIT))
          .containsExactly("UNDECODABLE/record", "EMPTY/record", "INVALID_ID/span", "ABSURD_TIMESTAMP/span",
              "NO_CORRELATION/record", "NO_CORRELATION/record");
      TestRecord<byte[], byte[]> first = dlq.get(0);
      assertThat(first.value()).as("the record itself, unchanged").isEqualTo(garbage);
      assertThat(header(first.headers(), DeadLetters.TOPIC)).isEqualTo("otlp_spans");
      assertThat(header(first.headers(), DeadLetters.OFFSET)).isEqualTo("0");
      assertThat(header(first.headers(), DeadLetters.MESSAGE)).isNotBlank();
      assertThat(header(dlq.get(4).headers(), DeadLetters.TOPIC)).isEqualTo("order.created");
      assertThat(ExportTraceServiceRequest.parseFrom(dlq.get(2).value()).getResourceSpans(0).getScopeSpans(0)
          .getSpansCount()).as("the rejected span alone, decodable").isEqualTo(1);

      // The good span survived beside the bad one, its gigantic attribute cut down.
      List<WorkflowGraph> graphs = driver.graphs();
      assertThat(graphs).hasSize(1);
      assertThat(graphs.get(0).getWorkflowId()).isEqualTo("order-1");
      assertThat(io.tracestitch.testing.Graphs.nodeIds(graphs.get(0)))
          .as("the surviving span, and the event whose bad traceparent was ignored for its correlation id")
          .containsExactly("event:order.created-0@2", "span:" + spanId(1));

      StitchCounters c = driver.counters();
      assertThat(c.get("otlp_spans", Outcome.IN)).isEqualTo(4);
      assertThat(c.get("otlp_spans", Outcome.USED)).isEqualTo(1);
      assertThat(c.get("otlp_spans", Outcome.DEAD_LETTERED)).isEqualTo(3);
      assertThat(c.get("order.created", Outcome.IN)).isEqualTo(3);
      assertThat(c.get("order.created", Outcome.USED) + c.get("order.created", Outcome.DEAD_LETTERED)).isEqualTo(3);
      assertThat(c.get("order.created", Outcome.USED)).as("the bad traceparent is ignored; the correlation id is enough")
          .isEqualTo(1);
      assertThat(c.get("spans.attributes_truncated")).isEqualTo(1);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void workflowLargerThanTheSpanCapIsTruncatedAndMarked() {
    StitchSettings capped = CheckoutWorkflowTest.SETTINGS.withMaxSpansPerWorkflow(5);
    Otlp batch = Otlp.batch();
    for (int i = 1; i <= 8; i++) {
      batch.span("order", T1, spanId(i), i == 1 ? null : spanId(1), "step-" + i, SPAN_KIND_SERVER, T + i, T + 100)
          .attr("correlation_id", "order-big").done();
    }
    try (ReplayDriver driver = new ReplayDriver(capped, Instant.ofEpochMilli(T))) {
      driver.pipeSpans(null, batch.toProto(), T + 1000);
      driver.finish();
      WorkflowGraph g = driver.graphs().get(0);
      assertThat(g.getTruncated()).isTrue();
      assertThat(g.getNodes()).hasSize(5);
      assertThat(g.getDroppedSpans()).isEqualTo(3);
      assertThat(g.getWarnings()).anyMatch(w -> w.contains("cap of spans"));
    }
  }

  static String header(Headers headers, String name) {
    var h = headers.lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
