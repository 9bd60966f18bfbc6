package io.tracestitch.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.cli.MainAccess;
import io.tracestitch.serdes.AvroJson;
import io.tracestitch.testing.Checkout;
import io.tracestitch.testing.TimedInput;
import io.tracestitch.topology.CheckoutWorkflowScenario;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayCommandTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Path CHECKOUT = Path.of("src/test/resources/replay/checkout");
  static final Path BAD = Path.of("src/test/resources/replay/bad");

  @Test
  void replayOfTheCheckoutFilesGivesTheSameGraphAsTheDriverTest(@TempDir Path out) throws Exception {
    int exit = MainAccess.run("replay", "--spans", CHECKOUT.resolve("spans.otlp.jsonl").toString(),
        "--events", CHECKOUT.resolve("events.ndjson").toString(), "--out", out.toString());

    assertThat(exit).isZero();
    List<JsonNode> graphs = lines(out.resolve(Replay.GRAPHS_FILE));
    assertThat(graphs).hasSize(1);
    WorkflowGraph fromDriver = CheckoutWorkflowScenario.runAlone(new Checkout(1, Checkout.T0).inputs());
    assertThat(withoutPublicationTime(graphs.get(0))).isEqualTo(withoutPublicationTime(AvroJson.toJson(fromDriver)));
    assertThat(graphs.get(0).get("branches").size()).isEqualTo(6);
    assertThat(out.resolve(Replay.ALERTS_FILE)).exists();
    assertThat(lines(out.resolve(Replay.DLQ_FILE))).isEmpty();
  }

  @Test
  void replayOfTheCheckoutFilesGivesTheSameAlertsAsTheDriver(@TempDir Path out) throws Exception {
    assertThat(MainAccess.run("replay", "--spans", CHECKOUT.resolve("spans.otlp.jsonl").toString(),
        "--events", CHECKOUT.resolve("events.ndjson").toString(), "--out", out.toString())).isZero();
    List<JsonNode> replayed = lines(out.resolve(Replay.ALERTS_FILE));

    List<io.tracestitch.avro.Alert> driven;
    try (ReplayDriver driver = new ReplayDriver(CheckoutWorkflowScenario.SETTINGS,
        java.time.Instant.ofEpochMilli(Checkout.T0))) {
      TimedInput.pipeAll(new Checkout(1, Checkout.T0).inputs(), driver);
      driver.finish();
      driven = Replay.lifecycle(driver.alerts());
    }
    assertThat(replayed).isNotEmpty();
    assertThat(replayed).extracting(a -> a.get("kind").asText() + " " + a.get("action").asText() + " "
            + a.get("dedupKey").asText() + " #" + a.get("sequence").asLong() + " x" + a.get("count").asLong())
        .isEqualTo(driven.stream().map(a -> a.getKind() + " " + a.getAction() + " " + a.getDedupKey() + " #"
            + a.getSequence() + " x" + a.getCount()).toList());
    assertThat(replayed.get(0).get("dedupKey").asText()).isEqualTo("tracestitch/silent_failure/analytics/order.created");
    assertThat(replayed).extracting(a -> a.get("action").asText()).containsExactly("TRIGGER", "RESOLVE");
  }

  @Test
  void lengthDelimitedProtobufSpanFilesGiveTheSameGraph(@TempDir Path dir) throws Exception {
    Path pb = dir.resolve("spans.pb");
    try (OutputStream os = Files.newOutputStream(pb)) {
      for (TimedInput in : new Checkout(1, Checkout.T0).inputs()) {
        if (in instanceof TimedInput.SpanBatch b) {
          ExportTraceServiceRequest request = b.batch().request();
          request.writeDelimitedTo(os);
        }
      }
    }
    Path out = dir.resolve("out");
    assertThat(MainAccess.run("replay", "--spans", pb.toString(), "--events",
        CHECKOUT.resolve("events.ndjson").toString(), "--out", out.toString())).isZero();

    WorkflowGraph fromDriver = CheckoutWorkflowScenario.runAlone(new Checkout(1, Checkout.T0).inputs());
    assertThat(withoutPublicationTime(lines(out.resolve(Replay.GRAPHS_FILE)).get(0)))
        .isEqualTo(withoutPublicationTime(AvroJson.toJson(fromDriver)));
  }

  @Test
  void malformedLinesGoToTheDeadLetterFileWithTheirReasonAndTheRunGoesOn(@TempDir Path out) throws Exception {
    int exit = MainAccess.run("replay", "--spans", BAD.resolve("spans.otlp.jsonl").toString(),
        "--events", BAD.resolve("events.ndjson").toString(), "--out", out.toString());

    assertThat(exit).isZero();
    List<JsonNode> dlq = lines(out.resolve(Replay.DLQ_FILE));
    assertThat(dlq).extracting(n -> n.get("reason").asText()).containsExactlyInAnyOrder(
        "UNDECODABLE", "UNDECODABLE", "UNDECODABLE", "UNDECODABLE", "UNDECODABLE", "NO_CORRELATION");
    assertThat(dlq).anyMatch(n -> n.path("message").asText().contains("timestamp \"yesterday\""));
    assertThat(dlq).anyMatch(n -> n.path("message").asText().contains("no \"topic\""));
    List<JsonNode> graphs = lines(out.resolve(Replay.GRAPHS_FILE));
    assertThat(graphs).extracting(g -> g.get("workflowId").asText()).containsExactly("order-8");
  }

  @Test
  void replayWithoutInputSaysWhatIsMissing(@TempDir Path out) {
    assertThat(MainAccess.run("replay", "--out", out.toString())).isEqualTo(2);
  }

  static List<JsonNode> lines(Path file) throws Exception {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      nodes.add(JSON.readTree(line));
    }
    return nodes;
  }

  /** The graph as a file reader sees it (re-read from text, so number types compare equal), minus its publication time. */
  static JsonNode withoutPublicationTime(JsonNode graph) throws Exception {
    ObjectNode copy = (ObjectNode) JSON.readTree(JSON.writeValueAsString(graph));
    copy.remove("publishedAtMs");
    return copy;
  }
}
