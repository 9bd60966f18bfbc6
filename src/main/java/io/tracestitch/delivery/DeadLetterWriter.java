package io.tracestitch.delivery;

import io.tracestitch.topology.deadletter.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes alert records no target could use to the dead-letter topic, as the processor does with its input:
 * key, value and headers unchanged, plus the {@code tracestitch.dlq.*} headers saying why and where from, and two
 * of delivery's own: {@code tracestitch.dlq.target} (which target refused it) and {@code tracestitch.dlq.status}
 * (its HTTP status). Each write waits for the broker's acknowledgement, since the record's offset is committed
 * right after: a dead letter is never lost, at worst written twice after a crash. Thread-safe.
 */
final class DeadLetterWriter implements AutoCloseable {
  static final String TARGET = "tracestitch.dlq.target";
  static final String STATUS = "tracestitch.dlq.status";
  private static final int MAX_MESSAGE_CHARS = 4096;

  /** Why an alert record was dead-lettered. */
  enum Reason {
    /** A target answered with a 4xx that is not retried (400 first); the message carries its answer. */
    DELIVERY_REJECTED,
    /** The record is not an Alert in the configured output.format. */
    NOT_AN_ALERT
  }

  private final Producer<byte[], byte[]> producer;
  private final String topic;

  DeadLetterWriter(Producer<byte[], byte[]> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  /**
   * @param status the target's HTTP status, or 0 for none
   * @throws IllegalStateException when the broker does not take it within 30 s (the loop retries the step)
   */
  void write(PendingAlert record, Reason reason, String message, String target, int status) {
    Headers headers = new RecordHeaders(record.headers());
    put(headers, DeadLetters.REASON, reason.name());
    put(headers, DeadLetters.MESSAGE, message.length() > MAX_MESSAGE_CHARS ? message.substring(0, MAX_MESSAGE_CHARS)
        : message);
    put(headers, DeadLetters.UNIT, "record");
    put(headers, DeadLetters.TOPIC, record.partition().topic());
    put(headers, DeadLetters.PARTITION, Integer.toString(record.partition().partition()));
    put(headers, DeadLetters.OFFSET, Long.toString(record.offset()));
    put(headers, TARGET, target);
    if (status > 0) {
      put(headers, STATUS, Integer.toString(status));
    }
    try {
      producer.send(new ProducerRecord<>(topic, null, record.timestampMs(), record.rawKey(), record.value(), headers))
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Could not write " + record.where() + " to the dead-letter topic '" + topic
          + "': " + (e instanceof ExecutionException ? e.getCause() : e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while dead-lettering " + record.where() + ".", e);
    }
  }

  private static void put(Headers headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    producer.close(java.time.Duration.ofSeconds(10));
  }
}
