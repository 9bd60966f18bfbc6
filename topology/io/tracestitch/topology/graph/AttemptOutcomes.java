package io.tracestitch.topology.graph;

import io.tracestitch.avro.internal.SpanStatus;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether an attempt at handling a message ended in failure as the service recorded it. Instrumentation
 * differs in where it puts a failure: some marks the consumer span, some never does (the OpenTelemetry Java
 * library instrumentation leaves its process span unset even when the handler throws), and then the failure is
 * on a span the service created inside the handler. The rule, applied to the attempt span and, within it,
 * recursively to every span of the attempt's work:
 * <ol>
 *   <li>a span with status ERROR failed;</li>
 *   <li>a span with status OK succeeded, whatever happened below it: the service said it handled that;</li>
 *   <li>a span with status unset failed when it carries an exception event, or when one of its children in the
 *       work failed and was not recovered from;</li>
 *   <li>a failed child is recovered from when a later sibling of the same operation (same parent, same name, same
 *       kind) succeeded: a retry that worked.</li>
 * </ol>
 * The work of an attempt is its own subtree in its own service, down to but not into spans that consume a
 * message themselves (a follow-up event's consumer is another branch) or belong to another service (a callee's
 * trouble is the callee's; the client span says what the caller saw). When the attempt is one message's
 * process span under a poll (kafkajs' eachBatch, a batch listener), the poll's other children in the same
 * service are the batch's shared work and count for every message of it.
 */
final class AttemptOutcomes {
  private final Map<String, SpanView> byNode = new HashMap<>();
  private final Map<String, SpanView> parentOf = new HashMap<>();
  private final Map<String, List<SpanView>> childrenOf = new HashMap<>();
  private final Map<String, Optional<SpanView>> failureOf = new HashMap<>();

  AttemptOutcomes(List<SpanView> spans) {
    Map<String, SpanView> byKey = new HashMap<>();
    spans.forEach(s -> byKey.put(s.traceId() + "/" + s.span().getSpanId(), s));
    for (SpanView s : spans) {
      byNode.put(s.nodeId(), s);
      String parentId = s.span().getParentSpanId();
      SpanView parent = parentId == null ? null : byKey.get(s.traceId() + "/" + parentId);
      if (parent != null && parent != s) {
        parentOf.put(s.nodeId(), parent);
        childrenOf.computeIfAbsent(parent.nodeId(), k -> new ArrayList<>()).add(s);
      }
    }
    childrenOf.values().forEach(c -> c.sort(Comparator.comparingLong((SpanView v) -> v.span().getStartNanos())
        .thenComparing(SpanView::nodeId)));
  }

  boolean failed(SpanView attempt) {
    return failure(attempt).isPresent();
  }

  /** The span whose failure the attempt ended with (the attempt itself or a span of its work), or empty. */
  Optional<SpanView> failure(SpanView attempt) {
    Optional<SpanView> own = judge(attempt);
    if (own.isPresent() || attempt.span().getStatusCode() == SpanStatus.OK) {
      return own;
    }
    for (SpanView shared : batchWork(attempt)) {
      Optional<SpanView> f = judge(shared);
      if (f.isPresent() && !recovered(shared)) {
        return f;
      }
    }
    return Optional.empty();
  }

  /** The poll's own children in the attempt's service that handle no message themselves. */
  private List<SpanView> batchWork(SpanView attempt) {
    SpanView poll = parentOf.get(attempt.nodeId());
    if (poll == null || !poll.receives()) {
      return List.of();
    }
    return childrenOf.getOrDefault(poll.nodeId(), List.of()).stream()
        .filter(c -> !c.consumes() && c.span().getService().equals(attempt.span().getService())).toList();
  }

  /**
   * The rule applied bottom-up over the span's work, without recursion (a trace can be deep) and visiting
   * each span once even if broken parent ids make a cycle.
   */
  private Optional<SpanView> judge(SpanView top) {
    Optional<SpanView> known = failureOf.get(top.nodeId());
    if (known != null) {
      return known;
    }
    List<SpanView> order = new ArrayList<>();
    Deque<SpanView> stack = new ArrayDeque<>();
    Set<String> seen = new HashSet<>();
    stack.push(top);
    while (!stack.isEmpty()) {
      SpanView s = stack.pop();
      if (!seen.add(s.nodeId()) || failureOf.containsKey(s.nodeId())) {
        continue;
      }
      order.add(s);
      for (SpanView c : work(s)) {
        stack.push(c);
      }
    }
    for (int i = order.size() - 1; i >= 0; i--) {
      SpanView s = order.get(i);
      failureOf.put(s.nodeId(), own(s));
    }
    return failureOf.get(top.nodeId());
  }

  private Optional<SpanView> own(SpanView s) {
    if (s.span().getStatusCode() == SpanStatus.ERROR) {
      return Optional.of(s);
    }
    if (s.span().getStatusCode() == SpanStatus.OK) {
      return Optional.empty();
    }
    if (!s.span().getExceptions().isEmpty()) {
      return Optional.of(s);
    }
    for (SpanView c : work(s)) {
      Optional<SpanView> f = failureOf.getOrDefault(c.nodeId(), Optional.empty());
      if (f.isPresent() && !recovered(c)) {
        return f;
      }
    }
    return Optional.empty();
  }

  /** A later sibling of the same operation succeeded. */
  private boolean recovered(SpanView failed) {
    SpanView parent = parentOf.get(failed.nodeId());
    if (parent == null) {
      return false;
    }
    for (SpanView sibling : childrenOf.getOrDefault(parent.nodeId(), List.of())) {
      if (sibling != failed && sibling.span().getStartNanos() > failed.span().getStartNanos()
          && sibling.span().getName().equals(failed.span().getName())
          && sibling.span().getKind() == failed.span().getKind()
          && judge(sibling).isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** The children of a span that are part of the same work: its own service's, not handling a message themselves. */
  private List<SpanView> work(SpanView s) {
    List<SpanView> children = childrenOf.getOrDefault(s.nodeId(), List.of());
    List<SpanView> inWork = new ArrayList<>(children.size());
    for (SpanView c : children) {
      if (!c.consumes() && c.span().getService().equals(s.span().getService())) {
        inWork.add(c);
      }
    }
    return inWork;
  }
}
