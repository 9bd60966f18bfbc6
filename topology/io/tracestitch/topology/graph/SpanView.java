package io.tracestitch.topology.graph;

import io.tracestitch.avro.internal.MessagingHop;
import io.tracestitch.avro.internal.SpanKind;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.SpanStatus;
import java.util.Set;

/** A stored span as the assembler sees it: its node id, its times in milliseconds, and what it did. */
record SpanView(SpanRecord span, String nodeId) {
  private static final Set<String> CONSUMING_OPERATIONS = Set.of("process", "receive", "deliver", "consume");

  long startMs() {
    return span.getStartNanos() / 1_000_000;
  }

  long endMs() {
    return span.getEndNanos() / 1_000_000;
  }

  String traceId() {
    return span.getTraceId();
  }

  boolean failed() {
    return span.getStatusCode() == SpanStatus.ERROR || !span.getExceptions().isEmpty();
  }

  /** A span that handled a message: CONSUMER kind, or a process/receive operation in any convention. */
  boolean consumes() {
    if (span.getKind() == SpanKind.CONSUMER) {
      return true;
    }
    MessagingHop hop = span.getMessaging();
    return hop != null && hop.getOperation() != null && CONSUMING_OPERATIONS.contains(hop.getOperation());
  }

  /** Who handled it: the consumer group when the instrumentation says, else the service. */
  String consumer() {
    MessagingHop hop = span.getMessaging();
    if (hop != null && hop.getConsumerGroup() != null && !hop.getConsumerGroup().isBlank()) {
      return hop.getConsumerGroup();
    }
    return span.getService();
  }

  String error() {
    if (!span.getExceptions().isEmpty()) {
      var last = span.getExceptions().get(span.getExceptions().size() - 1);
      String type = last.getType() == null ? "exception" : last.getType();
      return last.getMessage() == null ? type : type + ": " + last.getMessage();
    }
    return span.getStatusMessage();
  }
}
