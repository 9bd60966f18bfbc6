package io.tracestitch.topology.deadletter;

import io.tracestitch.topology.ingest.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Builds the records of the dead-letter topic: the input's key, value and headers unchanged, plus
 * headers saying why it could not be used and where it came from, so it can be found and replayed.
 */
public final class DeadLetters {
  public static final String REASON = "tracestitch.dlq.reason";
  public static final String MESSAGE = "tracestitch.dlq.message";
  public static final String TOPIC = "tracestitch.dlq.topic";
  public static final String PARTITION = "tracestitch.dlq.partition";
  public static final String OFFSET = "tracestitch.dlq.offset";
  /** "record" when the whole input record is here, "span" for one rejected span of a usable batch. */
  public static final String UNIT = "tracestitch.dlq.unit";
  /** For records caught by Kafka Streams' exception handlers: the processor (node) that failed on it. */
  public static final String STAGE = "tracestitch.dlq.stage";
  /** For records caught by Kafka Streams' exception handlers: the class of the exception. */
  public static final String EXCEPTION = "tracestitch.dlq.exception";

  private static final int MAX_MESSAGE_CHARS = 1024;

  private DeadLetters() {}

  public static Record<byte[], byte[]> wholeRecord(
      Record<byte[], byte[]> input, Optional<RecordMetadata> source, DeadLetterReason reason, String message) {
    return annotate(input.key(), input.value(), input.headers(), input.timestamp(), source, reason, message, "record");
  }

  public static Record<byte[], byte[]> rejectedSpan(
      Record<byte[], byte[]> input, Optional<RecordMetadata> source, DeadLetterReason reason, String message,
      byte[] singleSpanRequest) {
    return annotate(input.key(), singleSpanRequest, input.headers(), input.timestamp(), source, reason, message, "span");
  }

  /**
   * A record one of Kafka Streams' exception handlers gives up on, for the dead-letter topic: the source record's
   * bytes as they were read, with the usual headers plus where it failed and on what exception.
   */
  public static ProducerRecord<byte[], byte[]> caught(String deadLetterTopic, byte[] key, byte[] value,
      Headers original, long timestamp, String topic, int partition, long offset, DeadLetterReason reason,
      String message, String stage, Exception exception) {
    Headers headers = new RecordHeaders(original == null ? new RecordHeaders().toArray() : original.toArray());
    put(headers, REASON, reason.name());
    put(headers, MESSAGE, message.length() > MAX_MESSAGE_CHARS ? message.substring(0, MAX_MESSAGE_CHARS) : message);
    put(headers, UNIT, "record");
    if (topic != null) {
      put(headers, TOPIC, topic);
      put(headers, PARTITION, Integer.toString(partition));
      put(headers, OFFSET, Long.toString(offset));
    }
    if (stage != null) {
      put(headers, STAGE, stage);
    }
    put(headers, EXCEPTION, exception.getClass().getName());
    return new ProducerRecord<>(deadLetterTopic, null, timestamp < 0 ? null : timestamp, key, value, headers);
  }

  private static Record<byte[], byte[]> annotate(byte[] key, byte[] value, Headers original, long timestamp,
      Optional<RecordMetadata> source, DeadLetterReason reason, String message, String unit) {
    // Copy: the input's headers object belongs to the input record and may be read again upstream.
    Headers headers = new RecordHeaders(original == null ? new RecordHeaders().toArray() : original.toArray());
    put(headers, REASON, reason.name());
    put(headers, MESSAGE, message.length() > MAX_MESSAGE_CHARS ? message.substring(0, MAX_MESSAGE_CHARS) : message);
    put(headers, UNIT, unit);
    source.ifPresent(meta -> {
      put(headers, TOPIC, meta.topic());
      put(headers, PARTITION, Integer.toString(meta.partition()));
      put(headers, OFFSET, Long.toString(meta.offset()));
    });
    return new Record<>(key, value, timestamp, headers);
  }

  private static void put(Headers headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
