package io.tracestitch.http;

import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CONSUMER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.replay.ReplayDriver;
import io.tracestitch.serdes.AvroJson;
import io.tracestitch.testing.Checkout;
import io.tracestitch.testing.Otlp;
import io.tracestitch.testing.TimedInput;
import io.tracestitch.topology.CheckoutWorkflowScenario;
import io.tracestitch.topology.expect.Contracts;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The seeds' checkout (payment retried, analytics failing), with a declared consumer that never comes (shipping)
 * and one that dropped the trace context (ledger, joined by correlation id only), as Grafana node-graph frames.
 */
class NodeGraphFramesTest {
  private static final Checkout CHECKOUT = new Checkout(7, Checkout.T0);
  private static JsonNode frames;

  @BeforeAll
  static void assembleTheCheckoutAndItsFrames() {
    List<TimedInput> inputs = new ArrayList<>(CHECKOUT.inputs());
    String ledgerTrace = Otlp.traceId(99_007);
    inputs.add(new TimedInput.SpanBatch(Otlp.batch()
        .span("ledger", ledgerTrace, Otlp.spanId(99_001), null, "payment.authorized process", SPAN_KIND_CONSUMER,
            CHECKOUT.start + 1800, CHECKOUT.start + 1850)
        .messaging(Checkout.PAYMENT_AUTHORIZED, "process", "ledger").attr("correlation_id", CHECKOUT.correlationId)
        .done(), CHECKOUT.start + 2900));
    Contracts shipping = Contracts.of(List.of(new Contracts.Contract(Checkout.ORDER_CREATED,
        List.of(new Contracts.Consumer("shipping", Duration.ofSeconds(20))))), Set.of());
    WorkflowGraph graph;
    try (ReplayDriver driver = new ReplayDriver(CheckoutWorkflowScenario.SETTINGS.withContracts(shipping),
        Instant.ofEpochMilli(Checkout.T0))) {
      TimedInput.pipeAll(inputs, driver);
      driver.finish();
      graph = driver.graphs().get(driver.graphs().size() - 1);
    }
    ObjectNode workflow = Json.object().put("workflowId", graph.getWorkflowId());
    workflow.set("graph", AvroJson.toJson(graph));
    frames = NodeGraphFrames.of(workflow);
  }

  @Test
  void theCheckoutsFramesFollowTheNodeGraphFieldRules() {
    assertThat(NodeGraphFieldRules.violations(frames)).isEmpty();
    assertThat(titles("nodes")).containsExactlyInAnyOrder("gateway", "order.created", "payment.authorized",
        "inventory", "payment", "loyalty", "notification", "notification", "analytics", "shipping", "ledger");
  }

  @Test
  void anExpectedConsumerWithNoSpanIsAPendingStepWithItsDeadlineReachedByADashedEdge() {
    JsonNode shipping = node("shipping");
    assertThat(shipping.path("detail__state").asText()).isEqualTo("PENDING");
    assertThat(shipping.path("detail__expected").asText()).isEqualTo("yes");
    assertThat(shipping.path("secondarystat").asText()).startsWith("deadline 00:00:20 UTC");
    assertThat(shipping.path("detail__deadline").asText()).startsWith("2026-01-01T00:00:20.310Z");
    assertThat(shipping.path("color").asText()).isEqualTo(NodeGraphFrames.PENDING);
    JsonNode edge = edgeInto(shipping);
    assertThat(edge.path("mainstat").asText()).isEqualTo("EXPECTED");
    assertThat(edge.path("strokedasharray").asText()).isEqualTo(NodeGraphFrames.DASHED);
    assertThat(edge.path("source").asText()).isEqualTo(node("order.created").path("id").asText());
  }

  @Test
  void theRetriedPaymentIsOneStepWithBothAttemptsAndTheFailedAnalyticsIsRed() {
    JsonNode payment = node("payment");
    assertThat(payment.path("mainstat").asText()).isEqualTo("SUCCEEDED after 2 attempts");
    assertThat(payment.path("detail__attempts").asText()).isEqualTo("2");
    assertThat(payment.path("secondarystat").asText()).isEqualTo("queued 140 ms, took 100 ms");
    JsonNode analytics = node("analytics");
    assertThat(analytics.path("detail__state").asText()).isEqualTo("FAILED");
    assertThat(analytics.path("color").asText()).isEqualTo(NodeGraphFrames.FAILED);
    assertThat(analytics.path("detail__error").asText()).contains("analytics store unavailable");
  }

  @Test
  void aConsumerJoinedOnlyByTheCorrelationIdHangsOffItsEventByADashedCorrelatedEdge() {
    JsonNode edge = edgeInto(node("ledger"));
    assertThat(edge.path("mainstat").asText()).isEqualTo("CORRELATED");
    assertThat(edge.path("strokedasharray").asText()).isEqualTo(NodeGraphFrames.DASHED);
    assertThat(edge.path("source").asText()).isEqualTo(node("payment.authorized").path("id").asText());
    assertThat(edgeInto(node("inventory")).path("mainstat").asText()).isEqualTo("CONSUMED_BY");
    assertThat(edgeInto(node("payment.authorized")).path("source").asText())
        .as("the event is published by the payment branch").isEqualTo(node("payment").path("id").asText());
  }

  @Test
  void theCriticalPathRunsFromTheEntryThroughTheSlowInventoryAndIsHighlighted() {
    // Inventory's 2 s stock query ends last: gateway -> order.created -> inventory explains the duration.
    assertThat(highlighted("nodes")).containsExactlyInAnyOrder("gateway", "order.created", "inventory");
    List<JsonNode> criticalEdges = rows("edges").stream().filter(e -> e.path("highlighted").asBoolean()).toList();
    assertThat(criticalEdges).hasSize(2);
    assertThat(criticalEdges).allSatisfy(e -> {
      assertThat(e.path("color").asText()).isEqualTo(NodeGraphFrames.CRITICAL);
      assertThat(e.path("thickness").asInt()).isEqualTo(3);
    });
  }

  @Test
  void theGrafanaDashboardAsksTheEndpointForEveryFieldOfBothFrames() throws java.io.IOException {
    JsonNode dashboard = Json.parse(java.nio.file.Files.readAllBytes(
        java.nio.file.Path.of("deploy/grafana/tracestitch-workflow.json")));
    JsonNode panel = StreamSupport.stream(dashboard.path("panels").spliterator(), false)
        .filter(p -> p.path("type").asText().equals("nodeGraph")).findFirst().orElseThrow();
    for (JsonNode target : panel.path("targets")) {
      String frame = target.path("root_selector").asText();
      assertThat(target.path("format").asText()).isEqualTo("node-graph-" + frame);
      assertThat(target.path("url").asText()).isEqualTo("${tracestitch}/api/workflows/${workflow:percentencode}/nodegraph");
      List<String> columns = StreamSupport.stream(target.path("columns").spliterator(), false)
          .map(c -> c.path("selector").asText()).toList();
      List<String> fields = new ArrayList<>();
      frames.path(frame).get(0).fieldNames().forEachRemaining(fields::add);
      assertThat(columns).as("the %s columns", frame).containsExactlyElementsOf(fields);
    }
    assertThat(StreamSupport.stream(panel.path("targets").spliterator(), false).map(t -> t.path("root_selector")
        .asText()).toList()).containsExactlyInAnyOrder("nodes", "edges");
  }

  @Test
  void theRulesRejectFramesTheNodeGraphCouldNotDraw() {
    JsonNode broken = Json.parse(("{\"nodes\": ["
        + "{\"id\": \"a\", \"title\": \"A\", \"arc__ok\": 0.5, \"arc__failed\": 0.4},"
        + "{\"id\": \"a\", \"title\": \"B\", \"arc__ok\": 1, \"arc__failed\": 0},"
        + "{\"title\": \"C\", \"arc__ok\": 1, \"arc__failed\": 0, \"wobble\": 1}],"
        + "\"edges\": [{\"id\": \"e\", \"source\": \"a\", \"target\": \"z\", \"strokedasharray\": \"url(x)\"}]}")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));

    assertThat(NodeGraphFieldRules.violations(broken)).containsExactlyInAnyOrder(
        "The node id 'a' is used twice.",
        "The arc__ fields of node 'a' add up to 0.9, not 1.",
        "The node has no id (required).",
        "The nodes frame has a field 'wobble' the node graph does not read.",
        "The rows of the nodes frame do not all have the same fields: [arc__failed, arc__ok, id, title] and "
            + "[arc__failed, arc__ok, title, wobble].",
        "The edge 'e' has a target 'z' that is not a node.",
        "The edge 'e' has a strokedasharray that is not an SVG dash list: \"url(x)\"");
  }

  private static List<JsonNode> rows(String frame) {
    return StreamSupport.stream(frames.path(frame).spliterator(), false).toList();
  }

  private static List<String> titles(String frame) {
    return rows(frame).stream().map(r -> r.path("title").asText()).toList();
  }

  private static List<String> highlighted(String frame) {
    return rows(frame).stream().filter(r -> r.path("highlighted").asBoolean()).map(r -> r.path("title").asText())
        .toList();
  }

  /** The one node of that title (for notification, which handles two events, the first). */
  private static JsonNode node(String title) {
    return rows("nodes").stream().filter(n -> n.path("title").asText().equals(title)).findFirst()
        .orElseThrow(() -> new AssertionError("No node titled " + title + " among " + titles("nodes")));
  }

  private static JsonNode edgeInto(JsonNode node) {
    List<JsonNode> into = rows("edges").stream()
        .filter(e -> e.path("target").asText().equals(node.path("id").asText())).toList();
    assertThat(into).as("edges into %s", node.path("id").asText()).hasSize(1);
    return into.get(0);
  }
}
