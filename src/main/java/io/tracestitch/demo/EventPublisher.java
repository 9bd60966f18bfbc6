package io.tracestitch.demo;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A service's way of publishing business events: a send span, the trace context in the record headers, the
 * event as JSON keyed by its order. It waits for the broker's acknowledgement, as a service does that must
 * not confirm an order whose event could be lost.
 */
final class EventPublisher implements AutoCloseable {
  private static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);

  private final Producer<byte[], byte[]> producer;
  private final Tracer tracer;

  EventPublisher(KafkaClients clients, String service, Tracer tracer) {
    this.producer = new KafkaProducer<>(clients.producer(service + "-events"), new ByteArraySerializer(),
        new ByteArraySerializer());
    this.tracer = tracer;
  }

  RecordMetadata publish(String topic, OrderEvent event) {
    Span span = MessagingSpans.startPublish(tracer, topic, event.orderId(), event.eventId(),
        event.correlationId());
    try (Scope ignored = span.makeCurrent()) {
      ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic,
          event.orderId().getBytes(StandardCharsets.UTF_8), event.toJson());
      ContextPropagation.inject(Context.current(), record.headers());
      RecordMetadata metadata = producer.send(record).get(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      MessagingSpans.delivered(span, metadata);
      return metadata;
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      span.recordException(cause);
      span.setStatus(StatusCode.ERROR, "The broker did not acknowledge the " + event.eventName() + " event.");
      throw new IllegalStateException("The " + event.eventName() + " event of " + event.correlationId()
          + " could not be published to '" + topic + "': " + cause, cause);
    } catch (RuntimeException e) {
      span.recordException(e);
      span.setStatus(StatusCode.ERROR, "The producer refused the " + event.eventName() + " event.");
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      span.setStatus(StatusCode.ERROR, "Interrupted while publishing.");
      throw new IllegalStateException("Interrupted while publishing the " + event.eventName() + " event.", e);
    } finally {
      span.end();
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
