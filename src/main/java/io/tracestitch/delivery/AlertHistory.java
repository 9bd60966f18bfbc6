package io.tracestitch.delivery;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads partitions of the alert topic back from their beginning up to an offset, with a consumer of its own
 * outside any group. The topic is compacted and keyed by dedup key, so this is about one record per alert (plus
 * the recent, not yet compacted tail): cheap, and it tells a loop what its target was given before the
 * committed offset, which alerts fire, and which records after it would be stale.
 */
final class AlertHistory {
  private static final Logger log = LoggerFactory.getLogger(AlertHistory.class);
  private static final Duration READ_LIMIT = Duration.ofSeconds(60);

  private final Supplier<org.apache.kafka.clients.consumer.Consumer<byte[], byte[]>> readers;
  private final AlertDecoder decoder;
  private final Clock clock;

  AlertHistory(Supplier<org.apache.kafka.clients.consumer.Consumer<byte[], byte[]>> readers, AlertDecoder decoder,
      Clock clock) {
    this.readers = readers;
    this.decoder = decoder;
    this.clock = clock;
  }

  /**
   * Hands every record before {@code until} of each partition to {@code sink}, in offset order per partition.
   *
   * @return how many records were read
   */
  long read(Map<TopicPartition, Long> until, Consumer<PendingAlert> sink) {
    Map<TopicPartition, Long> todo = new HashMap<>();
    until.forEach((partition, offset) -> {
      if (offset > 0) {
        todo.put(partition, offset);
      }
    });
    if (todo.isEmpty()) {
      return 0;
    }
    long read = 0;
    long deadline = clock.millis() + READ_LIMIT.toMillis();
    try (org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> reader = readers.get()) {
      reader.assign(todo.keySet());
      reader.seekToBeginning(todo.keySet());
      Set<TopicPartition> done = new HashSet<>();
      while (done.size() < todo.size()) {
        if (clock.millis() > deadline) {
          log.warn("Could not read the alert topic back up to the committed offsets within {} s ({} of {} partitions "
              + "done); alerts that fired before this start reach the target with the processor's next re-send.",
              READ_LIMIT.toSeconds(), done.size(), todo.size());
          break;
        }
        for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
          TopicPartition partition = new TopicPartition(record.topic(), record.partition());
          if (record.offset() < todo.get(partition)) {
            sink.accept(decoder.decode(record));
            read++;
          }
        }
        for (TopicPartition partition : todo.keySet()) {
          if (!done.contains(partition) && reader.position(partition) >= todo.get(partition)) {
            done.add(partition);
            reader.pause(Set.of(partition));
          }
        }
      }
    }
    return read;
  }
}
