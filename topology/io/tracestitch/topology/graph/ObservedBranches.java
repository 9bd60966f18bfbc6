package io.tracestitch.topology.graph;

import io.tracestitch.avro.Branch;
import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.EdgeType;
import java.time.Duration;
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
 * The branches the spans show: one per (event id, consumer), all attempts of that consumer at that event,
 * duplicates of the event included, ordered by start time and chained with RETRY_OF, each SUCCEEDED, RETRYING or
 * FAILED as its attempts went ({@link AttemptOutcomes}).
 *
 * <p>An attempt is the span that processed the message, whatever the instrumentation's shape: a process span
 * continuing the producer's trace, a process span linking to it from a trace of its own, a process span under
 * a receive/poll span (receive telemetry on, kafkajs' eachBatch), a batch span with one link per message.
 * When a span and one of its descendants both handled the same delivery for the same consumer, the innermost
 * is the attempt and the outer one is what it is, the poll: a node of the graph, never an attempt.
 */
final class ObservedBranches {
  private final long inactivityGapMs;
  private final ClockSkew skew;

  /**
   * What the spans show: the branches (sorted by event node, then consumer), each attempt span's number within its
   * branch, and each branch's first successful attempt, by event id and consumer.
   */
  record Observed(List<Branch> branches, Map<String, Integer> attemptOf, Map<String, Consumption> successes) {}

  ObservedBranches(Duration inactivityGap, ClockSkew skew) {
    this.inactivityGapMs = inactivityGap.toMillis();
    this.skew = skew;
  }

  /** Ties each attempt to its event in {@code edges} (CONSUMED_BY or CORRELATED); a consumer early is a skew warning. */
  Observed observe(WorkflowNodes nodes, Edges edges, Set<String> warnings, long nowMs) {
    List<SpanView> spans = nodes.spans();
    Map<String, List<String>> children = new HashMap<>();
    Map<String, SpanView> parentOf = new HashMap<>();
    for (SpanView s : spans) {
      SpanView parent = nodes.parent(s);
      if (parent != null && parent != s) {
        children.computeIfAbsent(parent.nodeId(), k -> new ArrayList<>()).add(s.nodeId());
        parentOf.put(s.nodeId(), parent);
      }
    }
    Map<String, List<Consumption>> consumptionsBySpan = consumptions(nodes, parentOf);
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
    Map<String, Integer> attemptOf = new HashMap<>();
    Map<String, Consumption> successes = new HashMap<>();
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
      branches.add(branch(distinct, nodes.events(), children, outcomes, warnings, nowMs));
      distinct.stream().filter(c -> !outcomes.failed(c.span())).findFirst()
          .ifPresent(c -> successes.put(c.event().event().getEventId() + "\u0000" + c.span().consumer(), c));
    }
    branches.sort(Comparator.comparing(Branch::getEventNodeId).thenComparing(Branch::getConsumer));
    return new Observed(branches, attemptOf, successes);
  }

  /** The deliveries each consuming span handled; a receive span over a batch, or over consuming children, is a poll. */
  private static Map<String, List<Consumption>> consumptions(WorkflowNodes nodes, Map<String, SpanView> parentOf) {
    Set<String> withConsumingChild = new HashSet<>();
    for (SpanView s : nodes.spans()) {
      SpanView parent = parentOf.get(s.nodeId());
      if (parent != null && s.consumes()) {
        withConsumingChild.add(parent.nodeId());
      }
    }
    ConsumptionMatcher matcher = new ConsumptionMatcher(nodes.events());
    Map<String, List<Consumption>> consumptionsBySpan = new HashMap<>();
    for (SpanView s : nodes.spans()) {
      if (s.consumes()) {
        boolean poll = s.receives() && (s.countsABatch() || withConsumingChild.contains(s.nodeId()));
        List<Consumption> found = matcher.match(s, poll);
        if (!found.isEmpty()) {
          consumptionsBySpan.put(s.nodeId(), found);
        }
      }
    }
    return consumptionsBySpan;
  }

  /**
   * (span, delivery) pairs where a descendant of the span handled the same delivery for the same consumer: a
   * receive span wrapping its process spans, a poll over the messages of its batch.
   */
  private static Set<String> wrappers(List<SpanView> spans, Map<String, SpanView> parentOf,
      Map<String, List<Consumption>> consumptionsBySpan) {
    Set<String> wrappers = new HashSet<>();
    for (SpanView s : spans) {
      for (Consumption c : consumptionsBySpan.getOrDefault(s.nodeId(), List.of())) {
        Set<String> climbed = new HashSet<>();
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
    skew.warnIfAhead(warnings, event.event().getSource() == null ? "the producer of " + event.name()
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
    Set<String> seen = new HashSet<>();
    while (!stack.isEmpty()) {
      String next = stack.remove(stack.size() - 1);
      if (seen.add(next)) {
        count++;
        stack.addAll(children.getOrDefault(next, List.of()));
      }
    }
    return count;
  }
}
