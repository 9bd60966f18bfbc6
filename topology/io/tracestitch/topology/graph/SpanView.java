package io.tracestitch.topology.graph;

import io.tracestitch.avro.internal.MessagingHop;
import io.tracestitch.avro.internal.SpanKind;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.SpanStatus;
import java.util.Set;

/** A stored span as the assembler sees it: its node id, its times in milliseconds, and what it did. */
record SpanView(SpanRecord span, String nodeId) {
  private static final Set<String> CONSUMING_OPERATIONS =
      Set.of("process", "receive", "poll", "deliver", "consume");
  private static final Set<String> FETCHING_OPERATIONS = Set.of("receive", "poll");
  private static final String BATCH_COUNT = "messaging.batch.message_count";

  long startMs() {
    return span.getStartNanos() / 1_000_000;
  }

  long endMs() {
    return span.getEndNanos() / 1_000_000;
  }

  String traceId() {
    return span.getTraceId();
  }

  /**
   * The span itself says it failed: error status, or exception events that it did not overrule with an OK
   * status (a span set to OK by its service is a success, whatever it recorded on the way).
   */
  boolean failed() {
    return span.getStatusCode() == SpanStatus.ERROR
        || (span.getStatusCode() != SpanStatus.OK && !span.getExceptions().isEmpty());
  }

  /** A span that handled a message: CONSUMER kind, or a process/receive operation in any convention. */
  boolean consumes() {
    if (span.getKind() == SpanKind.CONSUMER) {
      return true;
    }
    MessagingHop hop = span.getMessaging();
    return hop != null && hop.getOperation() != null && CONSUMING_OPERATIONS.contains(hop.getOperation());
  }

  /** A span of the receive (poll) operation: it fetched messages; whether it handled them, its children say. */
  boolean receives() {
    MessagingHop hop = span.getMessaging();
    return consumes() && hop != null && hop.getOperation() != null && FETCHING_OPERATIONS.contains(hop.getOperation());
  }

  /** The instrumentation counted the messages of a batch on this span (receive/poll spans and batch process spans). */
  boolean countsABatch() {
    return span.getAttributes().containsKey(BATCH_COUNT);
  }

  /** Who handled it: the consumer group when the instrumentation says, else the service. */
  String consumer() {
    MessagingHop hop = span.getMessaging();
    if (hop != null && hop.getConsumerGroup() != null && !hop.getConsumerGroup().isBlank()) {
      return hop.getConsumerGroup();
    }
    return span.getService();
  }

  /** What went wrong, as the span says it: its last exception, else its status message, else its error type. */
  String error() {
    if (!span.getExceptions().isEmpty()) {
      var last = span.getExceptions().get(span.getExceptions().size() - 1);
      String type = last.getType() == null ? "exception" : last.getType();
      return last.getMessage() == null ? type : type + ": " + last.getMessage();
    }
    if (span.getStatusMessage() != null) {
      return span.getStatusMessage();
    }
    String errorType = span.getAttributes().get("error.type");
    return errorType != null ? errorType : "'" + span.getName() + "' ended with status " + span.getStatusCode();
  }
}
