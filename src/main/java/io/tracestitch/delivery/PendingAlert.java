package io.tracestitch.delivery;

import io.tracestitch.avro.Alert;
import java.util.Comparator;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * One record of the alert topic as a delivery loop holds it until it is settled: where it came from, its bytes
 * (for the dead-letter topic) and the alert it carries, or why it carries none.
 *
 * @param key the dedup key: the alert's own, or the record key when there is no alert
 * @param alert null when the record could not be read as an Alert ({@code unreadable} says why) or is a tombstone
 * @param unreadable why there is no alert, or null; a tombstone has neither an alert nor a reason
 */
record PendingAlert(TopicPartition partition, long offset, long timestampMs, String key, byte[] rawKey, byte[] value,
    Header[] headers, Alert alert, String unreadable) {

  /** Partition, then offset: the order records of one key were written in. */
  static final Comparator<PendingAlert> TOPIC_ORDER = Comparator
      .comparing((PendingAlert p) -> p.partition().topic()).thenComparingInt(p -> p.partition().partition())
      .thenComparingLong(PendingAlert::offset);

  boolean readable() {
    return alert != null;
  }

  boolean tombstone() {
    return alert == null && unreadable == null;
  }

  @Override
  public String toString() {
    return where() + " " + key + (alert == null ? unreadable == null ? " (tombstone)" : " (unreadable)"
        : " " + alert.getAction() + " lifecycle " + alert.getFirstSeenMs() + " #" + alert.getSequence());
  }

  /** topic-partition@offset, as the logs and the dead-letter headers name a record. */
  String where() {
    return partition + "@" + offset;
  }
}
