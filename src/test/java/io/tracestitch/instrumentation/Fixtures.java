package io.tracestitch.instrumentation;

import io.tracestitch.avro.Branch;
import io.tracestitch.avro.EdgeType;
import io.tracestitch.avro.GraphEdge;
import io.tracestitch.avro.GraphNode;
import io.tracestitch.avro.NodeKind;
import io.tracestitch.avro.WorkflowGraph;
import java.util.List;
import java.util.NoSuchElementException;

/** Reads a fixture's graph as a person would: a consumer's branch, a node's parent, the edge between two nodes. */
final class Fixtures {
  private Fixtures() {}

  static Branch branch(WorkflowGraph g, String consumer) {
    return g.getBranches().stream().filter(b -> b.getConsumer().equals(consumer)).findFirst()
        .orElseThrow(() -> new NoSuchElementException("no branch of " + consumer + " in " + g.getWorkflowId()
            + " among " + g.getBranches().stream().map(Branch::getConsumer).toList()));
  }

  static GraphNode node(WorkflowGraph g, String id) {
    return g.getNodes().stream().filter(n -> n.getId().equals(id)).findFirst()
        .orElseThrow(() -> new NoSuchElementException("no node " + id + " in " + g.getWorkflowId()));
  }

  static GraphNode parentOf(WorkflowGraph g, GraphNode span) {
    return g.getNodes().stream().filter(n -> n.getKind() == NodeKind.SPAN && n.getSpanId().equals(span.getParentSpanId()))
        .findFirst().orElseThrow(() -> new NoSuchElementException("the parent of " + span.getName() + " is not in "
            + g.getWorkflowId()));
  }

  /** The span that published the branch's event. */
  static GraphNode publisherOf(WorkflowGraph g, Branch b) {
    return g.getEdges().stream().filter(e -> e.getType() == EdgeType.PUBLISHED && e.getTo().equals(b.getEventNodeId()))
        .map(e -> node(g, e.getFrom())).findFirst()
        .orElseThrow(() -> new NoSuchElementException("nothing published " + b.getEventNodeId()));
  }

  /** The type of the edge from one node to the other, or null when there is none. */
  static EdgeType edge(WorkflowGraph g, String from, String to) {
    return g.getEdges().stream().filter(e -> e.getFrom().equals(from) && e.getTo().equals(to))
        .map(GraphEdge::getType).findFirst().orElse(null);
  }

  static List<GraphEdge> edges(WorkflowGraph g, EdgeType type) {
    return g.getEdges().stream().filter(e -> e.getType() == type).toList();
  }
}
