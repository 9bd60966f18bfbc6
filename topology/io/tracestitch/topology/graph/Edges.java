package io.tracestitch.topology.graph;

import io.tracestitch.avro.EdgeType;
import io.tracestitch.avro.GraphEdge;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A graph's edges without repeats (nor edges from a node to itself), in a stable order. */
final class Edges {
  private final Set<String> seen = new HashSet<>();
  private final List<GraphEdge> edges = new ArrayList<>();

  void add(String from, String to, EdgeType type) {
    if (!from.equals(to) && seen.add(from + "\u0000" + to + "\u0000" + type)) {
      edges.add(GraphEdge.newBuilder().setFrom(from).setTo(to).setType(type).build());
    }
  }

  List<GraphEdge> sorted() {
    List<GraphEdge> copy = new ArrayList<>(edges);
    copy.sort(Comparator.comparing(GraphEdge::getFrom).thenComparing(GraphEdge::getTo).thenComparing(GraphEdge::getType));
    return copy;
  }

  /**
   * The nodes whose call reached the other side: a span with a child span, a span another links to, a span that
   * published an event. What a learned callee (MISSING_CALLEE) is judged by, when learned and when detected alike.
   */
  static Set<String> withCallee(List<GraphEdge> edges) {
    Set<String> withCallee = new HashSet<>();
    for (GraphEdge edge : edges) {
      switch (edge.getType()) {
        case CHILD_OF, LINK -> withCallee.add(edge.getTo());
        case PUBLISHED -> withCallee.add(edge.getFrom());
        default -> { }
      }
    }
    return withCallee;
  }
}
