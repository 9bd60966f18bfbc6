package io.tracestitch.app;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Refuses, at serialization, a graph larger than its topic takes. Under exactly-once a record the broker
 * rejects puts the whole transaction in error: the stream thread is replaced, the workflow published again
 * and rejected again. Refused here, before the send, the record is dropped alone ({@link OversizedRecordHandler}).
 */
final class GraphSizeLimit<T> implements Serializer<T> {
  /** Thrown for a record over the limit; the handler drops such a record and counts it. */
  static final class TooLarge extends SerializationException {
    TooLarge(String message) {
      super(message);
    }
  }

  private final Serializer<T> inner;
  private final int maxBytes;
  private final String why;

  GraphSizeLimit(Serializer<T> inner, int maxBytes, String why) {
    this.inner = inner;
    this.maxBytes = maxBytes;
    this.why = why;
  }

  @Override
  public byte[] serialize(String topic, T data) {
    byte[] bytes = inner.serialize(topic, data);
    if (bytes != null && bytes.length > maxBytes) {
      throw new TooLarge("The graph is " + bytes.length + " bytes, over the " + maxBytes + " bytes that the " + why + ".");
    }
    return bytes;
  }

  @Override
  public void close() {
    inner.close();
  }
}
