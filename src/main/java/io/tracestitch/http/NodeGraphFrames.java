package io.tracestitch.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * One workflow's business steps ({@link StepGraph}) as the two data frames of Grafana's node graph panel:
 * {@code nodes} (id, title, subtitle, mainstat, secondarystat, color, highlighted, detail__*) and {@code edges}
 * (id, source, target, mainstat, secondarystat, color, highlighted, thickness, strokedasharray, detail__*), field names as
 * the panel reads them (it compares them in lower case). Each frame is an array of rows with the same fields in every row (empty text where a
 * step has nothing to say), so the Infinity data source turns each into one frame with fixed columns.
 *
 * <p>The web view draws its step graph from these very frames, so what Grafana shows and what the page shows
 * cannot drift apart. Colours are a single {@code color} per node (no {@code arc__} fields).
 */
final class NodeGraphFrames {
  static final String SUCCEEDED = "#2e7d32";
  static final String FAILED = "#c62828";
  static final String RETRYING = "#ef6c00";
  static final String PENDING = "#757575";
  static final String EVENT = "#1565c0";
  static final String CORRELATED = "#8e24aa";
  static final String CRITICAL = "#f9a825";
  /** Dashes for what is not (or not provably) there: an expected branch with no span, a correlation-only tie. */
  static final String DASHED = "6 4";

  private static final DateTimeFormatter TIME_OF_DAY = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter TIME_OF_DAY_MS =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

  private NodeGraphFrames() {}

  /** The frames of a workflow answer ({@code {"workflowId": …, "graph": {…}}}, as /api/workflows/{id} gives). */
  static ObjectNode of(JsonNode workflow) {
    JsonNode graph = workflow.path("graph");
    StepGraph steps = StepGraph.of(graph);
    long asOf = graph.path("publishedAtMs").asLong(0);
    ObjectNode frames = Json.object();
    frames.put("workflowId", workflow.path("workflowId").asText());
    ArrayNode nodes = frames.putArray("nodes");
    for (StepGraph.Step step : steps.steps()) {
      nodes.add(node(step, asOf));
    }
    ArrayNode edges = frames.putArray("edges");
    for (StepGraph.Link link : steps.links()) {
      edges.add(edge(link));
    }
    return frames;
  }

  private static ObjectNode node(StepGraph.Step step, long asOfMs) {
    ObjectNode row = Json.object();
    row.put("id", step.id());
    row.put("title", orEmpty(step.title()));
    row.put("subtitle", orEmpty(step.subtitle()));
    row.put("mainstat", mainStat(step));
    row.put("secondarystat", secondaryStat(step, asOfMs));
    row.put("color", color(step));
    row.put("highlighted", step.critical());
    row.put("detail__kind", step.kind().name().toLowerCase(Locale.ROOT));
    row.put("detail__state", orEmpty(step.state()));
    row.put("detail__service", orEmpty(step.service()));
    row.put("detail__attempts", step.kind() == StepGraph.Kind.CONSUMER ? String.valueOf(step.attempts()) : "");
    row.put("detail__queue_wait", step.queueWaitMs() == null ? "" : duration(step.queueWaitMs()));
    row.put("detail__took", step.durationMs() == null || step.kind() == StepGraph.Kind.EVENT ? ""
        : duration(step.durationMs()));
    row.put("detail__deadline", step.deadlineMs() == null ? "" : deadline(step.deadlineMs(), asOfMs));
    row.put("detail__expected", step.kind() == StepGraph.Kind.CONSUMER ? (step.expected() ? "yes" : "no") : "");
    row.put("detail__error", orEmpty(step.error()));
    row.put("detail__critical_path", step.critical() ? "yes" : "no");
    return row;
  }

  private static ObjectNode edge(StepGraph.Link link) {
    ObjectNode row = Json.object();
    row.put("id", link.from() + " -> " + link.to());
    row.put("source", link.from());
    row.put("target", link.to());
    row.put("mainstat", link.type());
    row.put("secondarystat", link.queueWaitMs() == null ? "" : "queued " + duration(link.queueWaitMs()));
    // An empty colour leaves the panel's default; a set one also wins over the panel's red for highlighted edges.
    row.put("color", link.critical() ? CRITICAL : link.type().equals("CORRELATED") ? CORRELATED
        : link.type().equals("EXPECTED") ? PENDING : "");
    row.put("highlighted", link.critical());
    row.put("thickness", link.critical() ? 3 : 1);
    row.put("strokedasharray", link.type().equals("EXPECTED") || link.type().equals("CORRELATED") ? DASHED : "");
    row.put("detail__type", link.type());
    row.put("detail__queue_wait", link.queueWaitMs() == null ? "" : duration(link.queueWaitMs()));
    return row;
  }

  private static String mainStat(StepGraph.Step step) {
    return switch (step.kind()) {
      case ENTRY -> step.durationMs() == null ? orEmpty(step.state()) : duration(step.durationMs());
      case EVENT -> step.startMs() == null ? "" : "published " + TIME_OF_DAY_MS.format(Instant.ofEpochMilli(step.startMs()))
          + " UTC";
      case CONSUMER -> orEmpty(step.state()) + (step.attempts() > 1 ? " after " + step.attempts() + " attempts" : "");
    };
  }

  private static String secondaryStat(StepGraph.Step step, long asOfMs) {
    return switch (step.kind()) {
      case ENTRY -> step.state() == null ? "" : "status " + step.state().toLowerCase(Locale.ROOT);
      case EVENT -> step.service() == null ? "" : "from " + step.service();
      case CONSUMER -> {
        if (step.attempts() == 0) {
          yield step.deadlineMs() == null ? "no span yet" : "deadline " + shortDeadline(step.deadlineMs(), asOfMs);
        }
        String queued = step.queueWaitMs() == null ? "" : "queued " + duration(step.queueWaitMs());
        String took = step.durationMs() == null ? "" : "took " + duration(step.durationMs());
        yield queued.isEmpty() || took.isEmpty() ? queued + took : queued + ", " + took;
      }
    };
  }

  private static String color(StepGraph.Step step) {
    if (step.kind() == StepGraph.Kind.EVENT) {
      return EVENT;
    }
    String state = orEmpty(step.state());
    return switch (state) {
      case "SUCCEEDED", "OK", "UNSET" -> SUCCEEDED;
      case "FAILED", "ERROR" -> FAILED;
      case "RETRYING" -> RETRYING;
      default -> PENDING;
    };
  }

  /** When a deadline is, and how it stands against the time the graph was assembled. */
  static String deadline(long deadlineMs, long asOfMs) {
    String at = Instant.ofEpochMilli(deadlineMs).toString();
    if (asOfMs <= 0) {
      return at;
    }
    long left = deadlineMs - asOfMs;
    return at + (left >= 0 ? " (in " + duration(left) + ")" : " (passed " + duration(-left) + " ago)");
  }

  /** The time of day only (UTC), for the node itself; the details carry the whole date. */
  static String shortDeadline(long deadlineMs, long asOfMs) {
    String at = TIME_OF_DAY.format(Instant.ofEpochMilli(deadlineMs)) + " UTC";
    if (asOfMs <= 0) {
      return at;
    }
    long left = deadlineMs - asOfMs;
    return at + (left >= 0 ? " (in " + duration(left) + ")" : " (passed " + duration(-left) + " ago)");
  }

  /** 74 ms, 1.14 s, 2 min 5 s. */
  static String duration(long ms) {
    if (ms < 1000) {
      return ms + " ms";
    }
    if (ms < 60_000) {
      return String.format(Locale.ROOT, "%.2f s", ms / 1000.0);
    }
    return (ms / 60_000) + " min " + (ms % 60_000) / 1000 + " s";
  }

  private static String orEmpty(String text) {
    return text == null ? "" : text;
  }
}
