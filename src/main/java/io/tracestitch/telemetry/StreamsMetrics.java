package io.tracestitch.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableDoubleMeasurement;
import io.tracestitch.http.Restorations;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;

/**
 * Kafka Streams' own view: its state, restorations in progress, the lag of every partition its main
 * consumers read, and a chosen few of its client, thread and task metrics. Not all of them: Streams
 * registers hundreds of series (per processor node, per store, per RocksDB property), and the ones
 * below are those the runbook reads.
 */
final class StreamsMetrics {
  static final String STATE = "tracestitch.streams.state";
  static final String RESTORING = "tracestitch.restore.partitions";
  static final String RESTORE_REMAINING = "tracestitch.restore.remaining";
  static final String RESTORED = "tracestitch.restore.records";
  static final String READ_TO_END_AGE = "tracestitch.read_to_end.age";
  static final String CONSUMER_LAG = "tracestitch.consumer.lag";
  static final String BRIDGED_PREFIX = "kafka.streams.";

  /** The Kafka Streams metrics bridged as gauges named {@code kafka.streams.<name with _>}: group and name. */
  static final List<Map.Entry<String, String>> BRIDGED = List.of(
      Map.entry("stream-metrics", "alive-stream-threads"),
      Map.entry("stream-metrics", "failed-stream-threads"),
      Map.entry("stream-thread-metrics", "process-rate"),
      Map.entry("stream-thread-metrics", "process-latency-avg"),
      Map.entry("stream-thread-metrics", "process-latency-max"),
      Map.entry("stream-thread-metrics", "process-ratio"),
      Map.entry("stream-thread-metrics", "commit-latency-avg"),
      Map.entry("stream-thread-metrics", "poll-latency-avg"),
      Map.entry("stream-thread-metrics", "punctuate-latency-avg"),
      Map.entry("stream-thread-metrics", "blocked-time-ns-total"),
      Map.entry("stream-task-metrics", "dropped-records-total"));

  static final AttributeKey<String> STATE_NAME = AttributeKey.stringKey("state");
  static final AttributeKey<String> TOPIC = AttributeKey.stringKey("topic");
  static final AttributeKey<Long> PARTITION = AttributeKey.longKey("partition");

  private StreamsMetrics() {}

  static void register(Meter meter, KafkaStreams streams, Restorations restorations) {
    meter.gaugeBuilder(STATE).ofLongs()
        .setDescription("1 for the state Kafka Streams is in (RUNNING when healthy), 0 for the others.")
        .buildWithCallback(m -> {
          KafkaStreams.State current = streams.state();
          for (KafkaStreams.State state : KafkaStreams.State.values()) {
            m.record(state == current ? 1 : 0, Attributes.of(STATE_NAME, state.name()));
          }
        });
    meter.gaugeBuilder(RESTORING).ofLongs().setUnit("{partition}")
        .setDescription("Changelog partitions this instance's active tasks are restoring now; /readyz is 503 while "
            + "this is above 0.")
        .buildWithCallback(m -> m.record(restorations.inProgress().size()));
    meter.gaugeBuilder(RESTORE_REMAINING).ofLongs().setUnit("{record}")
        .setDescription("Changelog records still to restore, summed over the restorations in progress.")
        .buildWithCallback(m -> m.record(restorations.inProgress().stream()
            .mapToLong(Restorations.Progress::remaining).sum()));
    meter.counterBuilder(RESTORED).setUnit("{record}")
        .setDescription("Changelog records restored into this instance's stores since it started.")
        .buildWithCallback(m -> m.record(restorations.restoredRecords()));
    meter.gaugeBuilder(CONSUMER_LAG).ofLongs().setUnit("{record}")
        .setDescription("Records behind the end of each partition this instance's stream threads read (input "
            + "topics and tracestitch's routing topics), from the consumers' records-lag.")
        .buildWithCallback(m -> consumerLag(streams, (lag, attributes) -> m.record(lag, attributes)));
    for (Map.Entry<String, String> bridged : BRIDGED) {
      meter.gaugeBuilder(BRIDGED_PREFIX + bridged.getValue().replace('-', '_'))
          .setDescription("Kafka Streams' " + bridged.getKey() + " " + bridged.getValue() + ".")
          .buildWithCallback(m -> bridge(streams, bridged.getKey(), bridged.getValue(), m));
    }
  }

  private interface LagSink {
    void record(long lag, Attributes attributes);
  }

  /**
   * Seconds since each partition the clocks wait on (source topics, findings) was last confirmed read to its end;
   * -1 while not confirmed at all. {@code unconfirmedForMs} answers per partition for a wall time, in ms.
   */
  static void registerReadToEnd(Meter meter, LongFunction<Map<TopicPartition, Long>> unconfirmedForMs, Clock clock) {
    meter.gaugeBuilder(READ_TO_END_AGE).setUnit("s")
        .setDescription("Seconds since each partition whose records set a stage's clock (the span and event topics, "
            + "-findings) was last confirmed read to its end, -1 while not yet: how far that clock may be held back.")
        .buildWithCallback(m -> unconfirmedForMs.apply(clock.millis()).forEach((partition, ms) ->
            m.record(ms < 0 ? -1 : ms / 1000.0,
                Attributes.of(TOPIC, partition.topic(), PARTITION, (long) partition.partition()))));
  }

  /**
   * The partitions of this instance's active tasks only: that leaves out the restore consumers (their
   * lag is restoration, reported above) and the consumer's legacy copies of each metric, whose topic
   * tag has '.' replaced by '_'.
   */
  private static void consumerLag(KafkaStreams streams, LagSink sink) {
    Set<TopicPartition> assigned = new HashSet<>();
    for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
      thread.activeTasks().forEach(task -> assigned.addAll(task.topicPartitions()));
    }
    for (Map.Entry<MetricName, ? extends Metric> entry : streams.metrics().entrySet()) {
      MetricName name = entry.getKey();
      String client = name.tags().getOrDefault("client-id", "");
      if (!name.group().equals("consumer-fetch-manager-metrics") || !name.name().equals("records-lag")
          || client.endsWith("-restore-consumer") || !name.tags().containsKey("topic")
          || !name.tags().containsKey("partition")) {
        continue;
      }
      TopicPartition partition = new TopicPartition(name.tags().get("topic"),
          Integer.parseInt(name.tags().get("partition")));
      if (assigned.contains(partition) && entry.getValue().metricValue() instanceof Number lag
          && !Double.isNaN(lag.doubleValue())) {
        sink.record(lag.longValue(), Attributes.of(TOPIC, partition.topic(), PARTITION, (long) partition.partition()));
      }
    }
  }

  private static void bridge(KafkaStreams streams, String group, String metric, ObservableDoubleMeasurement m) {
    for (Map.Entry<MetricName, ? extends Metric> entry : streams.metrics().entrySet()) {
      MetricName name = entry.getKey();
      if (name.group().equals(group) && name.name().equals(metric)
          && entry.getValue().metricValue() instanceof Number value && !Double.isNaN(value.doubleValue())) {
        AttributesBuilder attributes = Attributes.builder();
        // One client per instance: its id adds nothing but cardinality.
        name.tags().forEach((tag, tagValue) -> {
          if (!tag.equals("client-id")) {
            attributes.put(tag.replace('-', '_'), tagValue);
          }
        });
        m.record(value.doubleValue(), attributes.build());
      }
    }
  }
}
