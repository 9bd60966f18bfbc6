package io.tracestitch.demo;

import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.Branch;
import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.EdgeType;
import io.tracestitch.avro.GraphEdge;
import io.tracestitch.avro.GraphFinding;
import io.tracestitch.avro.GraphNode;
import io.tracestitch.avro.NodeKind;
import io.tracestitch.avro.WorkflowGraph;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A published workflow as one line a person can read in a terminal: its correlation id, status and duration,
 * each event's consumers with their state, the step that took the most time of its own, and the findings that
 * explain it (where its failure began, repeated calls, a step far slower than usual).
 *
 * <pre>WORKFLOW order-k3f9-3 FAILED in 2.09 s, 2 traces | order.created: analytics FAILED 4 ms (...), ...
 * | payment.authorized: notification SUCCEEDED 9 ms, joined by correlation id only | slowest step: inventory
 * SELECT stock 2.00 s</pre>
 */
public final class WorkflowLine {
  private static final int MAX_ERROR_CHARS = 80;
  /** The findings that say why (the paging ones print as ALERT lines). */
  private static final Set<AlertKind> EXPLAINING = Set.of(AlertKind.ERROR_ORIGIN, AlertKind.REPEATED_CALLS,
      AlertKind.SLOW_STEP);

  private WorkflowLine() {}

  public static String of(WorkflowGraph graph) {
    StringBuilder line = new StringBuilder("WORKFLOW ")
        .append(graph.getCorrelationId() != null ? graph.getCorrelationId() : graph.getWorkflowId())
        .append(' ').append(graph.getStatus())
        .append(" in ").append(duration(graph.getDurationMs()))
        .append(", ").append(graph.getTraceIds().size()).append(graph.getTraceIds().size() == 1 ? " trace" : " traces");
    if (graph.getRevision() > 1) {
      line.append(", revision ").append(graph.getRevision()).append(" (")
          .append(graph.getPublishReason().name().toLowerCase(Locale.ROOT).replace('_', ' ')).append(')');
    }
    Set<String> correlatedOnly = correlatedTargets(graph);
    Map<String, List<String>> branchesByEvent = new LinkedHashMap<>();
    for (Branch branch : graph.getBranches()) {
      String event = branch.getEventName() != null ? branch.getEventName() : branch.getEventId();
      branchesByEvent.computeIfAbsent(event, e -> new ArrayList<>()).add(branch(branch, correlatedOnly));
    }
    if (branchesByEvent.isEmpty()) {
      line.append(" | no consumer handled an event");
    }
    branchesByEvent.forEach((event, branches) ->
        line.append(" | ").append(event).append(": ").append(String.join(", ", branches)));
    slowestStep(graph).ifPresent(step -> line.append(" | slowest step: ").append(step));
    for (GraphFinding finding : graph.getAllFindings()) {
      if (EXPLAINING.contains(finding.getKind())) {
        line.append(" | ").append(finding.getKind()).append(' ').append(finding.getService()).append(": ")
            .append(finding.getDetail());
      }
    }
    return line.toString();
  }

  private static String branch(Branch branch, Set<String> correlatedOnly) {
    StringBuilder text = new StringBuilder(branch.getConsumer()).append(' ').append(branch.getState());
    if (branch.getAttempts() > 1) {
      text.append(" after ").append(branch.getAttempts()).append(" attempts");
    }
    if (branch.getProcessingMs() != null) {
      text.append(' ').append(duration(branch.getProcessingMs()));
    }
    if (branch.getState() == BranchState.FAILED && branch.getLastError() != null) {
      text.append(" (").append(shortened(branch.getLastError())).append(')');
    }
    if (branch.getAttemptNodeIds().stream().anyMatch(correlatedOnly::contains)) {
      text.append(", joined by correlation id only");
    }
    return text.toString();
  }

  private static Set<String> correlatedTargets(WorkflowGraph graph) {
    Set<String> targets = new HashSet<>();
    for (GraphEdge edge : graph.getEdges()) {
      if (edge.getType() == EdgeType.CORRELATED) {
        targets.add(edge.getTo());
      }
    }
    return targets;
  }

  /**
   * The span with the most time of its own (its duration less its children's), so a slow query shows rather
   * than the spans that merely wait for it.
   */
  private static Optional<String> slowestStep(WorkflowGraph graph) {
    Map<String, Long> childTime = new HashMap<>();
    Map<String, GraphNode> spans = new HashMap<>();
    for (GraphNode node : graph.getNodes()) {
      if (node.getKind() == NodeKind.SPAN && node.getDurationMs() != null) {
        spans.put(node.getId(), node);
      }
    }
    for (GraphEdge edge : graph.getEdges()) {
      GraphNode child = spans.get(edge.getFrom());
      if (edge.getType() == EdgeType.CHILD_OF && child != null) {
        childTime.merge(edge.getTo(), child.getDurationMs(), Long::sum);
      }
    }
    return spans.values().stream()
        .max(Comparator.comparingLong((GraphNode n) -> selfTime(n, childTime)).thenComparing(GraphNode::getId))
        .map(n -> (n.getService() == null ? "" : n.getService() + " ") + n.getName() + " "
            + duration(selfTime(n, childTime)));
  }

  private static long selfTime(GraphNode node, Map<String, Long> childTime) {
    return Math.max(0, node.getDurationMs() - childTime.getOrDefault(node.getId(), 0L));
  }

  static String duration(long ms) {
    return ms < 1000 ? ms + " ms" : String.format(Locale.ROOT, "%.2f s", ms / 1000.0);
  }

  private static String shortened(String text) {
    String oneLine = text.replaceAll("\\s+", " ").strip();
    return oneLine.length() <= MAX_ERROR_CHARS ? oneLine : oneLine.substring(0, MAX_ERROR_CHARS - 1) + "…";
  }
}
