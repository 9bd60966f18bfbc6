package io.tracestitch.app;

import static io.tracestitch.testing.Graphs.branch;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.EdgeType;
import io.tracestitch.avro.GraphEdge;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.config.TracestitchConfig;
import io.tracestitch.kafka.KafkaBrokerFixture;
import io.tracestitch.serdes.AvroSingleObjectSerde;
import io.tracestitch.testing.Checkout;
import io.tracestitch.testing.KafkaInputs;
import io.tracestitch.topology.CheckoutWorkflowScenario;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

/** The seven-service checkout through the real broker: the same graph shape as the driver test. */
class CheckoutEndToEndIT {

  @Test
  void checkoutThroughARealBrokerGivesTheSameGraphAsTheDriver() throws Exception {
    long start = System.currentTimeMillis() - 5_000;
    Checkout checkout = new Checkout(1, start);
    String prefix = "e2e-" + Long.toHexString(start);
    Map<String, String> settings = new java.util.HashMap<>(Map.of(
        TracestitchConfig.BOOTSTRAP_SERVERS, KafkaBrokerFixture.shared().bootstrapServers(),
        TracestitchConfig.APPLICATION_ID, prefix,
        TracestitchConfig.SPANS_TOPIC, prefix + "-spans",
        TracestitchConfig.EVENTS_TOPICS, prefix + "-" + Checkout.ORDER_CREATED + "," + prefix + "-" + Checkout.PAYMENT_AUTHORIZED,
        TracestitchConfig.GRAPHS_TOPIC, prefix + "-graphs",
        TracestitchConfig.DLQ_TOPIC, prefix + "-dlq",
        TracestitchConfig.ALERTS_TOPIC, prefix + "-alerts",
        TracestitchConfig.INACTIVITY_GAP_MS, "3000",
        TracestitchConfig.TRACE_HOLD_MS, "1000",
        "commit.interval.ms", "200"));
    settings.put(TracestitchConfig.HTTP_PORT, "0");
    KafkaBrokerFixture.shared().createTopics(Map.of(prefix + "-spans", 3, prefix + "-" + Checkout.ORDER_CREATED, 3,
        prefix + "-" + Checkout.PAYMENT_AUTHORIZED, 3));

    try (TracestitchApp app = new TracestitchApp(TracestitchConfig.load(Map.of(), Map.of(), settings), List.of())) {
      app.start();
      KafkaInputs.produce(checkout.inputs(), prefix + "-spans", prefix + "-");
      List<ConsumerRecord<byte[], byte[]>> published =
          KafkaBrokerFixture.consumeUntil(prefix + "-graphs", 1, Duration.ofSeconds(60), false);
      Deserializer<WorkflowGraph> graphs = AvroSingleObjectSerde.of(WorkflowGraph.class).deserializer();
      WorkflowGraph live = graphs.deserialize(prefix + "-graphs", published.get(0).value());
      WorkflowGraph driver = CheckoutWorkflowScenario.runAlone(checkout.inputs());

      assertThat(new String(published.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("order-1");
      assertThat(live.getWorkflowId()).isEqualTo(driver.getWorkflowId());
      assertThat(live.getStatus()).isEqualTo(driver.getStatus());
      assertThat(live.getNodes().stream().map(n -> n.getId()).sorted().toList())
          .isEqualTo(driver.getNodes().stream().map(n -> n.getId()).sorted().toList());
      assertThat(edgesWithoutEventTopics(live, prefix)).isEqualTo(edgesWithoutEventTopics(driver, prefix));
      assertThat(branch(live, "payment", "order.created").getAttempts()).isEqualTo(2);
      assertThat(branch(live, "payment", "order.created").getState()).isEqualTo(BranchState.SUCCEEDED);
      assertThat(branch(live, "analytics", "order.created").getState()).isEqualTo(BranchState.FAILED);
      assertThat(live.getCriticalPath()).isEqualTo(driver.getCriticalPath());
      assertThat(app.counters().get(prefix + "-spans", io.tracestitch.topology.StitchCounters.Outcome.USED))
          .as("five span batches, one per exporting group of services").isEqualTo(5);
    }
  }

  private static List<String> edgesWithoutEventTopics(WorkflowGraph g, String prefix) {
    return g.getEdges().stream().filter(e -> e.getType() != EdgeType.CORRELATED)
        .map(GraphEdge::toString).sorted().toList();
  }
}
