package io.tracestitch.topology.graph;

import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.Branch;
import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.EdgeType;
import io.tracestitch.avro.Finding;
import io.tracestitch.avro.GraphEdge;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.avro.internal.FindingAction;
import io.tracestitch.avro.internal.FindingMessage;
import io.tracestitch.avro.internal.SpanKind;
import io.tracestitch.topology.expect.ExpectedConsumer;
import io.tracestitch.topology.expect.Expectations;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a workflow's problems off its graph:
 * <ul>
 *   <li>STALLED_BRANCH: an expected branch with no successful attempt by its deadline (pending, or stuck
 *       in retries);</li>
 *   <li>SILENT_FAILURE: a branch that failed with no later success while the root reported success;</li>
 *   <li>UNCONSUMED_EVENT: an event that should have been handled and that nobody handled at all;</li>
 *   <li>MISSING_CALLEE: a producer or client span whose kind usually reaches a callee, and this one did not.</li>
 * </ul>
 * A branch marked telemetryMissing ({@link TelemetryCoverage}: the spans around its event never arrived) is
 * telemetry loss, not a stall: it yields neither STALLED_BRANCH nor UNCONSUMED_EVENT, nor evidence of health.
 * Each also yields CLEARED evidence for healthy branches, so an alert resolves when its consumer recovers.
 */
final class FindingDetector {
  private FindingDetector() {}

  record Result(List<Finding> graphFindings, List<FindingMessage> messages) {}

  static Result detect(WorkflowGraph graph, List<EventView> events, List<SpanView> spans,
      Map<String, List<ExpectedConsumer>> expectedByEvent, Expectations expectations, boolean rootFailed, long nowMs) {
    Context ctx = new Context(graph, events, spans, nowMs);
    Map<String, List<Branch>> branchesByEvent = new HashMap<>();
    graph.getBranches().forEach(b -> branchesByEvent.computeIfAbsent(b.getEventId(), k -> new ArrayList<>()).add(b));

    for (Map.Entry<String, List<Branch>> entry : branchesByEvent.entrySet()) {
      List<Branch> branches = entry.getValue();
      EventView event = ctx.event(entry.getKey());
      if (branches.stream().allMatch(Branch::getTelemetryMissing)) {
        // The spans around this event were lost (TelemetryCoverage): no evidence of a stall, nor of health.
        continue;
      }
      boolean nobodyHandled = branches.stream().allMatch(b -> b.getAttempts() == 0);
      boolean allDue = branches.stream().allMatch(b -> b.getDeadlineMs() != null && b.getDeadlineMs() <= nowMs);
      if (nobodyHandled && allDue && event != null) {
        List<ExpectedConsumer> expected = expectedByEvent.getOrDefault(entry.getKey(), List.of());
        ctx.occurred(AlertKind.UNCONSUMED_EVENT, null, null, ctx.producer(event), event,
            expected.stream().anyMatch(ExpectedConsumer::declared), nowMs - event.publishedMs(), null,
            "No consumer handled " + event.name() + " (" + event.event().getEventId() + ") within its deadline; expected: "
                + expected.stream().map(ExpectedConsumer::name).toList() + ".");
        continue;
      }
      for (Branch b : branches) {
        detectBranch(ctx, b, event, expectedByEvent.getOrDefault(entry.getKey(), List.of()), rootFailed, nowMs);
      }
      if (event != null && branches.stream().anyMatch(b -> b.getState() == BranchState.SUCCEEDED)) {
        ctx.cleared(AlertKind.UNCONSUMED_EVENT, null, ctx.producer(event), event.name(), event);
      }
    }
    detectCalls(ctx, expectations, nowMs);
    return new Result(ctx.graphFindings, ctx.messages);
  }

  private static void detectBranch(Context ctx, Branch b, EventView event, List<ExpectedConsumer> expected,
      boolean rootFailed, long nowMs) {
    String group = expected.stream().filter(c -> c.name().equals(b.getConsumer())).map(ExpectedConsumer::consumerGroup)
        .filter(g -> g != null).findFirst().orElse(ctx.groupOf(b));
    boolean declared = expected.stream().anyMatch(c -> c.name().equals(b.getConsumer()) && c.declared());
    boolean due = b.getExpected() && b.getDeadlineMs() != null && b.getDeadlineMs() <= nowMs;
    long waited = event == null ? 0 : nowMs - event.publishedMs();
    switch (b.getState()) {
      case PENDING -> {
        if (due && !b.getTelemetryMissing()) {
          // No span of the consumer at all: a stall, or its telemetry lost; the alert stage tells which.
          ctx.occurred(AlertKind.STALLED_BRANCH, b.getConsumer(), group, b.getService(), event, declared, waited, null,
              b.getConsumer() + " has not handled " + b.getEventName() + " (" + b.getEventId() + ") "
                  + (waited / 1000) + " s after it was published; its deadline was "
                  + ((b.getDeadlineMs() - (event == null ? 0 : event.publishedMs())) / 1000) + " s.")
              .setNoConsumerSpan(b.getAttempts() == 0);
        }
      }
      case RETRYING -> {
        if (due) {
          ctx.occurred(AlertKind.STALLED_BRANCH, b.getConsumer(), group, b.getService(), event, declared, waited,
              last(b), b.getConsumer() + " is stuck retrying " + b.getEventName() + " (" + b.getEventId() + "): "
                  + b.getAttempts() + " failed attempts, last error: " + b.getLastError() + ".");
        }
      }
      case FAILED -> {
        if (!rootFailed) {
          ctx.occurred(AlertKind.SILENT_FAILURE, b.getConsumer(), group, b.getService(), event, declared, waited,
              last(b), b.getConsumer() + " failed handling " + b.getEventName() + " (" + b.getEventId() + ") after "
                  + b.getAttempts() + " attempt(s) while the workflow's root reported success: " + b.getLastError()
                  + ".");
        }
      }
      case SUCCEEDED -> {
        long succeededAt = ctx.successEnd(b);
        if (b.getExpected() && b.getDeadlineMs() != null && succeededAt > b.getDeadlineMs()) {
          // Done, but after its deadline: the deadline was missed all the same, and this is no evidence of health.
          ctx.occurred(AlertKind.STALLED_BRANCH, b.getConsumer(), group, b.getService(), event, declared,
              succeededAt - (event == null ? succeededAt : event.publishedMs()), last(b),
              b.getConsumer() + " handled " + b.getEventName() + " (" + b.getEventId() + ") "
                  + ((succeededAt - b.getDeadlineMs()) / 1000) + " s after its deadline.");
        } else {
          ctx.cleared(AlertKind.STALLED_BRANCH, b.getConsumer(), b.getService(), b.getEventName(), event);
          ctx.cleared(AlertKind.SILENT_FAILURE, b.getConsumer(), b.getService(), b.getEventName(), event);
        }
      }
    }
  }

  /** Calls whose kind usually reaches a callee (learned), and this one did not. */
  private static void detectCalls(Context ctx, Expectations expectations, long nowMs) {
    Set<String> withCallee = Edges.withCallee(ctx.graph.getEdges());
    for (SpanView s : ctx.spans) {
      SpanKind kind = s.span().getKind();
      if (kind != SpanKind.PRODUCER && kind != SpanKind.CLIENT) {
        continue;
      }
      String service = s.span().getService();
      if (withCallee.contains(s.nodeId())) {
        ctx.cleared(AlertKind.MISSING_CALLEE, null, service, s.span().getName(), null);
      } else if (expectations.calleeExpected(service, s.span().getName(), nowMs)) {
        ctx.occurred(AlertKind.MISSING_CALLEE, null, null, service, null, false, nowMs - s.endMs(), s.nodeId(),
            service + "'s " + kind.name().toLowerCase() + " call '" + s.span().getName()
                + "' never reached its callee: no span on the other side and no event published.");
      }
    }
  }

  private static String last(Branch b) {
    return b.getAttemptNodeIds().isEmpty() ? null : b.getAttemptNodeIds().get(b.getAttemptNodeIds().size() - 1);
  }

  /** Collects findings for one workflow. */
  private static final class Context {
    final WorkflowGraph graph;
    final List<SpanView> spans;
    final long nowMs;
    final Map<String, EventView> firstDelivery = new HashMap<>();
    final Map<String, String> publisherService = new HashMap<>();
    final Map<String, SpanView> spanByNode = new HashMap<>();
    final List<Finding> graphFindings = new ArrayList<>();
    final List<FindingMessage> messages = new ArrayList<>();
    final Set<String> clearedKeys = new HashSet<>();
    final AttemptOutcomes outcomes;

    Context(WorkflowGraph graph, List<EventView> events, List<SpanView> spans, long nowMs) {
      this.graph = graph;
      this.spans = spans;
      this.nowMs = nowMs;
      this.outcomes = new AttemptOutcomes(spans);
      events.stream().filter(e -> e.delivery() == 1).forEach(e -> firstDelivery.put(e.event().getEventId(), e));
      spans.forEach(s -> spanByNode.put(s.nodeId(), s));
      for (GraphEdge e : graph.getEdges()) {
        if (e.getType() == EdgeType.PUBLISHED && spanByNode.containsKey(e.getFrom())) {
          publisherService.put(e.getTo(), spanByNode.get(e.getFrom()).span().getService());
        }
      }
    }

    EventView event(String eventId) {
      return firstDelivery.get(eventId);
    }

    String producer(EventView e) {
      String service = publisherService.get(e.nodeId());
      return service != null ? service : e.event().getSource() != null ? e.event().getSource() : "unknown-producer";
    }

    /** When the branch's first successful attempt ended. */
    long successEnd(Branch b) {
      for (String id : b.getAttemptNodeIds()) {
        SpanView s = spanByNode.get(id);
        if (s != null && !outcomes.failed(s)) {
          return s.endMs();
        }
      }
      return Long.MAX_VALUE;
    }

    String groupOf(Branch b) {
      for (String id : b.getAttemptNodeIds()) {
        SpanView s = spanByNode.get(id);
        if (s != null && s.span().getMessaging() != null && s.span().getMessaging().getConsumerGroup() != null) {
          return s.span().getMessaging().getConsumerGroup();
        }
      }
      return null;
    }

    FindingMessage occurred(AlertKind kind, String consumer, String group, String service, EventView event,
        boolean declared, long waitedMs, String nodeId, String detail) {
      String eventName = event != null ? event.name() : nodeId == null ? null : spanByNode.get(nodeId).span().getName();
      graphFindings.add(Finding.newBuilder().setKind(io.tracestitch.avro.v1.AlertKind.valueOf(kind.name())).setService(service).setConsumer(consumer)
          .setEventName(eventName).setEventId(event == null ? null : event.event().getEventId())
          .setNodeId(nodeId != null ? nodeId : event == null ? null : event.nodeId()).setDetail(detail).build());
      messages.add(FindingMessage.newBuilder()
          .setDedupKey(DedupKeys.of(kind, consumer != null ? consumer : service, eventName))
          .setAction(FindingAction.OCCURRED).setKind(kind).setConsumer(consumer).setConsumerGroup(group)
          .setService(service).setEventName(eventName).setDeclared(declared)
          .setWorkflowId(graph.getWorkflowId()).setCorrelationId(graph.getCorrelationId())
          .setTraceId(event != null && event.event().getTraceId() != null ? event.event().getTraceId()
              : nodeId != null ? spanByNode.get(nodeId).traceId() : null)
          .setEventId(event == null ? null : event.event().getEventId())
          .setTopic(event == null ? null : event.event().getTopic())
          .setPartition(event == null ? null : event.event().getPartition())
          .setOffset(event == null ? null : event.event().getOffset())
          .setEventPublishedMs(event == null ? null : event.publishedMs())
          .setWaitedMs(Math.max(0, waitedMs)).setDetail(detail).setAtMs(nowMs).build());
      return messages.get(messages.size() - 1);
    }

    /** Healthy evidence; with the event's partition, so an alert can tell a stuck partition from a share of events. */
    void cleared(AlertKind kind, String consumer, String service, String eventName, EventView event) {
      String subject = consumer != null ? consumer : service;
      String key = DedupKeys.of(kind, subject, eventName);
      if (clearedKeys.add(key)) {
        messages.add(FindingMessage.newBuilder().setDedupKey(key).setAction(FindingAction.CLEARED).setKind(kind)
            .setConsumer(consumer).setService(service).setEventName(eventName).setWorkflowId(graph.getWorkflowId())
            .setTopic(event == null ? null : event.event().getTopic())
            .setPartition(event == null ? null : event.event().getPartition())
            .setOffset(event == null ? null : event.event().getOffset())
            .setEventPublishedMs(event == null ? null : event.publishedMs())
            .setAtMs(nowMs).build());
      }
    }
  }
}
