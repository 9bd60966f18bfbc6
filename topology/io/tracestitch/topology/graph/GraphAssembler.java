package io.tracestitch.topology.graph;

import io.tracestitch.avro.Branch;
import io.tracestitch.avro.GraphEdge;
import io.tracestitch.avro.GraphNode;
import io.tracestitch.avro.PublishReason;
import io.tracestitch.avro.TelemetryState;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.avro.internal.EventRecord;
import io.tracestitch.avro.internal.FindingMessage;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.WorkflowSummary;
import io.tracestitch.topology.expect.Expectations;
import io.tracestitch.topology.expect.Observations;
import io.tracestitch.topology.steps.StepBaseline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns the stored spans and events of one workflow into its graph: nodes, typed edges, branches
 * with their state, the critical path and the status. A pure function of its input (and "now", for
 * branches whose last attempt is recent), so replay and live processing give the same graph.
 *
 * <p>One step per class, in this order: the nodes ({@link WorkflowNodes}), the edges they state and the root
 * ({@link GraphShape}), the branches the spans show ({@link ObservedBranches}) and those expectations ask for
 * ({@link ExpectedBranches}), the parts only the correlation id ties in ({@link GraphShape#connectIslands}), the
 * critical path ({@link CriticalPath}) and status ({@link WorkflowOutcome}); then the findings read off the graph
 * ({@link FindingDetector}, {@link Diagnoses}) and what it teaches ({@link Lessons}).
 */
public final class GraphAssembler {
  private final ClockSkew skew;
  private final ObservedBranches observedBranches;
  private final Diagnoses diagnoses;

  public GraphAssembler(Duration inactivityGap, Duration clockSkewTolerance) {
    this(inactivityGap, clockSkewTolerance, DiagnosisSettings.defaults());
  }

  public GraphAssembler(Duration inactivityGap, Duration clockSkewTolerance, DiagnosisSettings diagnosis) {
    this.skew = new ClockSkew(clockSkewTolerance.toMillis());
    this.observedBranches = new ObservedBranches(inactivityGap, skew);
    this.diagnoses = new Diagnoses(diagnosis);
  }

  public WorkflowGraph assemble(WorkflowSummary summary, List<SpanRecord> spanRecords, List<EventRecord> eventRecords,
      PublishReason reason, long nowMs) {
    return assemble(summary, spanRecords, eventRecords, reason, nowMs, Expectations.NONE).graph();
  }

  /**
   * The graph, with the branches expectations ask for (PENDING where nobody has handled the event yet),
   * the findings they lead to, and what the workflow teaches the learned expectations.
   */
  public AssembledWorkflow assemble(WorkflowSummary summary, List<SpanRecord> spanRecords,
      List<EventRecord> eventRecords, PublishReason reason, long nowMs, Expectations expectations) {
    return assemble(summary, spanRecords, eventRecords, reason, nowMs, expectations, StepBaseline.NONE);
  }

  /** ...and with the learned step times, so a step far slower than usual is found (SLOW_STEP). */
  public AssembledWorkflow assemble(WorkflowSummary summary, List<SpanRecord> spanRecords,
      List<EventRecord> eventRecords, PublishReason reason, long nowMs, Expectations expectations,
      StepBaseline steps) {
    WorkflowNodes nodes = new WorkflowNodes(spanRecords, eventRecords);
    // One list, in the order the steps find them: skew between parent and child, skew at a consumer, the gaps.
    Set<String> warnings = new LinkedHashSet<>();
    GraphShape shape = new GraphShape(nodes, skew, warnings);
    ObservedBranches.Observed observed = observedBranches.observe(nodes, shape.edges(), warnings, nowMs);
    ExpectedBranches expected = ExpectedBranches.of(nodes.events(), shape.publishedEvents(), observed.branches(),
        expectations, nowMs);
    List<Branch> branches = expected.addedTo(observed.branches());
    String rootId = shape.root();
    shape.connectIslands(rootId);
    warnOfGaps(warnings, shape.orphans(), summary);
    List<GraphEdge> edges = shape.edges().sorted();
    SpanView rootSpan = nodes.spans().stream().filter(s -> s.nodeId().equals(rootId)).findFirst().orElse(null);

    WorkflowGraph graph = graph(summary, nodes, nodes.graphNodes(observed.attemptOf()), edges, rootId)
        .setStatus(WorkflowOutcome.of(rootSpan, branches))
        .setPublishReason(reason)
        .setPublishedAtMs(nowMs)
        .setBranches(branches)
        .setWarnings(new ArrayList<>(warnings))
        .setTelemetry(telemetry(nodes, expected.unrecorded()))
        .build();
    boolean rootFailed = rootSpan != null && rootSpan.failed();
    FindingDetector.Result found = FindingDetector.detect(graph, nodes.events(), nodes.spans(), expected.byEvent(),
        expectations, rootFailed, nowMs);
    graph.setFindings(found.graphFindings());
    Diagnoses.Result diagnosed = diagnoses.diagnose(graph, nodes.spans(), steps, nowMs);
    graph.setAllFindings(Diagnoses.all(graph.getFindings(), diagnosed.findings()));
    List<FindingMessage> messages = new ArrayList<>(found.messages());
    messages.addAll(diagnosed.messages());
    Observations lessons = Lessons.of(nodes.events(), nodes.spans(), observed.successes(), edges,
        expected.unrecorded());
    return new AssembledWorkflow(graph, messages, lessons, ExpectedBranches.nextDeadline(graph.getBranches(), nowMs),
        diagnosed.steps());
  }

  /** What the graph cannot show: parents that never arrived, spans beyond the cap. */
  private static void warnOfGaps(Set<String> warnings, int orphans, WorkflowSummary summary) {
    if (orphans > 0) {
      warnings.add(orphans + " span(s) name a parent span that never arrived (not exported, not sampled, or still running).");
    }
    if (summary.getTruncated()) {
      warnings.add("The cap of spans per workflow was reached: " + summary.getDroppedSpans() + " span(s) or event(s) were left out.");
    }
  }

  /** The graph's nodes, edges, times and identities, with the critical path from the root through them. */
  private static WorkflowGraph.Builder graph(WorkflowSummary summary, WorkflowNodes nodes, List<GraphNode> graphNodes,
      List<GraphEdge> edges, String rootId) {
    Map<String, GraphNode> nodeById = new HashMap<>();
    graphNodes.forEach(n -> nodeById.put(n.getId(), n));
    long started = graphNodes.stream().mapToLong(n -> n.getStartMs() == null ? Long.MAX_VALUE : n.getStartMs()).min()
        .orElse(0);
    long ended = graphNodes.stream().mapToLong(n -> n.getEndMs() == null ? Long.MIN_VALUE : n.getEndMs()).max()
        .orElse(0);
    return WorkflowGraph.newBuilder()
        .setWorkflowId(summary.getWorkflowId())
        .setCorrelationId(nodes.correlationId(summary))
        .setTraceIds(new ArrayList<>(new TreeSet<>(nodes.traceIds(summary))))
        .setRevision(summary.getRevision())
        .setStartedAtMs(graphNodes.isEmpty() ? null : started)
        .setEndedAtMs(graphNodes.isEmpty() ? null : ended)
        .setDurationMs(graphNodes.isEmpty() ? 0 : Math.max(0, ended - started))
        .setRootNodeId(rootId)
        .setRootService(rootId == null ? null : nodeById.get(rootId).getService())
        .setRootName(rootId == null ? null : nodeById.get(rootId).getName())
        .setNodes(graphNodes)
        .setEdges(edges)
        .setCriticalPath(CriticalPath.of(rootId, nodeById, edges))
        .setFindings(new ArrayList<>())
        .setTruncated(summary.getTruncated())
        .setDroppedSpans(summary.getDroppedSpans())
        .setDuplicateSpans(nodes.duplicateSpans())
        .setMergedFrom(new ArrayList<>(summary.getMergedFrom()));
  }

  private static TelemetryState telemetry(WorkflowNodes nodes, Set<String> unrecorded) {
    List<EventView> events = nodes.events();
    return TelemetryCoverage.state(nodes.spans().size(),
        events.stream().filter(e -> e.event().getTraceId() != null).map(e -> e.event().getSampled()).toList(),
        (int) events.stream().filter(e -> e.event().getTraceId() == null).count(), unrecorded);
  }
}
