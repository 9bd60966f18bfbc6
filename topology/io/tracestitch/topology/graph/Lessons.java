package io.tracestitch.topology.graph;

import io.tracestitch.avro.GraphEdge;
import io.tracestitch.avro.internal.SpanKind;
import io.tracestitch.topology.expect.Observations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a workflow teaches the learned expectations: for each sampled event, which consumers handled it and how long
 * after publication they were done; for each producer or client span, whether its call reached a callee.
 */
final class Lessons {
  private Lessons() {}

  /**
   * @param successes each branch's first successful attempt, by event id and consumer
   * @param edges the graph's edges
   * @param unrecorded ids of the events whose telemetry was lost
   */
  static Observations of(List<EventView> events, List<SpanView> spans, Map<String, Consumption> successes,
      List<GraphEdge> edges, Set<String> unrecorded) {
    List<Observations.EventSeen> seen = new ArrayList<>();
    for (EventView e : events) {
      // An event whose telemetry was lost says nothing about who consumes it: learning from it would teach
      // "nobody handled this" and wear the expectation down.
      if (e.delivery() != 1 || e.event().getTraceId() == null || !e.event().getSampled()
          || unrecorded.contains(e.event().getEventId())) {
        continue;
      }
      List<Observations.Handled> handled = new ArrayList<>();
      successes.forEach((key, c) -> {
        if (c.event().event().getEventId().equals(e.event().getEventId())) {
          var hop = c.span().span().getMessaging();
          handled.add(new Observations.Handled(c.span().consumer(), hop == null ? null : hop.getConsumerGroup(),
              Math.max(0, c.span().endMs() - e.publishedMs())));
        }
      });
      seen.add(new Observations.EventSeen(e.name(), e.publishedMs(), handled));
    }
    Set<String> withCallee = Edges.withCallee(edges);
    List<Observations.CallSeen> calls = new ArrayList<>();
    for (SpanView s : spans) {
      SpanKind kind = s.span().getKind();
      if (kind == SpanKind.PRODUCER || kind == SpanKind.CLIENT) {
        calls.add(new Observations.CallSeen(s.span().getService(), s.span().getName(), withCallee.contains(s.nodeId())));
      }
    }
    return new Observations(seen, calls);
  }
}
