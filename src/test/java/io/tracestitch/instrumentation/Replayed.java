package io.tracestitch.instrumentation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tracestitch.avro.Alert;
import io.tracestitch.avro.Branch;
import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.EdgeType;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.replay.Replay;
import io.tracestitch.serdes.AvroJson;
import io.tracestitch.topology.StitchSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/** What {@code tracestitch replay} made of a fixture's files: the latest revision of every graph, and the alerts. */
record Replayed(List<WorkflowGraph> graphs, List<Alert> alerts) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Replays the fixture in {@code dir} ({@value Recording#SPANS_FILE}, {@value Recording#EVENTS_FILE}) with defaults. */
  static Replayed of(Path dir) throws IOException {
    Path out = dir.resolve("out");
    Replay.run(StitchSettings.defaults(), List.of(dir.resolve(Recording.SPANS_FILE)),
        List.of(dir.resolve(Recording.EVENTS_FILE)), out);
    Map<String, WorkflowGraph> latest = new LinkedHashMap<>();
    for (JsonNode line : lines(out.resolve(Replay.GRAPHS_FILE))) {
      if (line.path("withdrawn").asBoolean(false)) {
        latest.remove(line.get("workflowId").asText());
      } else {
        WorkflowGraph g = AvroJson.fromJson(line, WorkflowGraph.class);
        latest.put(g.getWorkflowId(), g);
      }
    }
    List<Alert> alerts = new ArrayList<>();
    for (JsonNode line : lines(out.resolve(Replay.ALERTS_FILE))) {
      alerts.add(AvroJson.fromJson(line, Alert.class));
    }
    return new Replayed(new ArrayList<>(latest.values()), alerts);
  }

  WorkflowGraph workflow(String id) {
    return graphs.stream().filter(g -> g.getWorkflowId().equals(id)).findFirst()
        .orElseThrow(() -> new NoSuchElementException("no workflow " + id + " among "
            + graphs.stream().map(WorkflowGraph::getWorkflowId).toList()));
  }

  List<Branch> branches() {
    return graphs.stream().flatMap(g -> g.getBranches().stream()).toList();
  }

  List<Branch> branchesOf(String consumer) {
    return branches().stream().filter(b -> b.getConsumer().equals(consumer)).toList();
  }

  long edges(EdgeType type) {
    return graphs.stream().flatMap(g -> g.getEdges().stream()).filter(e -> e.getType() == type).count();
  }

  /** The figures the issue measured, for a before/after comparison in the test log. */
  String figures() {
    List<Branch> all = branches();
    long zeroWait = all.stream().filter(b -> b.getAttempts() > 0 && Long.valueOf(0L).equals(b.getQueueWaitMs())).count();
    long handled = all.stream().filter(b -> b.getAttempts() > 0).count();
    return String.format("%d graphs, %d branches (%d handled, %d FAILED), CONSUMED_BY %d, CORRELATED %d, LINK %d,"
        + " queue wait 0 on %d of %d handled branches, %d alert records",
        graphs.size(), all.size(), handled, all.stream().filter(b -> b.getState() == BranchState.FAILED).count(),
        edges(EdgeType.CONSUMED_BY), edges(EdgeType.CORRELATED), edges(EdgeType.LINK), zeroWait, handled,
        alerts.size());
  }

  private static List<JsonNode> lines(Path file) throws IOException {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        nodes.add(JSON.readTree(line));
      }
    }
    return nodes;
  }
}
