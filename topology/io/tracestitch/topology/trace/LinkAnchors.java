package io.tracestitch.topology.trace;

import io.tracestitch.avro.internal.MessagingHop;
import io.tracestitch.avro.internal.SpanKind;
import io.tracestitch.avro.internal.SpanLinkRef;
import io.tracestitch.avro.internal.SpanRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Splits one incoming group of a trace's spans by the message each part handled. A consuming span that links
 * to a producer's context in another trace continues that producer's workflow, and so does everything under
 * it: with receive telemetry on, with kafkajs' eachBatch or a batch listener, one trace per poll holds the
 * handling of many messages, of as many workflows, which must not be merged for having shared a poll. So each
 * such part goes to the trace it links to (a batch span linking several goes to each), to be routed with it;
 * the spans of the same tree that handled no particular message (the receive or poll span above them, a batch's
 * shared work beside them) go with every part of that tree; the rest stays with this trace.
 *
 * <p>Only spans seen together are joined: a span that arrives apart from the consumer span it hangs under stays
 * with this trace, which then follows the first workflow it served.
 */
final class LinkAnchors {
  private static final Set<String> CONSUMING = Set.of("process", "receive", "poll", "deliver", "consume");

  /** What goes with {@code linkedTraceId}: a consumer span linking to it, its subtree, the shared spans of its tree. */
  record Share(String linkedTraceId, List<SpanRecord> spans) {}

  record Split(List<Share> shares, List<SpanRecord> rest) {}

  private LinkAnchors() {}

  static Split of(String traceId, List<SpanRecord> spans) {
    Map<String, SpanRecord> byId = new HashMap<>();
    for (SpanRecord s : spans) {
      byId.putIfAbsent(s.getSpanId(), s);
    }
    // By identity: records are compared field by field otherwise, and two copies of one span are two entries here.
    Map<SpanRecord, SpanRecord> anchorOf = new IdentityHashMap<>();
    Map<SpanRecord, SpanRecord> topOf = new IdentityHashMap<>();
    for (SpanRecord s : spans) {
      SpanRecord anchor = null;
      SpanRecord top = s;
      Set<String> climbed = new HashSet<>();
      for (SpanRecord up = s; up != null && climbed.add(up.getSpanId()); up = parent(up, byId)) {
        if (anchor == null && isAnchor(up, traceId)) {
          anchor = up;
        }
        top = up;
      }
      topOf.put(s, top);
      if (anchor != null) {
        anchorOf.put(s, anchor);
      }
    }
    if (anchorOf.isEmpty()) {
      return new Split(List.of(), spans);
    }
    Map<String, List<SpanRecord>> byLinkedTrace = new LinkedHashMap<>();
    Map<SpanRecord, Set<String>> targetsOfTree = new IdentityHashMap<>();
    for (SpanRecord s : spans) {
      SpanRecord anchor = anchorOf.get(s);
      if (anchor == null) {
        continue;
      }
      for (String linked : linkedTraces(anchor, traceId)) {
        byLinkedTrace.computeIfAbsent(linked, k -> new ArrayList<>()).add(s);
        targetsOfTree.computeIfAbsent(topOf.get(s), k -> new LinkedHashSet<>()).add(linked);
      }
    }
    List<SpanRecord> rest = new ArrayList<>();
    for (SpanRecord s : spans) {
      if (anchorOf.containsKey(s)) {
        continue;
      }
      Set<String> targets = targetsOfTree.get(topOf.get(s));
      if (targets == null) {
        rest.add(s);
      } else {
        targets.forEach(linked -> byLinkedTrace.get(linked).add(s));
      }
    }
    List<Share> shares = new ArrayList<>();
    byLinkedTrace.forEach((linked, shared) -> shares.add(new Share(linked, shared)));
    return new Split(shares, rest);
  }

  private static SpanRecord parent(SpanRecord s, Map<String, SpanRecord> byId) {
    return s.getParentSpanId() == null ? null : byId.get(s.getParentSpanId());
  }

  /** A span that handled a message and says, by a link, in which other trace that message was published. */
  private static boolean isAnchor(SpanRecord s, String traceId) {
    return consumes(s) && !linkedTraces(s, traceId).isEmpty();
  }

  private static boolean consumes(SpanRecord s) {
    if (s.getKind() == SpanKind.CONSUMER) {
      return true;
    }
    MessagingHop hop = s.getMessaging();
    return hop != null && hop.getOperation() != null && CONSUMING.contains(hop.getOperation());
  }

  private static Set<String> linkedTraces(SpanRecord s, String traceId) {
    Set<String> linked = new LinkedHashSet<>();
    for (SpanLinkRef link : s.getLinks()) {
      if (!link.getTraceId().equals(traceId)) {
        linked.add(link.getTraceId());
      }
    }
    return linked;
  }
}
