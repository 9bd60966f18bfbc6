package io.tracestitch.topology.graph;

import io.tracestitch.avro.EdgeType;
import io.tracestitch.avro.GraphEdge;
import io.tracestitch.avro.WorkflowGraph;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A workflow's spans as a tree (parent ids within a trace) plus the asynchronous hops between a span that
 * published an event and the spans that consumed it, for the findings that walk from a span to what it waited on.
 */
final class SpanTree {
  private static final Comparator<SpanView> BY_START =
      Comparator.comparingLong((SpanView s) -> s.span().getStartNanos()).thenComparing(SpanView::nodeId);

  private final Map<String, SpanView> byNode = new HashMap<>();
  private final Map<String, List<SpanView>> children = new HashMap<>();
  private final Map<String, String> parent = new HashMap<>();
  private final Map<String, List<SpanView>> consumersOf = new HashMap<>();

  SpanTree(WorkflowGraph graph, List<SpanView> spans) {
    Map<String, SpanView> byKey = new HashMap<>();
    for (SpanView s : spans) {
      byNode.put(s.nodeId(), s);
      byKey.put(s.traceId() + "/" + s.span().getSpanId(), s);
    }
    for (SpanView s : spans) {
      String parentId = s.span().getParentSpanId();
      SpanView p = parentId == null ? null : byKey.get(s.traceId() + "/" + parentId);
      if (p != null && p != s) {
        children.computeIfAbsent(p.nodeId(), k -> new ArrayList<>()).add(s);
        parent.put(s.nodeId(), p.nodeId());
      }
    }
    children.values().forEach(list -> list.sort(BY_START));
    Map<String, String> publisherOfEvent = new HashMap<>();
    for (GraphEdge e : graph.getEdges()) {
      if (e.getType() == EdgeType.PUBLISHED && byNode.containsKey(e.getFrom())) {
        publisherOfEvent.put(e.getTo(), e.getFrom());
      }
    }
    for (GraphEdge e : graph.getEdges()) {
      if (e.getType() == EdgeType.CONSUMED_BY && byNode.containsKey(e.getTo())
          && publisherOfEvent.containsKey(e.getFrom())) {
        consumersOf.computeIfAbsent(publisherOfEvent.get(e.getFrom()), k -> new ArrayList<>()).add(byNode.get(e.getTo()));
      }
    }
    consumersOf.values().forEach(list -> list.sort(BY_START));
  }

  SpanView span(String nodeId) {
    return byNode.get(nodeId);
  }

  List<SpanView> spans() {
    return new ArrayList<>(byNode.values());
  }

  /** Child spans, earliest first. */
  List<SpanView> children(SpanView s) {
    return children.getOrDefault(s.nodeId(), List.of());
  }

  SpanView parent(SpanView s) {
    String id = parent.get(s.nodeId());
    return id == null ? null : byNode.get(id);
  }

  /** The spans that consumed an event this span published, earliest first. */
  List<SpanView> consumersOf(SpanView s) {
    return consumersOf.getOrDefault(s.nodeId(), List.of());
  }

  /** True when {@code ancestor} is {@code s} or above it in its trace. */
  boolean within(SpanView s, SpanView ancestor) {
    // Bounded: parent ids from bad data can form a cycle.
    SpanView at = s;
    for (int depth = 0; at != null && depth <= byNode.size(); depth++, at = parent(at)) {
      if (at == ancestor) {
        return true;
      }
    }
    return false;
  }
}
