package io.tracestitch.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.tracestitch.avro.internal.SpanKind;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.SpanStatus;
import io.tracestitch.topology.ingest.OtlpSpanDecoder;
import io.tracestitch.topology.ingest.SpanAttributeSettings;
import io.tracestitch.topology.ingest.SpanEncoding;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class KafkaSpanExporterTest {
  private static final String TOPIC = "otlp_spans";

  @Test
  void aBatchBecomesOneUnkeyedRecordHoldingAnExportTraceServiceRequestPerResource() throws Exception {
    MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
        new ByteArraySerializer());
    List<SpanData> batch = checkoutSpans();

    CompletableResultCode result = new KafkaSpanExporter(producer, TOPIC).export(batch);

    assertThat(result.join(5, TimeUnit.SECONDS).isSuccess()).isTrue();
    assertThat(producer.history()).hasSize(1);
    ProducerRecord<byte[], byte[]> record = producer.history().get(0);
    assertThat(record.topic()).isEqualTo(TOPIC);
    assertThat(record.key()).isNull();
    ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(record.value());
    assertThat(request.getResourceSpansList()).extracting(r -> resourceAttribute(r, "service.name"))
        .containsExactly("order", "payment");
    assertThat(request.getResourceSpansList()).extracting(r -> resourceAttribute(r, "service.version"))
        .containsExactly("1.8.0", "1.12.4");
    assertThat(request.getResourceSpans(1).getScopeSpans(0).getScope().getName()).isEqualTo("test");
    assertThat(request.getResourceSpansList().stream().mapToInt(r -> r.getScopeSpans(0).getSpansCount()).sum())
        .isEqualTo(batch.size());
    io.opentelemetry.proto.trace.v1.Span process = request.getResourceSpans(1).getScopeSpans(0).getSpans(0);
    SpanData processData = batch.stream().filter(s -> s.getName().equals("order.created process")).findFirst()
        .orElseThrow();
    assertThat(HexFormat.of().formatHex(process.getTraceId().toByteArray())).isEqualTo(processData.getTraceId());
    assertThat(HexFormat.of().formatHex(process.getSpanId().toByteArray())).isEqualTo(processData.getSpanId());
    assertThat(HexFormat.of().formatHex(process.getParentSpanId().toByteArray()))
        .isEqualTo(processData.getParentSpanId());
    assertThat(process.getKind()).isEqualTo(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CONSUMER);
    assertThat(process.getStartTimeUnixNano()).isEqualTo(processData.getStartEpochNanos());
    assertThat(process.getFlags() & 0xff).as("the W3C trace flags")
        .isEqualTo(processData.getSpanContext().getTraceFlags().asByte() & 0xff);
    assertThat(process.getFlags() & 0x01).as("the W3C sampled flag").isEqualTo(1);
    assertThat(process.getFlags() & 0x300).as("the parent context came from another process").isEqualTo(0x300);
    assertThat(process.getAttributesList()).extracting(KeyValue::getKey, kv -> kv.getValue().getValueCase().name())
        .contains(org.assertj.core.api.Assertions.tuple("messaging.kafka.offset", "INT_VALUE"),
            org.assertj.core.api.Assertions.tuple("messaging.destination.partition.id", "STRING_VALUE"));
  }

  @Test
  void tracestitchsOwnDecoderReadsEveryIdentityBackFromTheRecord() throws Exception {
    MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
        new ByteArraySerializer());
    List<SpanData> batch = checkoutSpans();
    new KafkaSpanExporter(producer, TOPIC).export(batch).join(5, TimeUnit.SECONDS);

    List<SpanRecord> decoded = new OtlpSpanDecoder(SpanEncoding.OTLP_PROTO, SpanAttributeSettings.defaults())
        .decode(producer.history().get(0).value()).spans();

    SpanRecord publish = decoded.stream().filter(s -> s.getName().equals("order.created publish")).findFirst()
        .orElseThrow();
    SpanRecord process = decoded.stream().filter(s -> s.getName().equals("order.created process")).findFirst()
        .orElseThrow();
    assertThat(publish.getService()).isEqualTo("order");
    assertThat(publish.getKind()).isEqualTo(SpanKind.PRODUCER);
    assertThat(publish.getCorrelationId()).isEqualTo("order-7");
    assertThat(process.getService()).isEqualTo("payment");
    assertThat(process.getServiceVersion()).isEqualTo("1.12.4");
    assertThat(process.getParentSpanId()).isEqualTo(publish.getSpanId());
    assertThat(process.getLinks()).extracting(l -> l.getTraceId() + "/" + l.getSpanId())
        .containsExactly(publish.getTraceId() + "/" + publish.getSpanId());
    assertThat(process.getMessaging().getDestination()).isEqualTo("order.created");
    assertThat(process.getMessaging().getOperation()).isEqualTo("process");
    assertThat(process.getMessaging().getConsumerGroup()).isEqualTo("payment");
    assertThat(process.getMessaging().getMessageId()).isEqualTo("evt-7");
    assertThat(process.getMessaging().getPartition()).isEqualTo(2);
    assertThat(process.getMessaging().getOffset()).isEqualTo(42L);
    assertThat(process.getStatusCode()).isEqualTo(SpanStatus.ERROR);
    assertThat(process.getStatusMessage()).isEqualTo("The card gateway did not answer within 250 ms.");
    assertThat(process.getExceptions()).singleElement().satisfies(e -> {
      assertThat(e.getType()).isEqualTo("java.util.concurrent.TimeoutException");
      assertThat(e.getMessage()).isEqualTo("The card gateway did not answer within 250 ms.");
    });
  }

  @Test
  void aBrokerThatRefusesTheRecordFailsTheExport() {
    MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(),
        new ByteArraySerializer());

    CompletableResultCode result = new KafkaSpanExporter(producer, TOPIC).export(checkoutSpans());
    producer.errorNext(new NotLeaderOrFollowerException("the leader moved"));

    assertThat(result.join(5, TimeUnit.SECONDS).isSuccess()).isFalse();
  }

  @Test
  void afterShutdownNothingMoreIsSent() {
    MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
        new ByteArraySerializer());
    KafkaSpanExporter exporter = new KafkaSpanExporter(producer, TOPIC);
    exporter.shutdown();

    assertThat(exporter.export(checkoutSpans()).isSuccess()).isFalse();
    assertThat(producer.history()).isEmpty();
  }

  /** order publishes order.created; payment's process span handles it, fails and records the exception. */
  private static List<SpanData> checkoutSpans() {
    List<SpanData> spans = new ArrayList<>();
    try (TestTracing order = new TestTracing("order", "1.8.0");
        TestTracing payment = new TestTracing("payment", "1.12.4")) {
      RecordHeaders headers = new RecordHeaders();
      Span publish = MessagingSpans.startPublish(order.tracer(), "order.created", "ord-7", "evt-7", "order-7");
      try (Scope ignored = publish.makeCurrent()) {
        ContextPropagation.inject(Context.current(), headers);
      }
      publish.end();
      ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("order.created", 2, 42, 0L,
          TimestampType.CREATE_TIME, 5, 2, "ord-7".getBytes(StandardCharsets.UTF_8),
          "{}".getBytes(StandardCharsets.UTF_8), headers, Optional.empty());
      Span process = MessagingSpans.startProcess(payment.tracer(), record, PaymentService.NAME, "evt-7");
      process.recordException(new TimeoutException("The card gateway did not answer within 250 ms."));
      process.setStatus(StatusCode.ERROR, "The card gateway did not answer within 250 ms.");
      process.setAllAttributes(Attributes.of(AttributeKey.booleanKey("retry.scheduled"), true,
          AttributeKey.doubleArrayKey("payment.amounts"), List.of(12.5, 3.0)));
      process.end();
      spans.addAll(order.exported.spans());
      spans.addAll(payment.exported.spans());
    }
    return spans;
  }

  private static String resourceAttribute(ResourceSpans resourceSpans, String key) {
    return resourceSpans.getResource().getAttributesList().stream().filter(kv -> kv.getKey().equals(key))
        .map(kv -> kv.getValue().getStringValue()).findFirst().orElse(null);
  }
}
