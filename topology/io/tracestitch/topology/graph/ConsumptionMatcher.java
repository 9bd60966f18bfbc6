package io.tracestitch.topology.graph;

import io.tracestitch.avro.EdgeType;
import io.tracestitch.avro.internal.MessagingHop;
import io.tracestitch.avro.internal.SpanLinkRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds which event delivery each consuming span handled, trying the strongest evidence first:
 * the message id, the topic/partition/offset (for instrumentation with no message id), a link to
 * the producer's context (the conventions' way), the producer's span as parent (older
 * instrumentation), and last the topic alone within the same workflow (context dropped).
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
      if (e.event().getEventName() != null) {
        byTopic.computeIfAbsent(e.event().getEventName(), k -> new ArrayList<>()).add(e);
      }
    }
  }

  Optional<Consumption> match(SpanView span) {
    MessagingHop hop = span.span().getMessaging();
    String destination = hop == null ? null : hop.getDestination();
    String messageId = hop != null && hop.getMessageId() != null ? hop.getMessageId() : span.span().getEventId();
    if (messageId != null && byEventId.containsKey(messageId)) {
      return found(span, pick(byEventId.get(messageId), span, hop), EdgeType.CONSUMED_BY);
    }
    if (hop != null && destination != null && hop.getPartition() != null && hop.getOffset() != null) {
      EventView exact = byPosition.get(position(destination, hop.getPartition(), hop.getOffset()));
      if (exact != null) {
        return found(span, exact, EdgeType.CONSUMED_BY);
      }
    }
    for (SpanLinkRef link : span.span().getLinks()) {
      List<EventView> published = byProducer.get(link.getTraceId() + "/" + link.getSpanId());
      if (published != null) {
        return found(span, onDestination(published, destination, span), EdgeType.CONSUMED_BY);
      }
    }
    if (span.span().getParentSpanId() != null) {
      List<EventView> published = byProducer.get(span.traceId() + "/" + span.span().getParentSpanId());
      if (published != null) {
        return found(span, onDestination(published, destination, span), EdgeType.CONSUMED_BY);
      }
    }
    if (destination != null && byTopic.containsKey(destination)) {
      return found(span, latestBefore(byTopic.get(destination), span), EdgeType.CORRELATED);
    }
    return Optional.empty();
  }

  private static Optional<Consumption> found(SpanView span, EventView event, EdgeType edge) {
    return Optional.of(new Consumption(span, event, edge));
  }

  /** Among deliveries of one event id, the one at the span's offset, else the latest before it started. */
  private static EventView pick(List<EventView> deliveries, SpanView span, MessagingHop hop) {
    if (hop != null && hop.getOffset() != null) {
      for (EventView e : deliveries) {
        if (e.event().getOffset() == hop.getOffset()) {
          return e;
        }
      }
    }
    return latestBefore(deliveries, span);
  }

  private static EventView onDestination(List<EventView> published, String destination, SpanView span) {
    if (destination != null) {
      List<EventView> onTopic = published.stream().filter(e -> destination.equals(e.event().getTopic())).toList();
      if (!onTopic.isEmpty()) {
        return latestBefore(onTopic, span);
      }
    }
    return latestBefore(published, span);
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
