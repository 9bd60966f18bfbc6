package io.tracestitch.topology.graph;

import io.tracestitch.avro.GraphNode;
import io.tracestitch.avro.NodeKind;
import io.tracestitch.avro.NodeStatus;
import io.tracestitch.avro.internal.EventRecord;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.SpanStatus;
import io.tracestitch.avro.internal.WorkflowKind;
import io.tracestitch.avro.internal.WorkflowSummary;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A workflow's stored spans and events as the nodes of its graph. A span exported twice (an exporter retry) is one
 * node, the first copy stored winning; each delivery of an event is a node of its own (the n-th record of an event
 * id, in time and then offset order, is delivery n). Node ids are stable: {@code span:<span id>} (with the trace id
 * when two traces share a span id), {@code event:<event id>} and {@code event:<event id>#<n>} for delivery n.
 */
final class WorkflowNodes {
  private final List<SpanView> spans;
  private final List<EventView> events;
  private final Map<String, SpanView> spanByKey = new HashMap<>();
  private final int duplicateSpans;

  WorkflowNodes(List<SpanRecord> spanRecords, List<EventRecord> eventRecords) {
    List<SpanRecord> unique = uniqueSpans(spanRecords);
    this.duplicateSpans = spanRecords.size() - unique.size();
    this.spans = spanViews(unique);
    this.events = eventViews(eventRecords);
    spans.forEach(s -> spanByKey.put(s.traceId() + "/" + s.span().getSpanId(), s));
  }

  /** The spans, earliest first. */
  List<SpanView> spans() {
    return spans;
  }

  /** The event deliveries, earliest first. */
  List<EventView> events() {
    return events;
  }

  /** Copies of spans already stored that were left out. */
  int duplicateSpans() {
    return duplicateSpans;
  }

  /** The span with this id in this trace, or null when it is not in the workflow. */
  SpanView span(String traceId, String spanId) {
    return spanByKey.get(traceId + "/" + spanId);
  }

  /** The span's parent, or null when it has none or its parent never arrived. */
  SpanView parent(SpanView s) {
    String parentId = s.span().getParentSpanId();
    return parentId == null ? null : span(s.traceId(), parentId);
  }

  static String deliveryNodeId(String eventId, int delivery) {
    return delivery == 1 ? "event:" + eventId : "event:" + eventId + "#" + delivery;
  }

  /** The graph's nodes in start order; a consuming span is numbered as the attempt {@code attemptOf} says. */
  List<GraphNode> graphNodes(Map<String, Integer> attemptOf) {
    List<GraphNode> nodes = new ArrayList<>();
    for (SpanView s : spans) {
      SpanRecord r = s.span();
      nodes.add(GraphNode.newBuilder()
          .setId(s.nodeId()).setKind(NodeKind.SPAN).setService(r.getService()).setName(r.getName())
          .setStatus(s.failed() ? NodeStatus.ERROR : r.getStatusCode() == SpanStatus.OK ? NodeStatus.OK : NodeStatus.UNSET)
          .setTraceId(r.getTraceId()).setSpanId(r.getSpanId()).setParentSpanId(r.getParentSpanId())
          .setEventId(r.getEventId()).setSpanKind(r.getKind().name())
          .setConsumer(s.consumes() ? s.consumer() : null)
          .setAttempt(attemptOf.getOrDefault(s.nodeId(), 1))
          .setStartMs(s.startMs()).setEndMs(s.endMs()).setDurationMs(s.endMs() - s.startMs())
          .setStatusMessage(r.getStatusMessage())
          .setExceptions(r.getExceptions().stream()
              .map(x -> (x.getType() == null ? "exception" : x.getType()) + (x.getMessage() == null ? "" : ": " + x.getMessage()))
              .toList())
          .setTopic(r.getMessaging() == null ? null : r.getMessaging().getDestination())
          .setPartition(r.getMessaging() == null ? null : r.getMessaging().getPartition())
          .setOffset(r.getMessaging() == null ? null : r.getMessaging().getOffset())
          .build());
    }
    for (EventView e : events) {
      EventRecord r = e.event();
      nodes.add(GraphNode.newBuilder()
          .setId(e.nodeId()).setKind(NodeKind.EVENT).setService(r.getSource()).setName(e.name())
          .setStatus(NodeStatus.UNSET).setTraceId(r.getTraceId()).setSpanId(r.getSpanId())
          .setParentSpanId(r.getParentSpanId()).setEventId(r.getEventId()).setAttempt(e.delivery())
          .setStartMs(r.getTimestampMs()).setEndMs(r.getTimestampMs()).setDurationMs(0L)
          .setTopic(r.getTopic()).setPartition(r.getPartition()).setOffset(r.getOffset())
          .build());
    }
    nodes.sort(Comparator.comparingLong((GraphNode n) -> n.getStartMs()).thenComparing(GraphNode::getId));
    return nodes;
  }

  /** The workflow's correlation id: its own id when it is a correlation's, else the first one an event or span carries. */
  String correlationId(WorkflowSummary summary) {
    if (summary.getWorkflowKind() == WorkflowKind.CORRELATION) {
      return summary.getWorkflowId();
    }
    return events.stream().map(e -> e.event().getCorrelationId()).filter(c -> c != null).findFirst()
        .orElseGet(() -> spans.stream().map(s -> s.span().getCorrelationId()).filter(c -> c != null).findFirst()
            .orElse(null));
  }

  /** The traces the nodes belong to; the summary's when no node names one. */
  Set<String> traceIds(WorkflowSummary summary) {
    Set<String> ids = new LinkedHashSet<>();
    spans.forEach(s -> ids.add(s.traceId()));
    events.stream().map(e -> e.event().getTraceId()).filter(t -> t != null).forEach(ids::add);
    if (ids.isEmpty()) {
      ids.addAll(summary.getTraceIds());
    }
    return ids;
  }

  private static List<SpanRecord> uniqueSpans(List<SpanRecord> records) {
    Map<String, SpanRecord> byId = new LinkedHashMap<>();
    for (SpanRecord span : records) {
      byId.putIfAbsent(span.getTraceId() + "/" + span.getSpanId(), span);
    }
    return byId.size() == records.size() ? records : new ArrayList<>(byId.values());
  }

  private static List<SpanView> spanViews(List<SpanRecord> records) {
    List<SpanRecord> sorted = new ArrayList<>(records);
    sorted.sort(Comparator.comparingLong(SpanRecord::getStartNanos).thenComparing(SpanRecord::getTraceId)
        .thenComparing(SpanRecord::getSpanId));
    Set<String> taken = new HashSet<>();
    List<SpanView> views = new ArrayList<>();
    for (SpanRecord s : sorted) {
      String id = "span:" + s.getSpanId();
      if (!taken.add(id)) {
        id = "span:" + s.getTraceId() + "/" + s.getSpanId();
        taken.add(id);
      }
      views.add(new SpanView(s, id));
    }
    return views;
  }

  private static List<EventView> eventViews(List<EventRecord> records) {
    List<EventRecord> sorted = new ArrayList<>(records);
    sorted.sort(Comparator.comparingLong(EventRecord::getTimestampMs).thenComparing(EventRecord::getTopic)
        .thenComparingInt(EventRecord::getPartition).thenComparingLong(EventRecord::getOffset));
    Map<String, Integer> deliveries = new HashMap<>();
    List<EventView> views = new ArrayList<>();
    for (EventRecord e : sorted) {
      int delivery = deliveries.merge(e.getEventId(), 1, Integer::sum);
      views.add(new EventView(e, deliveryNodeId(e.getEventId(), delivery), delivery));
    }
    return views;
  }
}
