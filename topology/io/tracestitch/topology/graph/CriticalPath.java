package io.tracestitch.topology.graph;

import io.tracestitch.avro.EdgeType;
import io.tracestitch.avro.GraphEdge;
import io.tracestitch.avro.GraphNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The chain of nodes that explains the workflow's end-to-end duration: start at the node that ended
 * last and follow each node's cause backwards to the root. A node's cause is, in order of preference:
 * the attempt it retried, the event it consumed, its parent span, the span that published it, the
 * span it links to; so the path goes through queues and retries, where asynchronous time hides.
 */
final class CriticalPath {
  private static final List<EdgeType> PREFERENCE = List.of(
      EdgeType.RETRY_OF, EdgeType.CONSUMED_BY, EdgeType.CORRELATED, EdgeType.CHILD_OF, EdgeType.PUBLISHED,
      EdgeType.LINK);

  private CriticalPath() {}

  static List<String> of(String rootId, Map<String, GraphNode> nodes, List<GraphEdge> edges) {
    if (rootId == null || nodes.isEmpty()) {
      return new ArrayList<>();
    }
    Map<String, Map<EdgeType, String>> causes = new HashMap<>();
    for (GraphEdge e : edges) {
      // Edge directions follow "from TYPE to"; the cause is whichever end came first.
      boolean causeIsTo = e.getType() == EdgeType.RETRY_OF || e.getType() == EdgeType.CHILD_OF
          || e.getType() == EdgeType.LINK;
      String effect = causeIsTo ? e.getFrom() : e.getTo();
      String cause = causeIsTo ? e.getTo() : e.getFrom();
      causes.computeIfAbsent(effect, k -> new EnumMap<>(EdgeType.class)).putIfAbsent(e.getType(), cause);
    }
    GraphNode last = nodes.values().stream()
        .max(Comparator.comparingLong((GraphNode n) -> n.getEndMs() == null ? Long.MIN_VALUE : n.getEndMs())
            .thenComparing(GraphNode::getId, Comparator.reverseOrder()))
        .orElseThrow();
    List<String> path = new ArrayList<>();
    Set<String> visited = new HashSet<>();
    String current = last.getId();
    while (current != null && visited.add(current)) {
      path.add(current);
      if (current.equals(rootId)) {
        break;
      }
      Map<EdgeType, String> byType = causes.getOrDefault(current, Map.of());
      String next = null;
      for (EdgeType type : PREFERENCE) {
        if (byType.containsKey(type) && !visited.contains(byType.get(type))) {
          next = byType.get(type);
          break;
        }
      }
      current = next;
    }
    Collections.reverse(path);
    return path;
  }
}
