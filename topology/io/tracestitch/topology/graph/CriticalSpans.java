package io.tracestitch.topology.graph;

import io.tracestitch.avro.GraphNode;
import io.tracestitch.avro.WorkflowGraph;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The spans the workflow's end-to-end time waited on. The graph's critical path is a chain of nodes from the
 * root to the node that ended last; a span on it waited on its own children too, so each is opened up the way
 * tracing tools compute a critical path: from the span's end, backwards, the child that ended last before that
 * point, then the child that ended last before that child began, and so on, each child opened up in turn. So
 * sequential children are all on the path, and of children running in parallel only the one that ended last.
 */
final class CriticalSpans {
  /** Children within this of the point they must end before still count: millisecond-rounded exporters. */
  private static final long TOLERANCE_NANOS = 1_000_000;

  private final Set<String> nodes = new HashSet<>();
  private final long lengthMs;

  CriticalSpans(WorkflowGraph graph, SpanTree tree) {
    List<String> path = graph.getCriticalPath();
    for (String id : path) {
      nodes.add(id);
      SpanView span = tree.span(id);
      if (span != null) {
        open(span, tree);
      }
    }
    Map<String, GraphNode> byId = new HashMap<>();
    graph.getNodes().forEach(n -> byId.put(n.getId(), n));
    long length = 0;
    if (!path.isEmpty() && byId.containsKey(path.get(0)) && byId.containsKey(path.get(path.size() - 1))) {
      GraphNode first = byId.get(path.get(0));
      GraphNode last = byId.get(path.get(path.size() - 1));
      if (first.getStartMs() != null && last.getEndMs() != null) {
        length = last.getEndMs() - first.getStartMs();
      }
    }
    this.lengthMs = Math.max(length, graph.getDurationMs());
  }

  private void open(SpanView span, SpanTree tree) {
    List<SpanView> stack = new ArrayList<>(List.of(span));
    while (!stack.isEmpty()) {
      SpanView current = stack.remove(stack.size() - 1);
      long point = current.span().getEndNanos();
      List<SpanView> remaining = new ArrayList<>(tree.children(current));
      while (true) {
        SpanView latest = null;
        for (SpanView child : remaining) {
          if (child.span().getEndNanos() <= point + TOLERANCE_NANOS
              && (latest == null || child.span().getEndNanos() > latest.span().getEndNanos())) {
            latest = child;
          }
        }
        if (latest == null) {
          break;
        }
        remaining.remove(latest);
        if (nodes.add(latest.nodeId())) {
          stack.add(latest);
        }
        point = latest.span().getStartNanos();
      }
    }
  }

  boolean contains(String nodeId) {
    return nodes.contains(nodeId);
  }

  /** From the start of the path's first node to the end of its last, at least the workflow's duration. */
  long lengthMs() {
    return lengthMs;
  }
}
