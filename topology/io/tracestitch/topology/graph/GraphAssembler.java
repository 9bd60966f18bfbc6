package io.tracestitch.topology.graph;

import io.tracestitch.avro.Branch;
import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.EdgeType;
import io.tracestitch.avro.GraphEdge;
import io.tracestitch.avro.GraphNode;
import io.tracestitch.avro.NodeKind;
import io.tracestitch.avro.NodeStatus;
import io.tracestitch.avro.PublishReason;
import io.tracestitch.avro.TelemetryState;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.avro.WorkflowStatus;
import io.tracestitch.avro.internal.EventRecord;
import io.tracestitch.avro.internal.FindingMessage;
import io.tracestitch.avro.internal.SpanKind;
import io.tracestitch.avro.internal.SpanLinkRef;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.SpanStatus;
import io.tracestitch.avro.internal.WorkflowKind;
import io.tracestitch.avro.internal.WorkflowSummary;
import io.tracestitch.topology.expect.ExpectedConsumer;
import io.tracestitch.topology.expect.Expectations;
import io.tracestitch.topology.expect.Observations;
import io.tracestitch.topology.steps.StepBaseline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns the stored spans and events of one workflow into its graph: nodes, typed edges, branches
 * with their state, the critical path and the status. A pure function of its input (and "now", for
 * branches whose last attempt is recent), so replay and live processing give the same graph.
 */
public final class GraphAssembler {
  private final long inactivityGapMs;
  private final long skewToleranceMs;
  private final Diagnoses diagnoses;

  public GraphAssembler(Duration inactivityGap, Duration clockSkewTolerance) {
    this(inactivityGap, clockSkewTolerance, DiagnosisSettings.defaults());
  }

  public GraphAssembler(Duration inactivityGap, Duration clockSkewTolerance, DiagnosisSettings diagnosis) {
    this.inactivityGapMs = inactivityGap.toMillis();
    this.skewToleranceMs = clockSkewTolerance.toMillis();
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
    List<SpanRecord> unique = uniqueSpans(spanRecords);
    int duplicates = spanRecords.size() - unique.size();
    List<SpanView> spans = spanViews(unique);
    List<EventView> events = eventViews(eventRecords);
    Map<String, SpanView> spanByKey = new HashMap<>();
    spans.forEach(s -> spanByKey.put(s.traceId() + "/" + s.span().getSpanId(), s));
    Set<String> warnings = new LinkedHashSet<>();
    Edges edges = new Edges();

    int orphans = 0;
    for (SpanView s : spans) {
      String parentId = s.span().getParentSpanId();
      if (parentId != null) {
        SpanView parent = spanByKey.get(s.traceId() + "/" + parentId);
        if (parent != null) {
          edges.add(s.nodeId(), parent.nodeId(), EdgeType.CHILD_OF);
          warnIfSkewed(warnings, parent.span().getService(), s.span().getService(), parent.startMs(), s.startMs(),
              "a span of " + s.span().getService() + " starts before its parent in " + parent.span().getService());
        } else {
          orphans++;
        }
      }
      for (SpanLinkRef link : s.span().getLinks()) {
        SpanView linked = spanByKey.get(link.getTraceId() + "/" + link.getSpanId());
        if (linked != null) {
          edges.add(s.nodeId(), linked.nodeId(), EdgeType.LINK);
        }
      }
    }
    Set<String> published = new java.util.HashSet<>();
    for (EventView e : events) {
      String producer = e.producerSpanId();
      SpanView publisher = producer == null || e.event().getTraceId() == null ? null
          : spanByKey.get(e.event().getTraceId() + "/" + producer);
      if (publisher != null) {
        edges.add(publisher.nodeId(), e.nodeId(), EdgeType.PUBLISHED);
        published.add(e.event().getEventId());
      }
      if (e.delivery() > 1) {
        edges.add(e.nodeId(), deliveryNodeId(e.event().getEventId(), e.delivery() - 1), EdgeType.RETRY_OF);
      }
    }

    Map<String, Integer> attemptOf = new HashMap<>();
    Map<String, Consumption> successes = new HashMap<>();
    List<Branch> branches = branches(spans, events, spanByKey, edges, attemptOf, warnings, nowMs, successes);
    Set<String> unrecorded = unrecordedEvents(events, published, branches);
    Map<String, List<ExpectedConsumer>> expectedByEvent = expected(events, expectations, nowMs);
    branches = withExpectations(branches, events, expectedByEvent, unrecorded);
    TelemetryState telemetry = TelemetryCoverage.state(spans.size(),
        events.stream().filter(e -> e.event().getTraceId() != null).map(e -> e.event().getSampled()).toList(),
        (int) events.stream().filter(e -> e.event().getTraceId() == null).count(), unrecorded);
    String rootId = root(spans, events);
    connectIslands(rootId, spans, events, edges);

    if (orphans > 0) {
      warnings.add(orphans + " span(s) name a parent span that never arrived (not exported, not sampled, or still running).");
    }
    if (summary.getTruncated()) {
      warnings.add("The cap of spans per workflow was reached: " + summary.getDroppedSpans() + " span(s) or event(s) were left out.");
    }

    List<GraphNode> nodes = nodes(spans, events, attemptOf);
    Map<String, GraphNode> nodeById = new HashMap<>();
    nodes.forEach(n -> nodeById.put(n.getId(), n));
    SpanView rootSpan = spans.stream().filter(s -> s.nodeId().equals(rootId)).findFirst().orElse(null);
    long started = nodes.stream().mapToLong(n -> n.getStartMs() == null ? Long.MAX_VALUE : n.getStartMs()).min()
        .orElse(0);
    long ended = nodes.stream().mapToLong(n -> n.getEndMs() == null ? Long.MIN_VALUE : n.getEndMs()).max().orElse(0);

    WorkflowGraph graph = WorkflowGraph.newBuilder()
        .setWorkflowId(summary.getWorkflowId())
        .setCorrelationId(correlationId(summary, spans, events))
        .setTraceIds(new ArrayList<>(new TreeSet<>(traceIds(summary, spans, events))))
        .setStatus(status(rootSpan, branches))
        .setRevision(summary.getRevision())
        .setPublishReason(reason)
        .setPublishedAtMs(nowMs)
        .setStartedAtMs(nodes.isEmpty() ? null : started)
        .setEndedAtMs(nodes.isEmpty() ? null : ended)
        .setDurationMs(nodes.isEmpty() ? 0 : Math.max(0, ended - started))
        .setRootNodeId(rootId)
        .setRootService(rootId == null ? null : nodeById.get(rootId).getService())
        .setRootName(rootId == null ? null : nodeById.get(rootId).getName())
        .setNodes(nodes)
        .setEdges(edges.sorted())
        .setBranches(branches)
        .setCriticalPath(CriticalPath.of(rootId, nodeById, edges.sorted()))
        .setFindings(new ArrayList<>())
        .setWarnings(new ArrayList<>(warnings))
        .setTruncated(summary.getTruncated())
        .setDroppedSpans(summary.getDroppedSpans())
        .setDuplicateSpans(duplicates)
        .setMergedFrom(new ArrayList<>(summary.getMergedFrom()))
        .setTelemetry(telemetry)
        .build();
    boolean rootFailed = rootSpan != null && rootSpan.failed();
    FindingDetector.Result found = FindingDetector.detect(graph, events, spans, expectedByEvent, expectations,
        rootFailed, nowMs);
    graph.setFindings(found.graphFindings());
    Diagnoses.Result diagnosed = diagnoses.diagnose(graph, spans, steps, nowMs);
    graph.setAllFindings(Diagnoses.all(graph.getFindings(), diagnosed.findings()));
    List<FindingMessage> messages = new ArrayList<>(found.messages());
    messages.addAll(diagnosed.messages());
    return new AssembledWorkflow(graph, messages, observations(events, spans, successes, edges, unrecorded),
        nextDeadline(graph.getBranches(), nowMs), diagnosed.steps());
  }

  /** For each event that carries a sampled trace context, the consumers that should handle it. */
  private static Map<String, List<ExpectedConsumer>> expected(List<EventView> events, Expectations expectations,
      long nowMs) {
    Map<String, List<ExpectedConsumer>> byEvent = new LinkedHashMap<>();
    for (EventView e : events) {
      // An unsampled or context-free event has no consumer spans to wait for: expecting them would page for nothing.
      if (e.delivery() == 1 && e.event().getTraceId() != null && e.event().getSampled()) {
        List<ExpectedConsumer> expected = expectations.consumersOf(e.name(), nowMs);
        if (!expected.isEmpty()) {
          byEvent.put(e.event().getEventId(), expected);
        }
      }
    }
    return byEvent;
  }

  /** Sampled events (first deliveries) whose producer span and consumer spans all failed to arrive. */
  private static Set<String> unrecordedEvents(List<EventView> events, Set<String> published, List<Branch> observed) {
    Set<String> consumed = new java.util.HashSet<>();
    observed.forEach(b -> consumed.add(b.getEventId()));
    Set<String> unrecorded = new java.util.HashSet<>();
    for (EventView e : events) {
      String id = e.event().getEventId();
      if (e.delivery() == 1 && TelemetryCoverage.unrecorded(e.event().getTraceId() != null && e.event().getSampled(),
          published.contains(id), consumed.contains(id))) {
        unrecorded.add(id);
      }
    }
    return unrecorded;
  }

  private static List<Branch> withExpectations(List<Branch> observed, List<EventView> events,
      Map<String, List<ExpectedConsumer>> expectedByEvent, Set<String> unrecorded) {
    List<Branch> branches = new ArrayList<>(observed);
    for (EventView e : events) {
      List<ExpectedConsumer> expected = expectedByEvent.get(e.event().getEventId());
      if (expected == null || e.delivery() != 1) {
        continue;
      }
      for (ExpectedConsumer c : expected) {
        long deadline = e.publishedMs() + c.deadlineMs();
        Optional<Branch> existing = branches.stream()
            .filter(b -> b.getEventId().equals(e.event().getEventId()) && b.getConsumer().equals(c.name())).findFirst();
        if (existing.isPresent()) {
          existing.get().setExpected(true);
          existing.get().setDeadlineMs(deadline);
        } else {
          branches.add(Branch.newBuilder().setEventId(e.event().getEventId()).setEventName(e.name())
              .setEventNodeId(e.nodeId()).setConsumer(c.name()).setState(BranchState.PENDING).setAttempts(0)
              .setExpected(true).setDeadlineMs(deadline)
              .setTelemetryMissing(unrecorded.contains(e.event().getEventId())).build());
        }
      }
    }
    branches.sort(Comparator.comparing(Branch::getEventNodeId).thenComparing(Branch::getConsumer));
    return branches;
  }

  /** The earliest deadline still to come of an expected branch that has not succeeded: publish no earlier. */
  private static Long nextDeadline(List<Branch> branches, long nowMs) {
    return branches.stream()
        .filter(b -> b.getExpected() && b.getDeadlineMs() != null && b.getDeadlineMs() > nowMs)
        .filter(b -> b.getState() == BranchState.PENDING || b.getState() == BranchState.RETRYING)
        .map(Branch::getDeadlineMs).min(Long::compare).orElse(null);
  }

  private static Observations observations(List<EventView> events, List<SpanView> spans,
      Map<String, Consumption> successes, Edges edges, Set<String> unrecorded) {
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
    Set<String> withCallee = new java.util.HashSet<>();
    for (GraphEdge edge : edges.sorted()) {
      switch (edge.getType()) {
        case CHILD_OF, LINK -> withCallee.add(edge.getTo());
        case PUBLISHED -> withCallee.add(edge.getFrom());
        default -> { }
      }
    }
    List<Observations.CallSeen> calls = new ArrayList<>();
    for (SpanView s : spans) {
      SpanKind kind = s.span().getKind();
      if (kind == SpanKind.PRODUCER || kind == SpanKind.CLIENT) {
        calls.add(new Observations.CallSeen(s.span().getService(), s.span().getName(), withCallee.contains(s.nodeId())));
      }
    }
    return new Observations(seen, calls);
  }

  /**
   * One branch per (event id, consumer): all attempts of that consumer at that event, duplicates
   * of the event included, ordered by start time and chained with RETRY_OF.
   *
   * <p>An attempt is the span that processed the message, whatever the instrumentation's shape: a process span
   * continuing the producer's trace, a process span linking to it from a trace of its own, a process span under
   * a receive/poll span (receive telemetry on, kafkajs' eachBatch), a batch span with one link per message.
   * When a span and one of its descendants both handled the same delivery for the same consumer, the innermost
   * is the attempt and the outer one is what it is, the poll: a node of the graph, never an attempt.
   */
  private List<Branch> branches(List<SpanView> spans, List<EventView> events, Map<String, SpanView> spanByKey,
      Edges edges, Map<String, Integer> attemptOf, Set<String> warnings, long nowMs,
      Map<String, Consumption> successes) {
    Map<String, List<String>> children = new HashMap<>();
    Map<String, SpanView> parentOf = new HashMap<>();
    for (SpanView s : spans) {
      if (s.span().getParentSpanId() != null) {
        SpanView parent = spanByKey.get(s.traceId() + "/" + s.span().getParentSpanId());
        if (parent != null && parent != s) {
          children.computeIfAbsent(parent.nodeId(), k -> new ArrayList<>()).add(s.nodeId());
          parentOf.put(s.nodeId(), parent);
        }
      }
    }
    Set<String> withConsumingChild = new java.util.HashSet<>();
    for (SpanView s : spans) {
      SpanView parent = parentOf.get(s.nodeId());
      if (parent != null && s.consumes()) {
        withConsumingChild.add(parent.nodeId());
      }
    }
    ConsumptionMatcher matcher = new ConsumptionMatcher(events);
    Map<String, List<Consumption>> consumptionsBySpan = new HashMap<>();
    for (SpanView s : spans) {
      if (s.consumes()) {
        boolean poll = s.receives() && (s.countsABatch() || withConsumingChild.contains(s.nodeId()));
        List<Consumption> found = matcher.match(s, poll);
        if (!found.isEmpty()) {
          consumptionsBySpan.put(s.nodeId(), found);
        }
      }
    }
    Set<String> wrappers = wrappers(spans, parentOf, consumptionsBySpan);
    AttemptOutcomes outcomes = new AttemptOutcomes(spans);
    Map<String, List<Consumption>> attemptsByBranch = new LinkedHashMap<>();
    for (SpanView s : spans) {
      for (Consumption c : consumptionsBySpan.getOrDefault(s.nodeId(), List.of())) {
        if (wrappers.contains(s.nodeId() + "\u0000" + c.event().nodeId())) {
          continue;
        }
        edges.add(c.event().nodeId(), s.nodeId(), c.edge());
        attemptsByBranch.computeIfAbsent(c.event().event().getEventId() + "\u0000" + s.consumer(),
            k -> new ArrayList<>()).add(c);
      }
    }
    List<Branch> branches = new ArrayList<>();
    for (List<Consumption> attempts : attemptsByBranch.values()) {
      attempts.sort(Comparator.comparingLong((Consumption c) -> c.span().startMs()).thenComparing(c -> c.span().nodeId())
          .thenComparing(c -> c.event().nodeId()));
      List<Consumption> distinct = new ArrayList<>();
      for (Consumption c : attempts) {
        // One batch span handling two deliveries of the same event is one attempt at it, not two.
        if (distinct.stream().noneMatch(d -> d.span() == c.span())) {
          distinct.add(c);
        }
      }
      for (int i = 0; i < distinct.size(); i++) {
        attemptOf.put(distinct.get(i).span().nodeId(), i + 1);
        if (i > 0) {
          edges.add(distinct.get(i).span().nodeId(), distinct.get(i - 1).span().nodeId(), EdgeType.RETRY_OF);
        }
      }
      branches.add(branch(distinct, events, children, outcomes, warnings, nowMs));
      distinct.stream().filter(c -> !outcomes.failed(c.span())).findFirst()
          .ifPresent(c -> successes.put(c.event().event().getEventId() + "\u0000" + c.span().consumer(), c));
    }
    branches.sort(Comparator.comparing(Branch::getEventNodeId).thenComparing(Branch::getConsumer));
    return branches;
  }

  /**
   * (span, delivery) pairs where a descendant of the span handled the same delivery for the same consumer: a
   * receive span wrapping its process spans, a poll over the messages of its batch.
   */
  private static Set<String> wrappers(List<SpanView> spans, Map<String, SpanView> parentOf,
      Map<String, List<Consumption>> consumptionsBySpan) {
    Set<String> wrappers = new java.util.HashSet<>();
    for (SpanView s : spans) {
      for (Consumption c : consumptionsBySpan.getOrDefault(s.nodeId(), List.of())) {
        Set<String> climbed = new java.util.HashSet<>();
        for (SpanView up = parentOf.get(s.nodeId()); up != null && climbed.add(up.nodeId());
            up = parentOf.get(up.nodeId())) {
          for (Consumption outer : consumptionsBySpan.getOrDefault(up.nodeId(), List.of())) {
            if (outer.event().nodeId().equals(c.event().nodeId()) && up.consumer().equals(s.consumer())) {
              wrappers.add(up.nodeId() + "\u0000" + c.event().nodeId());
            }
          }
        }
      }
    }
    return wrappers;
  }

  private Branch branch(List<Consumption> attempts, List<EventView> events, Map<String, List<String>> children,
      AttemptOutcomes outcomes, Set<String> warnings, long nowMs) {
    Consumption first = attempts.get(0);
    Consumption last = attempts.get(attempts.size() - 1);
    Optional<Consumption> success = attempts.stream().filter(c -> !outcomes.failed(c.span())).reduce((a, b) -> b);
    BranchState state;
    if (success.isPresent()) {
      state = BranchState.SUCCEEDED;
    } else if (nowMs - last.span().endMs() < inactivityGapMs) {
      // Failed so recently that another attempt may still come: only seen when published at the maximum duration.
      state = BranchState.RETRYING;
    } else {
      state = BranchState.FAILED;
    }
    Consumption deciding = success.orElse(last);
    EventView event = first.event();
    EventView firstDelivery = events.stream()
        .filter(e -> e.event().getEventId().equals(event.event().getEventId()))
        .min(Comparator.comparingInt(EventView::delivery)).orElse(event);
    long queueWait = first.span().startMs() - event.publishedMs();
    warnIfSkewed(warnings, event.event().getSource() == null ? "the producer of " + event.name()
        : event.event().getSource(), first.span().span().getService(), event.publishedMs(), first.span().startMs(),
        first.span().consumer() + " starts handling " + event.name() + " before it was published");
    String lastError = attempts.stream().map(c -> outcomes.failure(c.span())).flatMap(Optional::stream)
        .map(SpanView::error).reduce((a, b) -> b).orElse(null);
    int subtree = 0;
    for (Consumption c : attempts) {
      subtree += descendants(c.span().nodeId(), children);
    }
    return Branch.newBuilder()
        .setEventId(event.event().getEventId())
        .setEventName(event.name())
        .setEventNodeId(firstDelivery.nodeId())
        .setConsumer(first.span().consumer())
        .setService(first.span().span().getService())
        .setState(state)
        .setAttempts(attempts.size())
        .setAttemptNodeIds(attempts.stream().map(c -> c.span().nodeId()).toList())
        .setQueueWaitMs(Math.max(0, queueWait))
        .setProcessingMs(deciding.span().endMs() - deciding.span().startMs())
        .setSubtreeSpans(subtree)
        .setLastError(lastError)
        .build();
  }

  private static int descendants(String nodeId, Map<String, List<String>> children) {
    int count = 0;
    List<String> stack = new ArrayList<>(children.getOrDefault(nodeId, List.of()));
    Set<String> seen = new java.util.HashSet<>();
    while (!stack.isEmpty()) {
      String next = stack.remove(stack.size() - 1);
      if (seen.add(next)) {
        count++;
        stack.addAll(children.getOrDefault(next, List.of()));
      }
    }
    return count;
  }

  /**
   * Parts of the workflow that nothing but the correlation id ties to the rest (a consumer that
   * started a new trace without propagating context) hang off the root with a CORRELATED edge, so the
   * graph is connected and the gap is visible.
   */
  private static void connectIslands(String rootId, List<SpanView> spans, List<EventView> events, Edges edges) {
    if (rootId == null) {
      return;
    }
    Map<String, String> parent = new HashMap<>();
    spans.forEach(s -> parent.put(s.nodeId(), s.nodeId()));
    events.forEach(e -> parent.put(e.nodeId(), e.nodeId()));
    for (GraphEdge edge : edges.sorted()) {
      union(parent, edge.getFrom(), edge.getTo());
    }
    Map<String, String> earliestByComponent = new LinkedHashMap<>();
    List<Object[]> timed = new ArrayList<>();
    spans.forEach(s -> timed.add(new Object[] {s.nodeId(), s.startMs()}));
    events.forEach(e -> timed.add(new Object[] {e.nodeId(), e.publishedMs()}));
    timed.sort(Comparator.comparingLong((Object[] t) -> (Long) t[1]).thenComparing(t -> (String) t[0]));
    for (Object[] t : timed) {
      earliestByComponent.putIfAbsent(find(parent, (String) t[0]), (String) t[0]);
    }
    String rootComponent = find(parent, rootId);
    earliestByComponent.forEach((component, first) -> {
      if (!component.equals(rootComponent)) {
        edges.add(rootId, first, EdgeType.CORRELATED);
      }
    });
  }

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

  /** The earliest span that has no parent here, preferring one that is not itself consuming a message. */
  private static String root(List<SpanView> spans, List<EventView> events) {
    Set<String> present = new java.util.HashSet<>();
    spans.forEach(s -> present.add(s.traceId() + "/" + s.span().getSpanId()));
    Comparator<SpanView> byStart = Comparator.comparingLong(SpanView::startMs).thenComparing(SpanView::nodeId);
    List<SpanView> roots = spans.stream()
        .filter(s -> s.span().getParentSpanId() == null || !present.contains(s.traceId() + "/" + s.span().getParentSpanId()))
        .sorted(byStart).toList();
    Optional<SpanView> root = roots.stream().filter(s -> !s.consumes()).findFirst();
    if (root.isEmpty()) {
      root = roots.stream().findFirst();
    }
    if (root.isPresent()) {
      return root.get().nodeId();
    }
    return events.stream().min(Comparator.comparingLong(EventView::publishedMs).thenComparing(EventView::nodeId))
        .map(EventView::nodeId).orElse(null);
  }

  private static WorkflowStatus status(SpanView root, List<Branch> branches) {
    boolean failed = (root != null && root.span().getStatusCode() == SpanStatus.ERROR)
        || branches.stream().anyMatch(b -> b.getState() == BranchState.FAILED);
    if (failed) {
      return WorkflowStatus.FAILED;
    }
    // A branch whose telemetry is missing is not known to be open: the graph says PARTIAL instead.
    boolean open = branches.stream().filter(b -> !b.getTelemetryMissing())
        .anyMatch(b -> b.getState() == BranchState.PENDING || b.getState() == BranchState.RETRYING);
    return open ? WorkflowStatus.INCOMPLETE : WorkflowStatus.SUCCEEDED;
  }

  private void warnIfSkewed(Set<String> warnings, String earlierService, String laterService, long causeMs,
      long effectMs, String what) {
    long ahead = causeMs - effectMs;
    if (ahead > skewToleranceMs && !earlierService.equals(laterService)) {
      warnings.add("Clock skew suspected between " + earlierService + " and " + laterService + ": " + what + " by "
          + ahead + " ms; ordering across these services is approximate.");
    }
  }

  /** A span exported twice (an exporter retry) is one node; the first copy stored wins. */
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
    Set<String> taken = new java.util.HashSet<>();
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

  private static String deliveryNodeId(String eventId, int delivery) {
    return delivery == 1 ? "event:" + eventId : "event:" + eventId + "#" + delivery;
  }

  private static List<GraphNode> nodes(List<SpanView> spans, List<EventView> events, Map<String, Integer> attemptOf) {
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

  private static String correlationId(WorkflowSummary summary, List<SpanView> spans, List<EventView> events) {
    if (summary.getWorkflowKind() == WorkflowKind.CORRELATION) {
      return summary.getWorkflowId();
    }
    return events.stream().map(e -> e.event().getCorrelationId()).filter(c -> c != null).findFirst()
        .orElseGet(() -> spans.stream().map(s -> s.span().getCorrelationId()).filter(c -> c != null).findFirst()
            .orElse(null));
  }

  private static Set<String> traceIds(WorkflowSummary summary, List<SpanView> spans, List<EventView> events) {
    Set<String> ids = new LinkedHashSet<>();
    spans.forEach(s -> ids.add(s.traceId()));
    events.stream().map(e -> e.event().getTraceId()).filter(t -> t != null).forEach(ids::add);
    if (ids.isEmpty()) {
      ids.addAll(summary.getTraceIds());
    }
    return ids;
  }

  /** Edges without repeats, in a stable order. */
  static final class Edges {
    private final Set<String> seen = new java.util.HashSet<>();
    private final List<GraphEdge> edges = new ArrayList<>();

    void add(String from, String to, EdgeType type) {
      if (!from.equals(to) && seen.add(from + "\u0000" + to + "\u0000" + type)) {
        edges.add(GraphEdge.newBuilder().setFrom(from).setTo(to).setType(type).build());
      }
    }

    List<GraphEdge> sorted() {
      List<GraphEdge> copy = new ArrayList<>(edges);
      copy.sort(Comparator.comparing(GraphEdge::getFrom).thenComparing(GraphEdge::getTo).thenComparing(GraphEdge::getType));
      return copy;
    }
  }
}
