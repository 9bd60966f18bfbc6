package io.tracestitch.topology.graph;

import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.Branch;
import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.GraphFinding;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.avro.internal.SpanKind;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.SpanStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ERROR_ORIGIN: where the failure of a failed workflow (its root) or of a failed branch (its last attempt) began.
 *
 * <p>From the failed span, the walk goes down to the failing span whose failure that span shares: a failed
 * child (client to server is a child), or a failed consumer of an event it published; a child that failed but
 * was retried with success (a later sibling of the same shape succeeded) recovered, so the failure did not come
 * from there. Children that neither failed nor said OK are looked through, since some instrumentation marks only
 * the span that threw. The deepest span reached is the origin; when it is a call that got no answer (timed out,
 * refused, unavailable) and nothing answered on the other side (or the callee's span was still running when the
 * caller gave up), the origin is the callee, named from {@code peer.service}, {@code server.address} (or the older
 * {@code net.peer.name}), {@code rpc.service}, the URL's host, or {@code db.system}.
 */
final class ErrorOrigin {
  private static final List<String> CALLEE_ATTRIBUTES = List.of("peer.service", "server.address", "net.peer.name",
      "rpc.service", "url.full", "http.url", "db.system.name", "db.system");
  private static final Pattern URL_HOST = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://(?:[^@/]*@)?(\\[[^]]*]|[^:/?#]+)");
  private static final List<String> STATUS_ATTRIBUTES = List.of("http.response.status_code", "http.status_code");
  private static final Pattern TIMED_OUT = Pattern.compile(
      "(?i)time[d ]?\\s?out|deadline[ _]exceeded|did not answer|no response|read timed");
  private static final Pattern REFUSED = Pattern.compile(
      "(?i)refused|econnrefused|connectexception|could not connect|failed to connect|unreachable|no route to host"
          + "|connection reset|econnreset");
  private static final Pattern UNAVAILABLE = Pattern.compile("(?i)unavailable|service unavailable|bad gateway");
  /** Children to look through for a failure below, at most this deep, so a corrupt tree cannot loop. */
  private static final int MAX_LOOK_THROUGH = 4;

  private ErrorOrigin() {}

  /** How the origin failed, as far as the spans say. */
  enum NoAnswer { TIMED_OUT, REFUSED, UNAVAILABLE }

  /** One origin: the chain from it up to the failed span the walk started from. */
  record Origin(List<SpanView> chain, String service, Optional<NoAnswer> noAnswer, Branch branch) {
    SpanView span() {
      return chain.get(0);
    }
  }

  static List<Origin> find(WorkflowGraph graph, SpanTree tree) {
    List<Origin> origins = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    SpanView root = graph.getRootNodeId() == null ? null : tree.span(graph.getRootNodeId());
    if (root != null && root.failed()) {
      add(origins, seen, walk(root, tree, null));
    }
    for (Branch b : graph.getBranches()) {
      if (b.getState() == BranchState.FAILED && !b.getAttemptNodeIds().isEmpty()) {
        SpanView last = tree.span(b.getAttemptNodeIds().get(b.getAttemptNodeIds().size() - 1));
        if (last != null) {
          add(origins, seen, walk(last, tree, b));
        }
      }
    }
    return origins;
  }

  private static void add(List<Origin> origins, Set<String> seen, Origin origin) {
    if (seen.add(origin.span().nodeId())) {
      origins.add(origin);
    }
  }

  private static Origin walk(SpanView start, SpanTree tree, Branch branch) {
    List<SpanView> down = new ArrayList<>(List.of(start));
    Set<String> visited = new HashSet<>(Set.of(start.nodeId()));
    SpanView current = start;
    while (true) {
      SpanView next = cause(current, tree, visited);
      if (next == null) {
        break;
      }
      down.add(next);
      visited.add(next.nodeId());
      current = next;
    }
    List<SpanView> chain = new ArrayList<>(down);
    java.util.Collections.reverse(chain);
    SpanView origin = chain.get(0);
    Optional<NoAnswer> noAnswer = noAnswer(origin.span());
    String callee = callee(origin.span());
    List<SpanView> answering = tree.children(origin);
    boolean nobodyAnswered = answering.isEmpty() && tree.consumersOf(origin).isEmpty();
    // A callee still at work when the caller gave up (its span ends later) did not answer in time either.
    boolean stillWorking = noAnswer.orElse(null) == NoAnswer.TIMED_OUT && !answering.isEmpty()
        && answering.stream().allMatch(c -> c.span().getEndNanos() >= origin.span().getEndNanos() - 1_000_000);
    boolean unanswered = noAnswer.isPresent() && isCall(origin.span()) && (nobodyAnswered || stillWorking);
    String service = !unanswered ? origin.span().getService() : callee != null ? callee
        : stillWorking ? answering.get(0).span().getService() : origin.span().getService();
    return new Origin(chain, service, unanswered ? noAnswer : Optional.empty(), branch);
  }

  /** The failing span below {@code s} whose failure {@code s} shares, or null when {@code s} is where it began. */
  private static SpanView cause(SpanView s, SpanTree tree, Set<String> visited) {
    List<SpanView> candidates = new ArrayList<>();
    collectFailing(tree.children(s), tree, visited, candidates, 0);
    for (SpanView consumer : tree.consumersOf(s)) {
      if (consumer.failed() && !recovered(consumer, tree.consumersOf(s)) && !visited.contains(consumer.nodeId())) {
        candidates.add(consumer);
      }
    }
    // The failure that propagated is the one closest to the end of the span that shares it.
    return candidates.stream()
        .max(Comparator.comparingLong((SpanView c) -> c.span().getEndNanos())
            .thenComparingLong(c -> c.span().getEndNanos() - c.span().getStartNanos())
            .thenComparing(SpanView::nodeId, Comparator.reverseOrder()))
        .orElse(null);
  }

  private static void collectFailing(List<SpanView> children, SpanTree tree, Set<String> visited,
      List<SpanView> found, int depth) {
    for (SpanView child : children) {
      if (visited.contains(child.nodeId())) {
        continue;
      }
      if (child.failed()) {
        if (!recovered(child, children)) {
          found.add(child);
        }
      } else if (child.span().getStatusCode() == SpanStatus.UNSET && !child.consumes() && depth < MAX_LOOK_THROUGH
          && found.isEmpty()) {
        List<SpanView> below = new ArrayList<>();
        collectFailing(tree.children(child), tree, visited, below, depth + 1);
        found.addAll(below);
      }
    }
  }

  /** A later sibling of the same shape started after this one ended and did not fail: a retry that worked. */
  private static boolean recovered(SpanView failed, List<SpanView> siblings) {
    SpanRecord f = failed.span();
    for (SpanView s : siblings) {
      SpanRecord r = s.span();
      if (s != failed && !s.failed() && r.getStartNanos() >= f.getEndNanos() - 1_000_000
          && r.getService().equals(f.getService()) && r.getName().equals(f.getName()) && r.getKind() == f.getKind()) {
        return true;
      }
    }
    return false;
  }

  private static boolean isCall(SpanRecord span) {
    return span.getKind() == SpanKind.CLIENT || span.getKind() == SpanKind.PRODUCER
        || CALLEE_ATTRIBUTES.stream().anyMatch(span.getAttributes()::containsKey);
  }

  static Optional<NoAnswer> noAnswer(SpanRecord span) {
    Map<String, String> attrs = span.getAttributes();
    Long status = httpStatus(span);
    String grpc = attrs.get("rpc.grpc.status_code");
    StringBuilder text = new StringBuilder();
    if (span.getStatusMessage() != null) {
      text.append(span.getStatusMessage()).append(' ');
    }
    if (attrs.get("error.type") != null) {
      text.append(attrs.get("error.type")).append(' ');
    }
    span.getExceptions().forEach(x -> text.append(x.getType()).append(' ').append(x.getMessage()).append(' '));
    if ((status != null && status == 504) || "4".equals(grpc) || TIMED_OUT.matcher(text).find()) {
      return Optional.of(NoAnswer.TIMED_OUT);
    }
    if (REFUSED.matcher(text).find()) {
      return Optional.of(NoAnswer.REFUSED);
    }
    if ((status != null && (status == 502 || status == 503)) || "14".equals(grpc) || UNAVAILABLE.matcher(text).find()) {
      return Optional.of(NoAnswer.UNAVAILABLE);
    }
    return Optional.empty();
  }

  /** The callee a call names: a logical service name first, then its address without the port, its URL's host. */
  static String callee(SpanRecord span) {
    for (String name : CALLEE_ATTRIBUTES) {
      String value = span.getAttributes().get(name);
      if (value == null || value.isBlank()) {
        continue;
      }
      if (name.equals("url.full") || name.equals("http.url")) {
        Matcher host = URL_HOST.matcher(value.strip());
        if (host.find()) {
          return host.group(1);
        }
        continue;
      }
      return name.equals("server.address") || name.equals("net.peer.name") ? value.replaceFirst(":\\d+$", "") : value;
    }
    return null;
  }

  static Long httpStatus(SpanRecord span) {
    for (String name : STATUS_ATTRIBUTES) {
      String value = span.getAttributes().get(name);
      if (value != null) {
        try {
          return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
          return null;
        }
      }
    }
    return null;
  }

  /** The finding: "payment did not answer in 30 s → order failed → gateway 504", and the time spent waiting. */
  static GraphFinding finding(Origin origin, WorkflowGraph graph) {
    SpanView o = origin.span();
    long waitedMs = Math.max(0, o.endMs() - o.startMs());
    long totalMs = graph.getDurationMs();
    double share = totalMs <= 0 ? 0 : Math.min(1, (double) waitedMs / totalMs);
    String chain = chainText(origin);
    String spent = DurationText.of(waitedMs) + " of its " + DurationText.of(totalMs) + " ("
        + DurationText.percent(share) + ")";
    String detail = chain + "; the workflow spent " + spent + (origin.noAnswer().isPresent()
        ? " waiting on " + origin.service() : " in the failing " + o.span().getService() + " " + o.span().getName())
        + ".";
    Branch b = origin.branch();
    return GraphFinding.newBuilder().setKind(AlertKind.ERROR_ORIGIN).setService(origin.service())
        .setConsumer(b == null ? null : b.getConsumer()).setEventName(b == null ? null : b.getEventName())
        .setEventId(b == null ? null : b.getEventId()).setNodeId(o.nodeId()).setOperation(o.span().getName())
        .setNodeIds(origin.chain().stream().map(SpanView::nodeId).toList()).setDurationMs(waitedMs)
        .setShare(share).setDetail(detail).build();
  }

  private static String chainText(Origin origin) {
    SpanView o = origin.span();
    List<String> parts = new ArrayList<>();
    if (origin.noAnswer().isPresent()) {
      String callee = origin.service();
      parts.add(switch (origin.noAnswer().get()) {
        case TIMED_OUT -> callee + " did not answer in " + DurationText.of(o.endMs() - o.startMs());
        case REFUSED -> callee + " refused the connection";
        case UNAVAILABLE -> callee + " was unavailable";
      });
    }
    // One step per service, in the order the failure travelled up, each named by its topmost span.
    List<SpanView> tops = new ArrayList<>();
    for (SpanView s : origin.chain()) {
      String service = s.span().getService();
      if (!tops.isEmpty() && tops.get(tops.size() - 1).span().getService().equals(service)) {
        tops.set(tops.size() - 1, s);
      } else {
        tops.add(s);
      }
    }
    for (int i = 0; i < tops.size(); i++) {
      SpanView top = tops.get(i);
      boolean last = i == tops.size() - 1;
      String service = top.span().getService();
      String what;
      if (i == 0 && origin.noAnswer().isEmpty()) {
        String error = o.error();
        what = service + " " + o.span().getName() + " failed" + (error == null ? "" : " (" + shortened(error) + ")");
        if (last && origin.branch() != null) {
          what += " while handling " + origin.branch().getEventName();
        }
      } else if (last && origin.branch() != null) {
        what = service + " failed handling " + origin.branch().getEventName();
      } else {
        Long status = last ? httpStatus(top.span()) : null;
        what = service + (status != null && status >= 400 ? " " + status : " failed");
      }
      parts.add(what);
    }
    return String.join(" → ", parts);
  }

  private static String shortened(String text) {
    String oneLine = text.replaceAll("\\s+", " ").strip();
    return oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 119) + "…";
  }
}
