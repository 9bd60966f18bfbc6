package io.tracestitch.topology.graph;

import io.tracestitch.avro.EdgeType;
import io.tracestitch.avro.GraphEdge;
import io.tracestitch.avro.internal.SpanLinkRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How a workflow's nodes hang together. First the edges the spans and events state themselves: a span's parent
 * (CHILD_OF), the spans it links to (LINK), the span that published an event (PUBLISHED), an event's earlier
 * delivery (RETRY_OF). The branches add the consumptions to the same {@link #edges}. Then the root, and the
 * CORRELATED edges that tie to it the parts nothing else connects.
 */
final class GraphShape {
  private final WorkflowNodes nodes;
  private final Edges edges = new Edges();
  private final Set<String> publishedEvents = new HashSet<>();
  private int orphans;

  /** The stated edges; a child that starts before its parent in another service is a skew warning. */
  GraphShape(WorkflowNodes nodes, ClockSkew skew, Set<String> warnings) {
    this.nodes = nodes;
    for (SpanView s : nodes.spans()) {
      if (s.span().getParentSpanId() != null) {
        SpanView parent = nodes.parent(s);
        if (parent != null) {
          edges.add(s.nodeId(), parent.nodeId(), EdgeType.CHILD_OF);
          skew.warnIfAhead(warnings, parent.span().getService(), s.span().getService(), parent.startMs(), s.startMs(),
              "a span of " + s.span().getService() + " starts before its parent in " + parent.span().getService());
        } else {
          orphans++;
        }
      }
      for (SpanLinkRef link : s.span().getLinks()) {
        SpanView linked = nodes.span(link.getTraceId(), link.getSpanId());
        if (linked != null) {
          edges.add(s.nodeId(), linked.nodeId(), EdgeType.LINK);
        }
      }
    }
    for (EventView e : nodes.events()) {
      String producer = e.producerSpanId();
      SpanView publisher = producer == null || e.event().getTraceId() == null ? null
          : nodes.span(e.event().getTraceId(), producer);
      if (publisher != null) {
        edges.add(publisher.nodeId(), e.nodeId(), EdgeType.PUBLISHED);
        publishedEvents.add(e.event().getEventId());
      }
      if (e.delivery() > 1) {
        edges.add(e.nodeId(), WorkflowNodes.deliveryNodeId(e.event().getEventId(), e.delivery() - 1),
            EdgeType.RETRY_OF);
      }
    }
  }

  Edges edges() {
    return edges;
  }

  /** Ids of the events whose publishing span is in the workflow. */
  Set<String> publishedEvents() {
    return publishedEvents;
  }

  /** How many spans name a parent span that is not in the workflow. */
  int orphans() {
    return orphans;
  }

  /**
   * The earliest span that has no parent here, preferring one that is not itself consuming a message (a consumer
   * that dropped the producer's context starts a trace of its own, later, and is no root of the workflow); the
   * earliest event when no span arrived; null for an empty workflow.
   */
  String root() {
    Comparator<SpanView> byStart = Comparator.comparingLong(SpanView::startMs).thenComparing(SpanView::nodeId);
    List<SpanView> roots = nodes.spans().stream()
        .filter(s -> s.span().getParentSpanId() == null || nodes.parent(s) == null)
        .sorted(byStart).toList();
    Optional<SpanView> root = roots.stream().filter(s -> !s.consumes()).findFirst();
    if (root.isEmpty()) {
      root = roots.stream().findFirst();
    }
    if (root.isPresent()) {
      return root.get().nodeId();
    }
    return nodes.events().stream()
        .min(Comparator.comparingLong(EventView::publishedMs).thenComparing(EventView::nodeId))
        .map(EventView::nodeId).orElse(null);
  }

  /**
   * Parts of the workflow that nothing but the correlation id ties to the rest (a consumer that started a new
   * trace without propagating context) hang off the root with a CORRELATED edge to their earliest node, so the
   * graph is connected and the gap is visible. Call once every other edge is in.
   */
  void connectIslands(String rootId) {
    if (rootId == null) {
      return;
    }
    Map<String, String> parent = new HashMap<>();
    nodes.spans().forEach(s -> parent.put(s.nodeId(), s.nodeId()));
    nodes.events().forEach(e -> parent.put(e.nodeId(), e.nodeId()));
    for (GraphEdge edge : edges.sorted()) {
      union(parent, edge.getFrom(), edge.getTo());
    }
    List<Timed> timed = new ArrayList<>();
    nodes.spans().forEach(s -> timed.add(new Timed(s.nodeId(), s.startMs())));
    nodes.events().forEach(e -> timed.add(new Timed(e.nodeId(), e.publishedMs())));
    timed.sort(Comparator.comparingLong(Timed::atMs).thenComparing(Timed::nodeId));
    Map<String, String> earliestByComponent = new LinkedHashMap<>();
    for (Timed t : timed) {
      earliestByComponent.putIfAbsent(find(parent, t.nodeId()), t.nodeId());
    }
    String rootComponent = find(parent, rootId);
    earliestByComponent.forEach((component, first) -> {
      if (!component.equals(rootComponent)) {
        edges.add(rootId, first, EdgeType.CORRELATED);
      }
    });
  }

  private record Timed(String nodeId, long atMs) {}

  private static String find(Map<String, String> parent, String node) {
    String root = node;
    while (!parent.get(root).equals(root)) {
      root = parent.get(root);
    }
    parent.put(node, root);
    return root;
  }

  private static void union(Map<String, String> parent, String a, String b) {
    if (parent.containsKey(a) && parent.containsKey(b)) {
      parent.put(find(parent, a), find(parent, b));
    }
  }
}
