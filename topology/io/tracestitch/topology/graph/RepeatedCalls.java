package io.tracestitch.topology.graph;

import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.GraphFinding;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * REPEATED_CALLS (the N+1 pattern): a span that made at least {@code minCalls} calls of the same shape one after
 * the other. Only calls that do not overlap count, the most such a span's calls allow: the same call fanned out
 * in parallel costs one call's time, not N, and is not this problem.
 */
final class RepeatedCalls {
  private RepeatedCalls() {}

  /** One span's sequential calls of one shape. */
  record Repeat(SpanView parent, CallShape shape, List<SpanView> calls) {
    long totalMs() {
      return calls.stream().mapToLong(c -> c.endMs() - c.startMs()).sum();
    }
  }

  static List<Repeat> find(SpanTree tree, int minCalls) {
    List<Repeat> found = new ArrayList<>();
    List<SpanView> parents = tree.spans();
    parents.sort(Comparator.comparingLong((SpanView s) -> s.span().getStartNanos()).thenComparing(SpanView::nodeId));
    for (SpanView parent : parents) {
      List<SpanView> children = tree.children(parent);
      if (children.size() < minCalls) {
        continue;
      }
      Map<String, List<SpanView>> byShape = new LinkedHashMap<>();
      Map<String, CallShape> shapes = new LinkedHashMap<>();
      for (SpanView child : children) {
        if (CallShape.isCall(child.span())) {
          CallShape shape = CallShape.of(child.span());
          shapes.putIfAbsent(shape.key(), shape);
          byShape.computeIfAbsent(shape.key(), k -> new ArrayList<>()).add(child);
        }
      }
      byShape.forEach((key, calls) -> {
        if (calls.size() >= minCalls) {
          List<SpanView> sequential = sequential(calls);
          if (sequential.size() >= minCalls) {
            found.add(new Repeat(parent, shapes.get(key), sequential));
          }
        }
      });
    }
    return found;
  }

  /** The largest set of calls of which none overlaps another: earliest end first. */
  static List<SpanView> sequential(List<SpanView> calls) {
    List<SpanView> byEnd = new ArrayList<>(calls);
    byEnd.sort(Comparator.comparingLong((SpanView c) -> c.span().getEndNanos()).thenComparing(SpanView::nodeId));
    List<SpanView> chosen = new ArrayList<>();
    long free = Long.MIN_VALUE;
    for (SpanView c : byEnd) {
      if (c.span().getStartNanos() >= free) {
        chosen.add(c);
        free = c.span().getEndNanos();
      }
    }
    chosen.sort(Comparator.comparingLong((SpanView c) -> c.span().getStartNanos()).thenComparing(SpanView::nodeId));
    return chosen;
  }

  static GraphFinding finding(Repeat repeat, CriticalSpans critical) {
    long total = repeat.totalMs();
    long onPath = repeat.calls().stream().filter(c -> critical.contains(c.nodeId()))
        .mapToLong(c -> c.endMs() - c.startMs()).sum();
    double share = critical.lengthMs() <= 0 ? 0 : Math.min(1, (double) onPath / critical.lengthMs());
    SpanView parent = repeat.parent();
    String service = parent.span().getService();
    String detail = service + " " + parent.span().getName() + " made " + repeat.calls().size()
        + " sequential calls of " + callText(repeat) + ", " + DurationText.of(total) + " in total, "
        + DurationText.percent(share) + " of the critical path (" + DurationText.of(critical.lengthMs())
        + ").";
    return GraphFinding.newBuilder().setKind(AlertKind.REPEATED_CALLS).setService(service)
        .setNodeId(parent.nodeId()).setOperation(parent.span().getName()).setCall(callText(repeat))
        .setNodeIds(repeat.calls().stream().map(SpanView::nodeId).toList()).setCount(repeat.calls().size())
        .setDurationMs(total).setShare(share).setDetail(detail).build();
  }

  private static String callText(Repeat repeat) {
    String callee = repeat.calls().get(0).span().getService();
    String service = repeat.parent().span().getService();
    return (callee.equals(service) ? "" : callee + " ") + repeat.shape().readable();
  }
}
