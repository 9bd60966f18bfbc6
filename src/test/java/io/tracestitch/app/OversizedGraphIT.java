package io.tracestitch.app;

import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_INTERNAL;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.config.TracestitchConfig;
import io.tracestitch.kafka.KafkaBrokerFixture;
import io.tracestitch.serdes.AvroSingleObjectSerde;
import io.tracestitch.testing.KafkaInputs;
import io.tracestitch.testing.Otlp;
import io.tracestitch.testing.TimedInput;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A workflow whose graph is larger than the graph topic takes: it is dropped, counted and explained, and
 * stitching goes on for everyone else (Kafka Streams' default would stop the stream thread and, after a
 * restart, fail on the same graph again).
 */
class OversizedGraphIT {

  @Test
  void graphTooLargeForItsTopicIsDroppedAndTheNextWorkflowIsStillPublished() throws Exception {
    long start = System.currentTimeMillis() - 5_000;
    String prefix = "big-" + Long.toHexString(start);
    String graphs = prefix + "-graphs";
    Map<String, String> settings = new HashMap<>(Map.of(
        TracestitchConfig.BOOTSTRAP_SERVERS, KafkaBrokerFixture.shared().bootstrapServers(),
        TracestitchConfig.APPLICATION_ID, prefix,
        TracestitchConfig.SPANS_TOPIC, prefix + "-spans",
        TracestitchConfig.EVENTS_TOPICS, prefix + "-order.created",
        TracestitchConfig.GRAPHS_TOPIC, graphs,
        TracestitchConfig.DLQ_TOPIC, prefix + "-dlq",
        TracestitchConfig.ALERTS_TOPIC, prefix + "-alerts",
        TracestitchConfig.INACTIVITY_GAP_MS, "2000",
        TracestitchConfig.TRACE_HOLD_MS, "500"));
    settings.put(TracestitchConfig.HTTP_PORT, "0");
    KafkaBrokerFixture.shared().createTopics(Map.of(prefix + "-spans", 1, prefix + "-order.created", 1));
    // A graph topic someone created by hand with Kafka's defaults, here a 64 KB limit to keep the test small.
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        KafkaBrokerFixture.shared().bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(graphs, 1, (short) 1)
          .configs(Map.of("max.message.bytes", Integer.toString(64 * 1024))))).all().get();
    }

    Otlp big = Otlp.batch();
    String bigTrace = Otlp.traceId(7_001);
    big.span("batch", bigTrace, Otlp.spanId(1), null, "POST /import", SPAN_KIND_SERVER, start, start + 900)
        .attr("correlation_id", "import-1").done();
    for (int i = 2; i <= 800; i++) {
      big.span("batch", bigTrace, Otlp.spanId(i), Otlp.spanId(1), "insert row " + i, SPAN_KIND_INTERNAL,
          start + i, start + i + 1).done();
    }
    Otlp small = Otlp.batch().span("order", Otlp.traceId(7_002), Otlp.spanId(1), null, "POST /orders",
        SPAN_KIND_SERVER, start + 100, start + 200).attr("correlation_id", "order-1").done();

    try (TracestitchApp app = new TracestitchApp(TracestitchConfig.load(Map.of(), Map.of(), settings), List.of())) {
      app.start();
      KafkaInputs.produce(List.of(new TimedInput.SpanBatch(big, start + 1_000),
          new TimedInput.SpanBatch(small, start + 1_100)), prefix + "-spans", prefix + "-");
      List<ConsumerRecord<byte[], byte[]>> published =
          KafkaBrokerFixture.consumeUntil(graphs, 1, Duration.ofSeconds(60), false);
      WorkflowGraph graph = AvroSingleObjectSerde.of(WorkflowGraph.class).deserializer()
          .deserialize(graphs, published.get(0).value());

      long deadline = System.currentTimeMillis() + 30_000;
      while (app.counters().get("records.too_large") == 0 && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }

      assertThat(graph.getWorkflowId()).isEqualTo("order-1");
      assertThat(app.counters().get("records.too_large")).isEqualTo(1);
      assertThat(app.counters().get("workflows.published")).as("both were stitched").isGreaterThanOrEqualTo(2);
    }
  }
}
