package io.tracestitch.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.app.TracestitchApp;
import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.Branch;
import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.EdgeType;
import io.tracestitch.avro.GraphEdge;
import io.tracestitch.avro.GraphNode;
import io.tracestitch.avro.NodeStatus;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.config.TracestitchConfig;
import io.tracestitch.kafka.KafkaBrokerFixture;
import io.tracestitch.serdes.AvroSingleObjectSerde;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

/**
 * The simulated checkout against the real broker and the real processor: what the services really did (spans
 * exported by their SDKs, events on their topics, faults injected) must come out of the graph topic stitched.
 */
class CheckoutSimulationIT {
  private static final Set<String> SEVEN_SERVICES = Set.of(GatewayService.NAME, OrderService.NAME,
      InventoryService.NAME, PaymentService.NAME, LoyaltyService.NAME, NotificationService.NAME, AnalyticsService.NAME);
  /**
   * Every fault shows within the first few orders (slow inventory first hits order 3), so graphs for all of them
   * are out about 10 s after the first order; the rest is room for a loaded machine.
   */
  private static final Duration WAIT_FOR_GRAPHS = Duration.ofSeconds(50);

  private final Map<String, Predicate<WorkflowGraph>> expectations = Map.of(
      "all seven services stitched under the correlation id", CheckoutSimulationIT::hasAllSevenServices,
      "a payment branch that succeeded on its second attempt", CheckoutSimulationIT::hasPaymentRetried,
      "a failed analytics branch", CheckoutSimulationIT::hasAnalyticsFailed,
      "notification's context-less trace joined by a CORRELATED edge", CheckoutSimulationIT::hasCorrelatedReceipt,
      "inventory's 2 s stock query", CheckoutSimulationIT::hasSlowInventory,
      "payment named where the payment-down cascade began", g -> explains(g, AlertKind.ERROR_ORIGIN, "payment"),
      "loyalty's one query per item as repeated calls", g -> explains(g, AlertKind.REPEATED_CALLS, "loyalty"),
      "inventory's slow query as a slow step", g -> explains(g, AlertKind.SLOW_STEP, "inventory"));

  @Test
  void theSimulatedCheckoutComesOutStitchedWithEveryFaultVisible() throws Exception {
    String prefix = "sim-" + Long.toHexString(System.currentTimeMillis());
    String bootstrap = KafkaBrokerFixture.shared().bootstrapServers();
    CheckoutTopics topics = new CheckoutTopics(prefix + "-spans", prefix + "-order.created",
        prefix + "-payment.authorized");
    SimulationSettings simulationSettings = SimulationSettings.of(bootstrap, topics, 2, Faults.all());
    Map<String, String> settings = new java.util.HashMap<>(Map.of(
        TracestitchConfig.BOOTSTRAP_SERVERS, bootstrap,
        TracestitchConfig.APPLICATION_ID, prefix,
        TracestitchConfig.SPANS_TOPIC, topics.spans(),
        TracestitchConfig.EVENTS_TOPICS, String.join(",", topics.eventTopics()),
        TracestitchConfig.GRAPHS_TOPIC, prefix + "-graphs",
        TracestitchConfig.ALERTS_TOPIC, prefix + "-alerts",
        TracestitchConfig.DLQ_TOPIC, prefix + "-dlq",
        TracestitchConfig.INACTIVITY_GAP_MS, "3000",
        TracestitchConfig.TRACE_HOLD_MS, "1000",
        "commit.interval.ms", "200"));
    settings.put(TracestitchConfig.HTTP_PORT, "0");
    // Six tasks each learn from a sixth of the orders; three runs of the stock query each are enough here.
    settings.put(TracestitchConfig.FINDINGS_SLOW_STEP_MIN_SAMPLES, "3");
    TracestitchConfig config = TracestitchConfig.load(Map.of(), Map.of(), settings);
    // Kafka Streams stops on missing source topics, so the services' topics exist before it starts.
    SimulationTopics.ensure(simulationSettings);

    Map<String, WorkflowGraph> graphs;
    long ordersPlaced;
    TracestitchApp app = new TracestitchApp(config, List.of());
    CheckoutSimulation simulation = null;
    try {
      app.start();
      simulation = CheckoutSimulation.start(simulationSettings);
      graphs = readGraphsUntilExpectationsMet(prefix + "-graphs", simulation.runTag());
      ordersPlaced = simulation.ordersPlaced();
    } finally {
      try {
        if (simulation != null) {
          simulation.close();
        }
      } finally {
        app.close();
      }
    }

    assertThat(ordersPlaced).isGreaterThan(LoyaltyService.STALL_AFTER_ORDERS);
    Collection<WorkflowGraph> published = graphs.values();
    expectations.forEach((what, expectation) -> assertThat(published.stream().filter(expectation))
        .as("%s among %d published workflows, such as %s", what, published.size(), summaries(published))
        .isNotEmpty());
    assertThat(published).allSatisfy(g -> assertThat(g.getWorkflowId()).isEqualTo(g.getCorrelationId()));
    // A branch the processor only expects (learned from traffic) has no attempt: loyalty never handled it.
    assertThat(published.stream().filter(g -> branch(g, LoyaltyService.NAME).filter(b -> b.getAttempts() > 0)
        .isPresent()).count())
        .as("workflows loyalty handled before it stalled after its first %d orders", LoyaltyService.STALL_AFTER_ORDERS)
        .isBetween(1L, (long) LoyaltyService.STALL_AFTER_ORDERS);
  }

  private Map<String, WorkflowGraph> readGraphsUntilExpectationsMet(String graphsTopic, String runTag)
      throws InterruptedException {
    Deserializer<WorkflowGraph> deserializer = AvroSingleObjectSerde.of(WorkflowGraph.class).deserializer();
    Map<String, WorkflowGraph> latest = new HashMap<>();
    long deadline = System.nanoTime() + WAIT_FOR_GRAPHS.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
        Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerFixture.shared().bootstrapServers()),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      // The app creates its graph topic as it starts; until then the broker knows no partitions of it.
      List<TopicPartition> partitions = List.of();
      while (partitions.isEmpty() && System.nanoTime() < deadline) {
        partitions = consumer.partitionsFor(graphsTopic, Duration.ofSeconds(10)).stream()
            .map(p -> new TopicPartition(graphsTopic, p.partition())).toList();
        if (partitions.isEmpty()) {
          Thread.sleep(200);
        }
      }
      assertThat(partitions).as("partitions of %s, which the app creates as it starts", graphsTopic).isNotEmpty();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (System.nanoTime() < deadline && !allExpectationsMet(latest.values())) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          String workflowId = new String(record.key(), StandardCharsets.UTF_8);
          if (record.value() == null) {
            latest.remove(workflowId);
            continue;
          }
          WorkflowGraph graph = deserializer.deserialize(graphsTopic, record.value());
          assertThat(workflowId).as("a workflow of this run").startsWith("order-" + runTag + "-");
          latest.merge(workflowId, graph, (a, b) -> b.getRevision() >= a.getRevision() ? b : a);
        }
      }
    }
    return latest;
  }

  private boolean allExpectationsMet(Collection<WorkflowGraph> graphs) {
    return expectations.values().stream().allMatch(e -> graphs.stream().anyMatch(e));
  }

  private static boolean hasAllSevenServices(WorkflowGraph g) {
    Set<String> services = g.getNodes().stream().map(GraphNode::getService).filter(s -> s != null)
        .collect(Collectors.toSet());
    return services.containsAll(SEVEN_SERVICES) && g.getWorkflowId().equals(g.getCorrelationId());
  }

  private static boolean hasPaymentRetried(WorkflowGraph g) {
    return branch(g, PaymentService.NAME).filter(b -> b.getState() == BranchState.SUCCEEDED && b.getAttempts() == 2)
        .filter(b -> node(g, b.getAttemptNodeIds().get(0)).getStatus() == NodeStatus.ERROR)
        .filter(b -> node(g, b.getAttemptNodeIds().get(1)).getStatus() != NodeStatus.ERROR)
        .filter(b -> b.getAttemptNodeIds().stream().map(id -> node(g, id).getOffset()).distinct().count() == 1)
        .isPresent();
  }

  private static boolean hasAnalyticsFailed(WorkflowGraph g) {
    return branch(g, AnalyticsService.NAME)
        .filter(b -> b.getState() == BranchState.FAILED && b.getAttempts() == 1)
        .filter(b -> b.getLastError() != null && b.getLastError().contains("ConnectException"))
        .isPresent();
  }

  private static boolean hasCorrelatedReceipt(WorkflowGraph g) {
    String rootTrace = g.getRootNodeId() == null ? null : node(g, g.getRootNodeId()).getTraceId();
    for (GraphEdge edge : g.getEdges()) {
      if (edge.getType() == EdgeType.CORRELATED) {
        GraphNode joined = node(g, edge.getTo());
        if (NotificationService.NAME.equals(joined.getService()) && rootTrace != null
            && !rootTrace.equals(joined.getTraceId()) && g.getTraceIds().size() >= 2) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean hasSlowInventory(WorkflowGraph g) {
    return branch(g, InventoryService.NAME)
        .filter(b -> b.getProcessingMs() != null && b.getProcessingMs() >= InventoryService.SLOW_QUERY.toMillis())
        .isPresent()
        && g.getNodes().stream().anyMatch(n -> "SELECT stock".equals(n.getName())
            && n.getDurationMs() >= InventoryService.SLOW_QUERY.toMillis());
  }

  private static boolean explains(WorkflowGraph g, AlertKind kind, String service) {
    return g.getAllFindings().stream().anyMatch(f -> f.getKind() == kind && service.equals(f.getService()));
  }

  private static Optional<Branch> branch(WorkflowGraph g, String consumer) {
    return g.getBranches().stream()
        .filter(b -> b.getConsumer().equals(consumer) && CheckoutTopics.ORDER_CREATED.equals(b.getEventName()))
        .findFirst();
  }

  private static GraphNode node(WorkflowGraph g, String id) {
    return g.getNodes().stream().filter(n -> n.getId().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError("The graph " + g.getWorkflowId() + " has an edge or branch naming "
            + id + " but no such node."));
  }

  /** A sample is enough to see what the graphs look like; all of them would bury the failure message. */
  private static List<String> summaries(Collection<WorkflowGraph> graphs) {
    return graphs.stream().map(WorkflowLine::of).sorted().limit(8).toList();
  }
}
