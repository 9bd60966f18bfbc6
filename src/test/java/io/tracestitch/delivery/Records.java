package io.tracestitch.delivery;

import io.tracestitch.avro.Alert;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/** Waiting records for protocol tests: an alert at a partition and offset, written at a time. */
final class Records {
  static final String TOPIC = "trace-alerts";

  private Records() {}

  static PendingAlert at(int partition, long offset, long timestampMs, Alert alert) {
    return new PendingAlert(new TopicPartition(TOPIC, partition), offset, timestampMs, alert.getDedupKey(),
        alert.getDedupKey().getBytes(StandardCharsets.UTF_8), Alerts.avro(alert), new Header[0], alert, null);
  }

  static PendingAlert unreadable(int partition, long offset, long timestampMs) {
    return new PendingAlert(new TopicPartition(TOPIC, partition), offset, timestampMs, "k",
        "k".getBytes(StandardCharsets.UTF_8), "garbage".getBytes(StandardCharsets.UTF_8), new Header[0], null,
        "not an Alert record");
  }

  static PendingAlerts pending(PendingAlert... records) {
    PendingAlerts pending = new PendingAlerts();
    for (PendingAlert record : records) {
      pending.add(record);
    }
    return pending;
  }
}
