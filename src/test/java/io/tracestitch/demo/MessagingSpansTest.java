package io.tracestitch.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class MessagingSpansTest {

  @Test
  void aProcessSpanIsAChildOfThePublishSpanAndLinksToIt() {
    try (TestTracing order = new TestTracing("order", "1.0"); TestTracing payment = new TestTracing("payment", "1.0")) {
      RecordHeaders headers = new RecordHeaders();
      Span publish = MessagingSpans.startPublish(order.tracer(), "order.created", "ord-7", "evt-7", "order-7");
      try (Scope ignored = publish.makeCurrent()) {
        ContextPropagation.inject(Context.current(), headers);
      }
      MessagingSpans.delivered(publish, new RecordMetadata(new TopicPartition("order.created", 1), 42, 0, 0L, 3, 10));
      publish.end();

      MessagingSpans.startProcess(payment.tracer(), record(headers), PaymentService.NAME, "evt-7").end();

      SpanData sent = order.exported.named("order.created publish");
      SpanData processed = payment.exported.named("order.created process");
      assertThat(new String(headers.lastHeader("traceparent").value(), StandardCharsets.UTF_8))
          .isEqualTo("00-" + sent.getTraceId() + "-" + sent.getSpanId() + "-"
              + sent.getSpanContext().getTraceFlags().asHex());
      assertThat(sent.getSpanContext().isSampled()).isTrue();
      assertThat(sent.getKind()).isEqualTo(SpanKind.PRODUCER);
      assertThat(sent.getAttributes().get(AttributeKey.stringKey("messaging.operation.type"))).isEqualTo("send");
      assertThat(sent.getAttributes().get(AttributeKey.stringKey("messaging.destination.partition.id"))).isEqualTo("1");
      assertThat(sent.getAttributes().get(AttributeKey.longKey("messaging.kafka.offset"))).isEqualTo(42L);
      assertThat(sent.getAttributes().get(AttributeKey.stringKey("messaging.message.conversation_id")))
          .isEqualTo("order-7");

      assertThat(processed.getKind()).isEqualTo(SpanKind.CONSUMER);
      assertThat(processed.getTraceId()).isEqualTo(sent.getTraceId());
      assertThat(processed.getParentSpanId()).isEqualTo(sent.getSpanId());
      assertThat(processed.getParentSpanContext().isRemote()).isTrue();
      assertThat(processed.getLinks()).extracting(LinkData::getSpanContext)
          .extracting(c -> c.getTraceId() + "/" + c.getSpanId())
          .containsExactly(sent.getTraceId() + "/" + sent.getSpanId());
      assertThat(processed.getAttributes().asMap()).containsEntry(AttributeKey.stringKey("messaging.system"), "kafka")
          .containsEntry(AttributeKey.stringKey("messaging.destination.name"), "order.created")
          .containsEntry(AttributeKey.stringKey("messaging.operation.type"), "process")
          .containsEntry(AttributeKey.stringKey("messaging.consumer.group.name"), "payment")
          .containsEntry(AttributeKey.stringKey("messaging.message.id"), "evt-7")
          .containsEntry(AttributeKey.stringKey("messaging.destination.partition.id"), "1")
          .containsEntry(AttributeKey.longKey("messaging.kafka.offset"), 42L);
    }
  }

  @Test
  void aConsumerThatDroppedTheContextStartsANewTraceTiedOnlyByTheCorrelationId() {
    try (TestTracing notification = new TestTracing("notification", "1.0")) {
      MessagingSpans.startDetachedProcess(notification.tracer(), "payment.authorized", NotificationService.NAME,
          "order-7").end();

      SpanData processed = notification.exported.named("payment.authorized process");
      assertThat(processed.getParentSpanContext().isValid()).isFalse();
      assertThat(processed.getLinks()).isEmpty();
      assertThat(processed.getAttributes().get(AttributeKey.stringKey("correlation_id"))).isEqualTo("order-7");
      assertThat(processed.getAttributes().get(AttributeKey.stringKey("messaging.message.id"))).isNull();
      assertThat(processed.getAttributes().get(AttributeKey.longKey("messaging.kafka.offset"))).isNull();
    }
  }

  private static ConsumerRecord<byte[], byte[]> record(RecordHeaders headers) {
    return new ConsumerRecord<>("order.created", 1, 42, 0L, TimestampType.CREATE_TIME, 5, 2,
        "ord-7".getBytes(StandardCharsets.UTF_8), "{}".getBytes(StandardCharsets.UTF_8), headers, Optional.empty());
  }
}
