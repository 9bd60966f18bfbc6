package io.tracestitch.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The business steps of one workflow graph, the picture a reader thinks in: where the workflow entered
 * (the root span), each event, and each consumer's handling of an event (its branch, with every attempt
 * and everything below them), including branches that are expected but have no span yet. A step follows
 * another when the earlier one published an event or is the event that the later one handles.
 *
 * <p>Built from the graph's JSON (Avro field names) rather than the Avro class, so the answer of any
 * instance, local or forwarded, will do, and fields added to the schema later pass through unharmed.
 * Immutable.
 */
final class StepGraph {
  enum Kind { ENTRY, EVENT, CONSUMER }

  /**
   * One step.
   *
   * @param nodeIds the graph nodes the step stands for (an entry's root, an event's delivery, a branch's attempts)
   * @param state a branch's state (PENDING, RETRYING, SUCCEEDED, FAILED); a span's status (OK, ERROR, UNSET);
   *     null for an event
   * @param critical true when a node of the critical path belongs to this step
   */
  record Step(String id, Kind kind, String title, String subtitle, String service, String state, int attempts,
      Long startMs, Long durationMs, Long queueWaitMs, Long deadlineMs, boolean expected, String error,
      boolean critical, List<String> nodeIds) {
    Step {
      nodeIds = List.copyOf(nodeIds);
    }
  }

  /**
   * How one step follows another: {@code PUBLISHED} (a step published an event), {@code CONSUMED_BY} (an event
   * handled by a consumer, proven by context, message id or offset), {@code CORRELATED} (tied only by the
   * correlation id: a propagation gap), {@code EXPECTED} (a consumer expected to handle the event that has not),
   * {@code DELIVERED_AGAIN} (the same event on the topic once more).
   */
  record Link(String from, String to, String type, Long queueWaitMs, boolean critical) {}

  private final List<Step> steps;
  private final List<Link> links;

  private StepGraph(List<Step> steps, List<Link> links) {
    this.steps = List.copyOf(steps);
    this.links = List.copyOf(links);
  }

  List<Step> steps() {
    return steps;
  }

  List<Link> links() {
    return links;
  }

  /** The steps of a {@code WorkflowGraph} in JSON. */
  static StepGraph of(JsonNode graph) {
    return new Builder(graph).build();
  }

  private static final class Builder {
    private final JsonNode graph;
    private final Map<String, JsonNode> nodes = new HashMap<>();
    private final Map<String, String> parentOf = new HashMap<>();
    /** Graph node id to the id of the step that owns it, for the nodes whose owner is already known. */
    private final Map<String, String> ownerOf = new HashMap<>();
    private final Map<String, MutableStep> steps = new LinkedHashMap<>();
    private final Map<String, Link> links = new LinkedHashMap<>();
    private final Set<String> critical = new HashSet<>();

    Builder(JsonNode graph) {
      this.graph = graph;
      graph.path("nodes").forEach(n -> nodes.put(n.path("id").asText(), n));
      for (JsonNode edge : graph.path("edges")) {
        if ("CHILD_OF".equals(edge.path("type").asText())) {
          parentOf.put(edge.path("from").asText(), edge.path("to").asText());
        }
      }
      graph.path("criticalPath").forEach(id -> critical.add(id.asText()));
    }

    StepGraph build() {
      String rootId = text(graph, "rootNodeId");
      if (rootId != null && nodes.containsKey(rootId) && "SPAN".equals(text(nodes.get(rootId), "kind"))) {
        entry(rootId);
      }
      for (JsonNode node : graph.path("nodes")) {
        if ("EVENT".equals(text(node, "kind"))) {
          event(node);
        }
      }
      for (JsonNode branch : graph.path("branches")) {
        branch(branch);
      }
      for (JsonNode edge : graph.path("edges")) {
        String type = edge.path("type").asText();
        String from = edge.path("from").asText();
        String to = edge.path("to").asText();
        if (type.equals("PUBLISHED") && nodes.containsKey(from) && nodes.containsKey(to)) {
          link(owner(from), to, "PUBLISHED", null);
        } else if (type.equals("RETRY_OF") && steps.containsKey(from) && steps.containsKey(to)) {
          link(to, from, "DELIVERED_AGAIN", null); // A later delivery of one event: drawn from the first one on.
        }
      }
      // A part tied only by the correlation id hangs off the root; said once, unless its own event already leads there.
      for (JsonNode edge : graph.path("edges")) {
        if ("CORRELATED".equals(edge.path("type").asText())) {
          String from = edge.path("from").asText();
          String to = edge.path("to").asText();
          if (nodes.containsKey(from) && nodes.containsKey(to)) {
            String target = owner(to);
            boolean reached = links.values().stream().anyMatch(l -> l.to().equals(target));
            if (!reached) {
              link(owner(from), target, "CORRELATED", null);
            }
          }
        }
      }
      for (String id : critical) {
        if (nodes.containsKey(id)) {
          MutableStep step = steps.get(owner(id));
          if (step != null) {
            step.critical = true;
          }
        }
      }
      List<Step> done = new ArrayList<>();
      steps.values().forEach(s -> done.add(s.freeze()));
      List<Link> withCritical = new ArrayList<>();
      for (Link l : links.values()) {
        boolean onPath = steps.get(l.from()).critical && steps.get(l.to()).critical;
        withCritical.add(new Link(l.from(), l.to(), l.type(), l.queueWaitMs(), onPath));
      }
      return new StepGraph(done, withCritical);
    }

    private void entry(String nodeId) {
      JsonNode node = nodes.get(nodeId);
      MutableStep step = new MutableStep("entry:" + nodeId, Kind.ENTRY);
      step.title = firstOf(text(node, "service"), "unknown service");
      step.subtitle = text(node, "name");
      step.service = text(node, "service");
      step.state = text(node, "status");
      step.startMs = number(node, "startMs");
      step.durationMs = number(node, "durationMs");
      step.error = error(node);
      step.nodeIds.add(nodeId);
      steps.put(step.id, step);
      ownerOf.put(nodeId, step.id);
    }

    private void event(JsonNode node) {
      String id = text(node, "id");
      MutableStep step = new MutableStep(id, Kind.EVENT);
      step.title = firstOf(text(node, "name"), text(node, "topic"), "event");
      int delivery = node.path("attempt").asInt(1);
      step.subtitle = (text(node, "topic") == null ? "event" : "on " + text(node, "topic"))
          + (delivery > 1 ? ", delivery " + delivery : "");
      step.service = text(node, "service");
      step.startMs = number(node, "startMs");
      step.attempts = delivery;
      step.nodeIds.add(id);
      steps.put(id, step);
      ownerOf.put(id, id);
    }

    private void branch(JsonNode branch) {
      String eventNodeId = text(branch, "eventNodeId");
      String consumer = firstOf(text(branch, "consumer"), "unknown consumer");
      MutableStep step = new MutableStep("branch:" + eventNodeId + "|" + consumer, Kind.CONSUMER);
      step.title = consumer;
      step.subtitle = firstOf(text(branch, "eventName"), eventNodeId);
      step.service = text(branch, "service");
      step.state = text(branch, "state");
      step.attempts = branch.path("attempts").asInt(0);
      step.queueWaitMs = number(branch, "queueWaitMs");
      step.durationMs = number(branch, "processingMs");
      step.deadlineMs = number(branch, "deadlineMs");
      step.expected = branch.path("expected").asBoolean(false);
      step.error = text(branch, "lastError");
      for (JsonNode attempt : branch.path("attemptNodeIds")) {
        step.nodeIds.add(attempt.asText());
        ownerOf.put(attempt.asText(), step.id);
      }
      if (!step.nodeIds.isEmpty() && nodes.containsKey(step.nodeIds.get(0))) {
        step.startMs = number(nodes.get(step.nodeIds.get(0)), "startMs");
      }
      steps.put(step.id, step);
      if (eventNodeId != null && steps.containsKey(eventNodeId)) {
        link(eventNodeId, step.id, step.nodeIds.isEmpty() ? "EXPECTED" : tieOf(eventNodeId, step.nodeIds.get(0)),
            step.queueWaitMs);
      }
    }

    /** CONSUMED_BY or CORRELATED, as the graph tied the first attempt to the event (any delivery of it). */
    private String tieOf(String eventNodeId, String attemptId) {
      for (JsonNode edge : graph.path("edges")) {
        String from = edge.path("from").asText();
        if (edge.path("to").asText().equals(attemptId) && (from.equals(eventNodeId) || from.startsWith(eventNodeId + "#"))) {
          String type = edge.path("type").asText();
          if (type.equals("CONSUMED_BY") || type.equals("CORRELATED")) {
            return type;
          }
        }
      }
      return "CONSUMED_BY";
    }

    /** The step a node belongs to: the nearest attempt or root above it, else an entry step for its own top span. */
    private String owner(String nodeId) {
      List<String> walked = new ArrayList<>();
      String current = nodeId;
      String found = null;
      Set<String> seen = new HashSet<>();
      while (current != null && seen.add(current)) {
        found = ownerOf.get(current);
        if (found != null) {
          break;
        }
        walked.add(current);
        String parent = parentOf.get(current);
        if (parent == null) {
          entry(current); // A trace top that is neither the root nor an attempt, e.g. a scheduled job publishing.
          found = ownerOf.get(current);
          break;
        }
        current = parent;
      }
      for (String id : walked) {
        ownerOf.put(id, found);
      }
      return found;
    }

    private void link(String from, String to, String type, Long queueWaitMs) {
      if (from == null || to == null || from.equals(to)) {
        return;
      }
      links.putIfAbsent(from + "\u0000" + to, new Link(from, to, type, queueWaitMs, false));
    }
  }

  /** A step while the graph is being read; {@link #freeze()} makes the immutable one. */
  private static final class MutableStep {
    final String id;
    final Kind kind;
    final List<String> nodeIds = new ArrayList<>();
    String title;
    String subtitle;
    String service;
    String state;
    int attempts;
    Long startMs;
    Long durationMs;
    Long queueWaitMs;
    Long deadlineMs;
    boolean expected;
    String error;
    boolean critical;

    MutableStep(String id, Kind kind) {
      this.id = id;
      this.kind = kind;
    }

    Step freeze() {
      return new Step(id, kind, title, subtitle, service, state, attempts, startMs, durationMs, queueWaitMs,
          deadlineMs, expected, error, critical, nodeIds);
    }
  }

  private static String error(JsonNode node) {
    JsonNode exceptions = node.path("exceptions");
    if (exceptions.isArray() && !exceptions.isEmpty()) {
      return exceptions.get(exceptions.size() - 1).asText();
    }
    return "ERROR".equals(text(node, "status")) ? text(node, "statusMessage") : null;
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static Long number(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || !value.isNumber() ? null : value.asLong();
  }

  private static String firstOf(String... candidates) {
    for (String candidate : candidates) {
      if (candidate != null && !candidate.isBlank()) {
        return candidate;
      }
    }
    return null;
  }
}
