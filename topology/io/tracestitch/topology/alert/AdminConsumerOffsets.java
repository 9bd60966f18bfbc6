package io.tracestitch.topology.alert;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads committed and end offsets with Kafka's Admin API. Called only when an alert is sent (never per
 * record), with a short timeout and a small cache, so a slow or forbidden Admin API delays one page by
 * at most the timeout and never stops the stream.
 */
public final class AdminConsumerOffsets implements ConsumerOffsets, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminConsumerOffsets.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static final long CACHE_MS = 5_000;

  private final Admin admin;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  public AdminConsumerOffsets(Admin admin) {
    this.admin = admin;
  }

  @Override
  public Optional<OffsetDiagnosis> diagnose(String group, String topic, int partition, long eventOffset) {
    String key = group + "|" + topic + "|" + partition + "|" + eventOffset;
    Cached cached = cache.get(key);
    long now = System.currentTimeMillis();
    if (cached != null && now - cached.atMs < CACHE_MS) {
      return cached.diagnosis;
    }
    Optional<OffsetDiagnosis> diagnosis = ask(group, new TopicPartition(topic, partition), eventOffset);
    if (cache.size() > 1_000) {
      cache.clear();
    }
    cache.put(key, new Cached(diagnosis, now));
    return diagnosis;
  }

  private Optional<OffsetDiagnosis> ask(String group, TopicPartition tp, long eventOffset) {
    try {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      ListOffsetsResult.ListOffsetsResultInfo end = admin.listOffsets(Map.of(tp, OffsetSpec.latest()))
          .partitionResult(tp).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      OffsetAndMetadata at = committed.get(tp);
      if (at == null) {
        return Optional.of(new OffsetDiagnosis(OffsetDiagnosis.Verdict.NO_COMMIT, -1, -1, -1));
      }
      long lag = Math.max(0, end.offset() - at.offset());
      // The committed offset is the next record the group will read: at or before the event, it has not read it yet.
      if (at.offset() <= eventOffset) {
        return Optional.of(new OffsetDiagnosis(OffsetDiagnosis.Verdict.LAGGING, at.offset(), eventOffset - at.offset(), lag));
      }
      return Optional.of(new OffsetDiagnosis(OffsetDiagnosis.Verdict.COMMITTED_PAST, at.offset(), 0, lag));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (Exception e) {
      log.warn("Could not read the offsets of consumer group {} on {} ({}); the alert goes out without them. "
          + "Grant tracestitch Describe on the group and topic to get them.", group, tp, e.getMessage());
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }

  private record Cached(Optional<OffsetDiagnosis> diagnosis, long atMs) {}
}
