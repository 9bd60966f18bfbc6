package io.tracestitch.testing;

import io.tracestitch.avro.Branch;
import io.tracestitch.avro.EdgeType;
import io.tracestitch.avro.GraphEdge;
import io.tracestitch.avro.GraphNode;
import io.tracestitch.avro.WorkflowGraph;
import java.util.List;
import java.util.NoSuchElementException;

/** Reads a workflow graph the way a person would: by service, by edge type, by branch. */
public final class Graphs {
  private Graphs() {}

  public static List<String> edges(WorkflowGraph g, EdgeType type) {
    return g.getEdges().stream().filter(e -> e.getType() == type).map(e -> e.getFrom() + " -> " + e.getTo())
        .sorted().toList();
  }

  public static boolean hasEdge(WorkflowGraph g, String from, String to, EdgeType type) {
    for (GraphEdge e : g.getEdges()) {
      if (e.getFrom().equals(from) && e.getTo().equals(to) && e.getType() == type) {
        return true;
      }
    }
    return false;
  }

  public static Branch branch(WorkflowGraph g, String consumer, String eventName) {
    return g.getBranches().stream()
        .filter(b -> b.getConsumer().equals(consumer) && eventName.equals(b.getEventName()))
        .findFirst()
        .orElseThrow(() -> new NoSuchElementException("no branch " + consumer + " / " + eventName + " in "
            + g.getBranches().stream().map(b -> b.getConsumer() + "/" + b.getEventName()).toList()));
  }

  public static GraphNode node(WorkflowGraph g, String id) {
    return g.getNodes().stream().filter(n -> n.getId().equals(id)).findFirst()
        .orElseThrow(() -> new NoSuchElementException("no node " + id));
  }

  public static List<String> nodeIds(WorkflowGraph g) {
    return g.getNodes().stream().map(GraphNode::getId).sorted().toList();
  }

  public static String span(String spanId) {
    return "span:" + spanId;
  }

  public static String event(String eventId) {
    return "event:" + eventId;
  }
}
