package io.tracestitch.topology.graph;

import io.tracestitch.avro.Branch;
import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.internal.EventRecord;
import io.tracestitch.avro.internal.MessagingHop;
import io.tracestitch.avro.internal.SpanKind;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.SpanStatus;
import io.tracestitch.topology.expect.ExpectedConsumer;
import io.tracestitch.topology.expect.Expectations;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Hand-made parts of one checkout for the assembler's steps: the order service's request ({@code root}), its
 * producer span ({@code publish}) and the order.created event it published, and consumers of that event. Times are
 * milliseconds after {@link #T}.
 */
final class Checkouts {
  static final long T = 1_767_225_600_000L;
  static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  static final String OTHER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String TOPIC = "orders";
  static final String EVENT = "evt-1";

  private Checkouts() {}

  static SpanRecord.Builder span(String trace, String id, String parent, String service, String name, SpanKind kind,
      long fromMs, long toMs) {
    return SpanRecord.newBuilder().setTraceId(trace).setSpanId(id).setParentSpanId(parent).setService(service)
        .setName(name).setKind(kind).setStatusCode(SpanStatus.UNSET).setStartNanos((T + fromMs) * 1_000_000)
        .setEndNanos((T + toMs) * 1_000_000).setAttributes(new HashMap<>());
  }

  /** The order service's request: the workflow's root. */
  static SpanRecord.Builder root() {
    return span(TRACE, "root", null, "order", "POST /orders", SpanKind.SERVER, 0, 100);
  }

  /** The order service's producer span, under the root, that published {@link #EVENT}. */
  static SpanRecord.Builder publish() {
    return span(TRACE, "publish", "root", "order", "orders publish", SpanKind.PRODUCER, 10, 20);
  }

  /** A process span of {@code group} continuing the producer's context (its parent is the producer span). */
  static SpanRecord.Builder consumer(String id, String group, long fromMs, long toMs) {
    return span(TRACE, id, "publish", group, "orders process", SpanKind.CONSUMER, fromMs, toMs)
        .setMessaging(hop("process", group));
  }

  static MessagingHop hop(String operation, String group) {
    return MessagingHop.newBuilder().setSystem("kafka").setOperation(operation).setDestination(TOPIC)
        .setConsumerGroup(group).build();
  }

  static SpanRecord.Builder failed(SpanRecord.Builder span, String message) {
    return span.setStatusCode(SpanStatus.ERROR).setStatusMessage(message);
  }

  /** {@link #EVENT} as published by the producer span at {@code atMs}, on offset {@code offset} of the topic. */
  static EventRecord.Builder event(long atMs, long offset) {
    return EventRecord.newBuilder().setEventId(EVENT).setEventName("order.created").setTraceId(TRACE)
        .setSpanId("publish").setSource("order").setTopic(TOPIC).setPartition(0).setOffset(offset)
        .setTimestampMs(T + atMs);
  }

  static WorkflowNodes nodes(List<SpanRecord.Builder> spans, List<EventRecord.Builder> events) {
    return new WorkflowNodes(spans.stream().map(SpanRecord.Builder::build).toList(),
        events.stream().map(EventRecord.Builder::build).toList());
  }

  /** A branch of {@code consumer} at {@link #EVENT} in {@code state}, its attempts the given span nodes. */
  static Branch.Builder branch(String consumer, BranchState state, String... attemptNodeIds) {
    return Branch.newBuilder().setEventId(EVENT).setEventName("order.created").setEventNodeId("event:" + EVENT)
        .setConsumer(consumer).setService(consumer).setState(state).setAttempts(attemptNodeIds.length)
        .setAttemptNodeIds(List.of(attemptNodeIds));
  }

  /** Expectations fixed by the test: these consumers per event name, and whether every call should reach a callee. */
  record Expecting(Map<String, List<ExpectedConsumer>> consumersByEvent, boolean calleesExpected)
      implements Expectations {
    @Override
    public List<ExpectedConsumer> consumersOf(String eventName, long nowMs) {
      return consumersByEvent.getOrDefault(eventName, List.of());
    }

    @Override
    public boolean calleeExpected(String service, String spanName, long nowMs) {
      return calleesExpected;
    }
  }
}
