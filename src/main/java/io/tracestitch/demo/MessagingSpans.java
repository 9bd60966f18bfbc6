package io.tracestitch.demo;

import static io.tracestitch.demo.TraceAttributes.CONSUMER_GROUP;
import static io.tracestitch.demo.TraceAttributes.CONVERSATION_ID;
import static io.tracestitch.demo.TraceAttributes.CORRELATION_ID;
import static io.tracestitch.demo.TraceAttributes.DESTINATION;
import static io.tracestitch.demo.TraceAttributes.MESSAGE_ID;
import static io.tracestitch.demo.TraceAttributes.MESSAGE_KEY;
import static io.tracestitch.demo.TraceAttributes.MESSAGING_SYSTEM;
import static io.tracestitch.demo.TraceAttributes.OFFSET;
import static io.tracestitch.demo.TraceAttributes.OPERATION_NAME;
import static io.tracestitch.demo.TraceAttributes.OPERATION_TYPE;
import static io.tracestitch.demo.TraceAttributes.PARTITION;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Kafka spans instrumented by hand after the OpenTelemetry messaging conventions: PRODUCER send spans named
 * {@code <topic> publish}, CONSUMER process spans named {@code <topic> process} that are children of the
 * producer's context and also link to it (the conventions' way, since a batch consumer has no single parent).
 */
final class MessagingSpans {
  private static final String KAFKA = "kafka";

  private MessagingSpans() {}

  /** A send span under the current context; complete it with {@link #delivered} once the broker acknowledged. */
  static Span startPublish(Tracer tracer, String topic, String key, String eventId, String correlationId) {
    return tracer.spanBuilder(topic + " publish")
        .setSpanKind(SpanKind.PRODUCER)
        .setAttribute(MESSAGING_SYSTEM, KAFKA)
        .setAttribute(DESTINATION, topic)
        .setAttribute(OPERATION_TYPE, "send")
        .setAttribute(OPERATION_NAME, "send")
        .setAttribute(MESSAGE_ID, eventId)
        .setAttribute(MESSAGE_KEY, key)
        .setAttribute(CONVERSATION_ID, correlationId)
        .startSpan();
  }

  static void delivered(Span publish, RecordMetadata metadata) {
    publish.setAttribute(PARTITION, String.valueOf(metadata.partition()));
    if (metadata.hasOffset()) {
      publish.setAttribute(OFFSET, metadata.offset());
    }
  }

  /** A process span continuing the trace whose context the record's headers carry. */
  static Span startProcess(Tracer tracer, ConsumerRecord<byte[], byte[]> record, String group, String eventId) {
    Context producer = ContextPropagation.extract(record.headers());
    SpanContext producerSpan = Span.fromContext(producer).getSpanContext();
    SpanBuilder builder = processSpan(tracer, record.topic(), group)
        .setParent(producer)
        .setAttribute(MESSAGE_ID, eventId)
        .setAttribute(PARTITION, String.valueOf(record.partition()))
        .setAttribute(OFFSET, record.offset());
    if (record.key() != null) {
      builder.setAttribute(MESSAGE_KEY, new String(record.key(), StandardCharsets.UTF_8));
    }
    if (producerSpan.isValid()) {
      builder.addLink(producerSpan);
    }
    return builder.startSpan();
  }

  /**
   * A process span of a consumer that lost the record on the way to its worker: it knows its topic and group
   * but not the headers, offset or message id, so it starts a new trace tied to the workflow only by the
   * correlation id in the payload.
   */
  static Span startDetachedProcess(Tracer tracer, String topic, String group, String correlationId) {
    return processSpan(tracer, topic, group)
        .setNoParent()
        .setAttribute(CORRELATION_ID, correlationId)
        .startSpan();
  }

  private static SpanBuilder processSpan(Tracer tracer, String topic, String group) {
    return tracer.spanBuilder(topic + " process")
        .setSpanKind(SpanKind.CONSUMER)
        .setAttribute(MESSAGING_SYSTEM, KAFKA)
        .setAttribute(DESTINATION, topic)
        .setAttribute(OPERATION_TYPE, "process")
        .setAttribute(OPERATION_NAME, "process")
        .setAttribute(CONSUMER_GROUP, group);
  }
}
