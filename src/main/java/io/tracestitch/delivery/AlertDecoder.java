package io.tracestitch.delivery;

import io.tracestitch.avro.Alert;
import io.tracestitch.serdes.AvroTrust;
import io.tracestitch.serdes.OutputFormat;
import io.tracestitch.serdes.RecordSerdes;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads a record of the alert topic as the Avro {@code Alert} the processor wrote, in the configured
 * {@code output.format}. A record that is not one is kept with the reason, never thrown: bad input does not stop
 * delivery. Records that look like finished PagerDuty or Alertmanager bodies get a reason saying where they come
 * from (a processor with {@code alerts.format} set).
 */
final class AlertDecoder {
  private final OutputFormat format;
  private final Deserializer<Alert> deserializer;

  AlertDecoder(OutputFormat format, Map<String, Object> serdeConfig) {
    AvroTrust.trustGeneratedRecords();
    this.format = format;
    this.deserializer = RecordSerdes.forFormat(format, Alert.class, serdeConfig).deserializer();
  }

  PendingAlert decode(ConsumerRecord<byte[], byte[]> record) {
    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
    String recordKey = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    if (record.value() == null) {
      return new PendingAlert(partition, record.offset(), record.timestamp(), recordKey, record.key(), null,
          record.headers().toArray(), null, null);
    }
    Alert alert = null;
    String unreadable = null;
    try {
      alert = deserializer.deserialize(record.topic(), record.value());
      if (alert == null || alert.getDedupKey() == null || alert.getDedupKey().isEmpty()) {
        unreadable = "an Alert record without a dedup key";
        alert = null;
      }
    } catch (RuntimeException e) {
      unreadable = reason(record.value(), e);
    }
    return new PendingAlert(partition, record.offset(), record.timestamp(),
        alert != null ? alert.getDedupKey() : recordKey, record.key(), record.value(), record.headers().toArray(),
        alert, unreadable);
  }

  private String reason(byte[] value, RuntimeException e) {
    String start = new String(value, 0, Math.min(value.length, 200), StandardCharsets.UTF_8).stripLeading();
    boolean pagerDuty = start.startsWith("{") && start.contains("\"event_action\"");
    boolean alertmanager = start.startsWith("[") && start.contains("\"labels\"");
    if (pagerDuty || alertmanager) {
      return "a finished " + (pagerDuty ? "PagerDuty" : "Alertmanager") + " request body, not an Alert record: the "
          + "processor that wrote it runs with alerts.format set. deliver-alerts needs alerts.format empty (Alert "
          + "records in output.format), or forward such bodies with an HTTP sink instead";
    }
    return "not an Alert record in output.format=" + format.name().toLowerCase(Locale.ROOT) + " (" + e.getMessage()
        + (e.getCause() != null && e.getCause() != e ? ": " + e.getCause().getMessage() : "") + ")";
  }
}
