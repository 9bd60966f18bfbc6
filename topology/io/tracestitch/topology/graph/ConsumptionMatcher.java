package io.tracestitch.topology.graph;

import io.tracestitch.avro.EdgeType;
import io.tracestitch.avro.internal.MessagingHop;
import io.tracestitch.avro.internal.SpanLinkRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds which event deliveries each consuming span handled, from the strongest evidence down:
 * <ol>
 *   <li>the message id (several deliveries of one id are told apart by offset, then by time);</li>
 *   <li>the trace context the span continues: one delivery per link to a producer's context (a batch span
 *       links to every message it handled), or the producer's span as its parent. When that context was
 *       published more than once, the span's topic/partition/offset picks the delivery;</li>
 *   <li>the topic/partition/offset alone, for spans whose context leads to no event here;</li>
 *   <li>last, the topic alone within the same workflow, for a span that carries no trace context of its own
 *       (it dropped the context). Never for a poll, which fetched a batch and handled none of it itself, and
 *       never for a span with links: they say which messages it handled, and none is in this workflow.</li>
 * </ol>
 * The edge is CONSUMED_BY when the span continues the event's trace context (same trace, or a link to the
 * producer), CORRELATED when it does not: then the consumer was joined to the workflow by its correlation id
 * alone, which is a propagation gap worth reporting even when an offset proves which record it read.
 */
final class ConsumptionMatcher {
  private final Map<String, List<EventView>> byEventId = new HashMap<>();
  private final Map<String, EventView> byPosition = new HashMap<>();
  private final Map<String, List<EventView>> byProducer = new HashMap<>();
  private final Map<String, List<EventView>> byTopic = new HashMap<>();

  ConsumptionMatcher(List<EventView> events) {
    for (EventView e : events) {
      byEventId.computeIfAbsent(e.event().getEventId(), k -> new ArrayList<>()).add(e);
      byPosition.put(position(e.event().getTopic(), e.event().getPartition(), e.event().getOffset()), e);
      if (e.event().getTraceId() != null && e.producerSpanId() != null) {
        byProducer.computeIfAbsent(e.event().getTraceId() + "/" + e.producerSpanId(), k -> new ArrayList<>()).add(e);
      }
      byTopic.computeIfAbsent(e.event().getTopic(), k -> new ArrayList<>()).add(e);
      if (e.event().getEventName() != null && !e.event().getEventName().equals(e.event().getTopic())) {
        byTopic.computeIfAbsent(e.event().getEventName(), k -> new ArrayList<>()).add(e);
      }
    }
  }

  /**
   * The deliveries the span handled, each at most once; empty when nothing here says it handled any.
   *
   * @param poll whether the span is a poll (a receive span that fetched a batch): it gets no topic-only match
   */
  List<Consumption> match(SpanView span, boolean poll) {
    MessagingHop hop = span.span().getMessaging();
    String destination = hop == null ? null : hop.getDestination();
    EventView atPosition = atPosition(hop);
    String messageId = hop != null && hop.getMessageId() != null ? hop.getMessageId() : span.span().getEventId();
    if (messageId != null && byEventId.containsKey(messageId)) {
      EventView e = pick(byEventId.get(messageId), atPosition != null ? atPosition : atOffset(messageId, hop), span);
      return List.of(new Consumption(span, e, continuesContext(span, e) ? EdgeType.CONSUMED_BY : EdgeType.CORRELATED));
    }
    Set<EventView> byContext = new LinkedHashSet<>();
    for (SpanLinkRef link : span.span().getLinks()) {
      List<EventView> published = byProducer.get(link.getTraceId() + "/" + link.getSpanId());
      if (published != null) {
        byContext.add(pick(onDestination(published, destination), atPosition, span));
      }
    }
    if (byContext.isEmpty() && span.span().getParentSpanId() != null) {
      List<EventView> published = byProducer.get(span.traceId() + "/" + span.span().getParentSpanId());
      if (published != null) {
        byContext.add(pick(onDestination(published, destination), atPosition, span));
      }
    }
    if (!byContext.isEmpty()) {
      return byContext.stream().map(e -> new Consumption(span, e, EdgeType.CONSUMED_BY)).toList();
    }
    if (atPosition != null) {
      return List.of(new Consumption(span, atPosition,
          continuesContext(span, atPosition) ? EdgeType.CONSUMED_BY : EdgeType.CORRELATED));
    }
    if (!poll && span.span().getLinks().isEmpty() && destination != null && byTopic.containsKey(destination)) {
      return List.of(new Consumption(span, latestBefore(byTopic.get(destination), span), EdgeType.CORRELATED));
    }
    return List.of();
  }

  private EventView atPosition(MessagingHop hop) {
    if (hop == null || hop.getDestination() == null || hop.getPartition() == null || hop.getOffset() == null) {
      return null;
    }
    return byPosition.get(position(hop.getDestination(), hop.getPartition(), hop.getOffset()));
  }

  /** A delivery of the message id at the span's offset, for spans that name an offset but no partition. */
  private EventView atOffset(String messageId, MessagingHop hop) {
    if (hop == null || hop.getOffset() == null) {
      return null;
    }
    return byEventId.get(messageId).stream().filter(e -> e.event().getOffset() == hop.getOffset()).findFirst()
        .orElse(null);
  }

  /** Same trace, or a link to the context the event was published in: the context travelled with the message. */
  private static boolean continuesContext(SpanView span, EventView event) {
    String trace = event.event().getTraceId();
    if (trace == null) {
      return false;
    }
    if (trace.equals(span.traceId())) {
      return true;
    }
    return span.span().getLinks().stream().anyMatch(l -> l.getTraceId().equals(trace));
  }

  /** Among candidate deliveries, the one at the span's own position, else the latest published before it started. */
  private static EventView pick(List<EventView> candidates, EventView atPosition, SpanView span) {
    if (atPosition != null && candidates.contains(atPosition)) {
      return atPosition;
    }
    return latestBefore(candidates, span);
  }

  private static List<EventView> onDestination(List<EventView> published, String destination) {
    if (destination != null) {
      List<EventView> onTopic = published.stream().filter(e -> destination.equals(e.event().getTopic())).toList();
      if (!onTopic.isEmpty()) {
        return onTopic;
      }
    }
    return published;
  }

  private static EventView latestBefore(List<EventView> candidates, SpanView span) {
    return candidates.stream()
        .filter(e -> e.publishedMs() <= span.startMs())
        .max(Comparator.comparingLong(EventView::publishedMs))
        .orElseGet(() -> candidates.stream().min(Comparator.comparingLong(EventView::publishedMs)).orElseThrow());
  }

  private static String position(String topic, int partition, long offset) {
    return topic + "/" + partition + "@" + offset;
  }
}
