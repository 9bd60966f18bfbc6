package io.tracestitch.topology.graph;

import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.Branch;
import io.tracestitch.avro.Finding;
import io.tracestitch.avro.GraphFinding;
import io.tracestitch.avro.Severity;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.avro.internal.FindingAction;
import io.tracestitch.avro.internal.FindingMessage;
import io.tracestitch.topology.steps.StepBaseline;
import io.tracestitch.topology.steps.StepSample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The findings that explain a workflow rather than page about it: where its failure began (ERROR_ORIGIN), a span
 * calling the same thing over and over (REPEATED_CALLS), a step far slower than usual (SLOW_STEP). Read off an
 * assembled graph and its spans; they go to the graph's {@code allFindings}, and to the alert stage only for the
 * kinds the settings promote. Also says what the workflow teaches the learned step times.
 */
final class Diagnoses {
  private final DiagnosisSettings settings;

  Diagnoses(DiagnosisSettings settings) {
    this.settings = settings;
  }

  record Result(List<GraphFinding> findings, List<FindingMessage> messages, List<StepSample> steps) {}

  Result diagnose(WorkflowGraph graph, List<SpanView> spans, StepBaseline baseline, long nowMs) {
    SpanTree tree = new SpanTree(graph, spans);
    CriticalSpans critical = new CriticalSpans(graph, tree);
    Map<String, String> eventOfAttempt = new HashMap<>();
    for (Branch b : graph.getBranches()) {
      b.getAttemptNodeIds().forEach(id -> eventOfAttempt.put(id, b.getEventName()));
    }
    List<GraphFinding> found = new ArrayList<>();
    // Time below a span that a finding already explains, so SLOW_STEP names each cause once.
    Map<String, Long> explained = new HashMap<>();
    for (ErrorOrigin.Origin origin : ErrorOrigin.find(graph, tree)) {
      found.add(ErrorOrigin.finding(origin, graph));
      SpanView o = origin.span();
      explained.merge(o.nodeId(), (o.span().getEndNanos() - o.span().getStartNanos()) / 1000, Long::sum);
    }
    for (RepeatedCalls.Repeat repeat : RepeatedCalls.find(tree, settings.repeatedCallsMin())) {
      found.add(RepeatedCalls.finding(repeat, critical));
      explained.merge(repeat.parent().nodeId(), repeat.totalMs() * 1000, Long::sum);
    }
    found.addAll(SlowSteps.find(tree, critical, baseline, eventOfAttempt, explained, settings, nowMs));
    List<FindingMessage> messages = new ArrayList<>();
    for (GraphFinding f : found) {
      Severity severity = settings.promoted().get(f.getKind());
      if (severity != null) {
        messages.add(message(graph, tree, f, severity, nowMs));
      }
    }
    return new Result(found, messages, SlowSteps.samples(tree, eventOfAttempt));
  }

  /** The graph's findings of every kind: those of {@code findings}, then the ones found here. */
  static List<GraphFinding> all(List<Finding> paging, List<GraphFinding> explaining) {
    List<GraphFinding> all = new ArrayList<>();
    for (Finding f : paging) {
      all.add(GraphFinding.newBuilder().setKind(AlertKind.valueOf(f.getKind().name())).setService(f.getService())
          .setConsumer(f.getConsumer()).setEventName(f.getEventName()).setEventId(f.getEventId())
          .setNodeId(f.getNodeId()).setDetail(f.getDetail()).build());
    }
    all.addAll(explaining);
    return all;
  }

  /** Grouped as (kind, service, operation): one page per origin service, N+1 call or slow step. */
  private static FindingMessage message(WorkflowGraph graph, SpanTree tree, GraphFinding f, Severity severity,
      long nowMs) {
    String operation = f.getKind() == AlertKind.REPEATED_CALLS ? f.getCall() : f.getOperation();
    SpanView node = f.getNodeId() == null ? null : tree.span(f.getNodeId());
    return FindingMessage.newBuilder()
        .setDedupKey(DedupKeys.of(f.getKind(), f.getService(), operation))
        .setAction(FindingAction.OCCURRED).setKind(f.getKind()).setService(f.getService()).setEventName(operation)
        .setWorkflowId(graph.getWorkflowId()).setCorrelationId(graph.getCorrelationId())
        .setTraceId(node == null ? null : node.traceId()).setEventId(f.getEventId())
        .setWaitedMs(f.getDurationMs()).setDetail(f.getDetail()).setSeverity(severity.name()).setAtMs(nowMs)
        .build();
  }
}
