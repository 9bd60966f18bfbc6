package io.tracestitch.testing;

import io.tracestitch.kafka.KafkaBrokerFixture;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/** Sends a scenario's inputs to the shared broker, in the order they reach Kafka, with their own timestamps. */
public final class KafkaInputs {
  private KafkaInputs() {}

  /**
   * @param spansTopic where span batches go
   * @param eventTopicPrefix prefixed to each event's topic name ("prefix-order.created"), keeping tests apart
   */
  public static void produce(List<TimedInput> inputs, String spansTopic, String eventTopicPrefix) {
    for (TimedInput input : inputs.stream().sorted(Comparator.comparingLong(TimedInput::timestampMs)).toList()) {
      if (input instanceof TimedInput.SpanBatch b) {
        KafkaBrokerFixture.produce(spansTopic,
            List.of(new ProducerRecord<>(spansTopic, null, b.timestampMs(), null, b.batch().toProto())));
      } else if (input instanceof TimedInput.Event e) {
        String topic = eventTopicPrefix + e.topic();
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, e.timestampMs(),
            e.key() == null ? null : e.key().getBytes(StandardCharsets.UTF_8), e.value());
        for (Header h : e.headers()) {
          record.headers().add(h);
        }
        KafkaBrokerFixture.produce(topic, List.of(record));
      }
    }
  }
}
