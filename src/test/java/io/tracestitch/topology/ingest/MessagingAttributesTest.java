package io.tracestitch.topology.ingest;

import static io.tracestitch.topology.ingest.OtlpFixtures.attr;
import static io.tracestitch.topology.ingest.OtlpFixtures.request;
import static io.tracestitch.topology.ingest.OtlpFixtures.resource;
import static io.tracestitch.topology.ingest.OtlpFixtures.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.trace.v1.Span;
import io.tracestitch.avro.internal.MessagingHop;
import io.tracestitch.avro.internal.SpanRecord;
import org.junit.jupiter.api.Test;

class MessagingAttributesTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  private final OtlpSpanDecoder decoder = new OtlpSpanDecoder(SpanEncoding.OTLP_PROTO, SpanAttributeSettings.defaults());

  private SpanRecord decode(Span.Builder span) throws UnusableRecordException {
    return decoder.decode(request(resource("inventory", span)).toByteArray()).spans().get(0);
  }

  @Test
  void oldAndNewMessagingConventionGenerationsGiveTheSameHop() throws Exception {
    // As the Kafka instrumentation of a few years ago writes it: ints for partition and offset.
    Span.Builder old = span(TRACE, "00f067aa0ba902b7", "orders process", 0)
        .setKind(Span.SpanKind.SPAN_KIND_CONSUMER)
        .addAttributes(attr("messaging.system", "kafka"))
        .addAttributes(attr("messaging.operation", "PROCESS"))
        .addAttributes(attr("messaging.destination", "orders"))
        .addAttributes(attr("messaging.kafka.consumer_group", "inventory"))
        .addAttributes(attr("messaging.message_id", "m-1"))
        .addAttributes(attr("messaging.conversation_id", "order-441"))
        .addAttributes(attr("messaging.kafka.partition", 3L))
        .addAttributes(attr("messaging.kafka.offset", "42"));
    // As the current conventions write it: the partition is a string id, names changed, the span name flipped.
    Span.Builder current = span(TRACE, "00f067aa0ba902b7", "process orders", 0)
        .setKind(Span.SpanKind.SPAN_KIND_CONSUMER)
        .addAttributes(attr("messaging.system", "kafka"))
        .addAttributes(attr("messaging.operation.type", "process"))
        .addAttributes(attr("messaging.operation.name", "poll"))
        .addAttributes(attr("messaging.destination.name", "orders"))
        .addAttributes(attr("messaging.consumer.group.name", "inventory"))
        .addAttributes(attr("messaging.message.id", "m-1"))
        .addAttributes(attr("messaging.message.conversation_id", "order-441"))
        .addAttributes(attr("messaging.destination.partition.id", "3"))
        .addAttributes(attr("messaging.kafka.message.offset", 42L));
    // In between: messaging.kafka.consumer.group and messaging.kafka.destination.partition, offset as a double.
    Span.Builder between = span(TRACE, "00f067aa0ba902b7", "orders receive", 0)
        .setKind(Span.SpanKind.SPAN_KIND_CONSUMER)
        .addAttributes(attr("messaging.system", "kafka"))
        .addAttributes(attr("messaging.operation", "process"))
        .addAttributes(attr("messaging.destination.name", "orders"))
        .addAttributes(attr("messaging.kafka.consumer.group", "inventory"))
        .addAttributes(attr("messaging.message.id", "m-1"))
        .addAttributes(attr("messaging.message.conversation_id", "order-441"))
        .addAttributes(attr("messaging.kafka.destination.partition", 3L))
        .addAttributes(attr("messaging.kafka.message.offset", 42.0));

    MessagingHop expected = new MessagingHop("kafka", "process", "orders", "inventory", "m-1", "order-441", 3, 42L);
    assertThat(decode(old).getMessaging()).isEqualTo(expected);
    assertThat(decode(current).getMessaging()).isEqualTo(expected);
    assertThat(decode(between).getMessaging()).isEqualTo(expected);
    // The conversation id is the conventions' own correlation id, the message id the event's.
    assertThat(decode(old).getCorrelationId()).isEqualTo("order-441");
    assertThat(decode(current).getEventId()).isEqualTo("m-1");
  }

  @Test
  void aPollIsAReceiveWhereverTheInstrumentationSaysIt() throws Exception {
    // kafkajs 0.32's eachBatch span: the conventions' type, kafkajs' own word as the name, the partition a string.
    MessagingHop kafkajs = decode(span(TRACE, "00f067aa0ba902b7", "poll orders", 0)
        .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
        .addAttributes(attr("messaging.system", "kafka"))
        .addAttributes(attr("messaging.operation.type", "receive"))
        .addAttributes(attr("messaging.operation.name", "poll"))
        .addAttributes(attr("messaging.destination.name", "orders"))
        .addAttributes(attr("messaging.destination.partition.id", "2"))).getMessaging();
    MessagingHop nameOnly = decode(span(TRACE, "00f067aa0ba902b7", "poll orders", 0)
        .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
        .addAttributes(attr("messaging.system", "kafka"))).getMessaging();
    MessagingHop operationName = decode(span(TRACE, "00f067aa0ba902b7", "fetch", 0)
        .addAttributes(attr("messaging.operation.name", "Poll"))).getMessaging();

    assertThat(kafkajs).isEqualTo(new MessagingHop("kafka", "receive", "orders", null, null, null, 2, null));
    assertThat(nameOnly.getOperation()).isEqualTo("receive");
    assertThat(nameOnly.getDestination()).isEqualTo("orders");
    assertThat(operationName.getOperation()).isEqualTo("receive");
  }

  @Test
  void theOlderOperationAttributeComesBeforeTheSystemsOwnOperationName() throws Exception {
    // Both present: "messaging.operation" holds the conventions' word, the name may be anything the system calls it.
    MessagingHop hop = decode(span(TRACE, "00f067aa0ba902b7", "orders process", 0)
        .setKind(Span.SpanKind.SPAN_KIND_CONSUMER)
        .addAttributes(attr("messaging.operation.name", "handle"))
        .addAttributes(attr("messaging.operation", "process"))
        .addAttributes(attr("messaging.kafka.consumer.group", "inventory"))
        .addAttributes(attr("messaging.destination.name", "orders"))
        .addAttributes(attr("messaging.destination.partition.id", "0"))
        .addAttributes(attr("messaging.kafka.message.offset", 17L))).getMessaging();

    assertThat(hop).isEqualTo(new MessagingHop(null, "process", "orders", "inventory", null, null, 0, 17L));
  }

  @Test
  void spanNamedOrdersProcessWithoutOperationAttributeIsAProcessHopOnOrders() throws Exception {
    SpanRecord span = decode(span(TRACE, "00f067aa0ba902b7", "orders process", 0)
        .setKind(Span.SpanKind.SPAN_KIND_CONSUMER)
        .addAttributes(attr("messaging.system", "kafka")));

    assertThat(span.getMessaging().getOperation()).isEqualTo("process");
    assertThat(span.getMessaging().getDestination()).isEqualTo("orders");
    assertThat(span.getMessaging().getMessageId()).isNull();
    assertThat(span.getMessaging().getPartition()).isNull();
  }

  @Test
  void producerSpanNameAloneIsEnoughForAHop() throws Exception {
    assertThat(decode(span(TRACE, "00f067aa0ba902b7", "order.created publish", 0)
        .setKind(Span.SpanKind.SPAN_KIND_PRODUCER)).getMessaging())
        .isEqualTo(new MessagingHop(null, "publish", "order.created", null, null, null, null, null));
    assertThat(decode(span(TRACE, "00f067aa0ba902b7", "send", 0)
        .setKind(Span.SpanKind.SPAN_KIND_PRODUCER)).getMessaging())
        .isEqualTo(new MessagingHop(null, "send", null, null, null, null, null, null));
  }

  @Test
  void explicitDestinationWinsOverTheSpanName() throws Exception {
    MessagingHop hop = decode(span(TRACE, "00f067aa0ba902b7", "orders publish", 0)
        .setKind(Span.SpanKind.SPAN_KIND_PRODUCER)
        .addAttributes(attr("messaging.destination.name", "orders.v2"))
        .addAttributes(attr("messaging.operation.type", "Send"))).getMessaging();

    assertThat(hop.getDestination()).isEqualTo("orders.v2");
    assertThat(hop.getOperation()).isEqualTo("send");
  }

  @Test
  void nonMessagingSpanHasNoHopEvenWithAMessagingLikeName() throws Exception {
    assertThat(decode(span(TRACE, "00f067aa0ba902b7", "batch process", 0)
        .setKind(Span.SpanKind.SPAN_KIND_INTERNAL)).getMessaging()).isNull();
  }

  @Test
  void anyMessagingAttributeMakesAHopWhateverTheKind() throws Exception {
    MessagingHop hop = decode(span(TRACE, "00f067aa0ba902b7", "handle", 0)
        .addAttributes(attr("messaging.kafka.partition", "not a number"))
        .addAttributes(attr("messaging.kafka.message.offset", -1L))).getMessaging();

    assertThat(hop).isEqualTo(new MessagingHop(null, null, null, null, null, null, null, null));
  }
}
