package io.tracestitch.topology.graph;

import io.tracestitch.avro.internal.EventRecord;

/** One delivery of an event: the n-th record carrying the same event id is delivery n. */
record EventView(EventRecord event, String nodeId, int delivery) {
  long publishedMs() {
    return event.getTimestampMs();
  }

  String name() {
    return event.getEventName() != null ? event.getEventName() : event.getTopic();
  }

  /** The span that published it, from the producer context the event carried. */
  String producerSpanId() {
    return event.getSpanId() != null ? event.getSpanId() : event.getParentSpanId();
  }
}
