package io.tracestitch.topology.graph;

import io.tracestitch.avro.Branch;
import io.tracestitch.avro.BranchState;
import io.tracestitch.topology.expect.ExpectedConsumer;
import io.tracestitch.topology.expect.Expectations;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The branches expectations ask for. Each sampled event (its first delivery) should be handled by the consumers
 * the expectations name, each by its deadline after publication: an observed branch of such a consumer is marked
 * expected with that deadline, a missing one is added as PENDING. The events whose surroundings never arrived
 * ({@link TelemetryCoverage#unrecorded}) are known too, so their missing branches say {@code telemetryMissing}.
 */
final class ExpectedBranches {
  private final List<EventView> events;
  private final Map<String, List<ExpectedConsumer>> byEvent;
  private final Set<String> unrecorded;

  private ExpectedBranches(List<EventView> events, Map<String, List<ExpectedConsumer>> byEvent,
      Set<String> unrecorded) {
    this.events = events;
    this.byEvent = byEvent;
    this.unrecorded = unrecorded;
  }

  /**
   * @param published ids of the events whose publishing span is in the workflow
   * @param observed the branches the spans show
   */
  static ExpectedBranches of(List<EventView> events, Set<String> published, List<Branch> observed,
      Expectations expectations, long nowMs) {
    return new ExpectedBranches(events, expected(events, expectations, nowMs), unrecorded(events, published, observed));
  }

  /** For each event that carries a sampled trace context, the consumers that should handle it (by event id). */
  Map<String, List<ExpectedConsumer>> byEvent() {
    return byEvent;
  }

  /** Ids of the sampled events whose producer span and consumer spans all failed to arrive. */
  Set<String> unrecorded() {
    return unrecorded;
  }

  /**
   * The observed branches, those of an expected consumer marked expected with its deadline (in place), and a
   * PENDING branch for each expected consumer that left no attempt; sorted by event node, then consumer.
   */
  List<Branch> addedTo(List<Branch> observed) {
    List<Branch> branches = new ArrayList<>(observed);
    for (EventView e : events) {
      List<ExpectedConsumer> expected = byEvent.get(e.event().getEventId());
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
  static Long nextDeadline(List<Branch> branches, long nowMs) {
    return branches.stream()
        .filter(b -> b.getExpected() && b.getDeadlineMs() != null && b.getDeadlineMs() > nowMs)
        .filter(b -> b.getState() == BranchState.PENDING || b.getState() == BranchState.RETRYING)
        .map(Branch::getDeadlineMs).min(Long::compare).orElse(null);
  }

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

  private static Set<String> unrecorded(List<EventView> events, Set<String> published, List<Branch> observed) {
    Set<String> consumed = new HashSet<>();
    observed.forEach(b -> consumed.add(b.getEventId()));
    Set<String> unrecorded = new HashSet<>();
    for (EventView e : events) {
      String id = e.event().getEventId();
      if (e.delivery() == 1 && TelemetryCoverage.unrecorded(e.event().getTraceId() != null && e.event().getSampled(),
          published.contains(id), consumed.contains(id))) {
        unrecorded.add(id);
      }
    }
    return unrecorded;
  }
}
