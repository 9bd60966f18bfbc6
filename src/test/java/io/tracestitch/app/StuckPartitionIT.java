package io.tracestitch.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.Alert;
import io.tracestitch.avro.AlertAction;
import io.tracestitch.config.TracestitchConfig;
import io.tracestitch.kafka.KafkaBrokerFixture;
import io.tracestitch.serdes.AvroSingleObjectSerde;
import io.tracestitch.testing.TimedInput;
import io.tracestitch.topology.faults.CheckoutTraffic;
import io.tracestitch.topology.faults.Fault;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

/**
 * One partition of three stuck, on the real broker with a real consumer group: Kafka's test driver has one
 * partition per topic, so this is where the alert is shown to name the right partition, and to read the group's
 * committed offsets (off the stream thread) to say it is stuck there while the others advance.
 */
class StuckPartitionIT {

  @Test
  void stuckPartitionPageNamesThePartitionAndTheGroupsStuckOffsetWhileTheOthersAdvance() throws Exception {
    String prefix = "stuck-" + Long.toHexString(System.nanoTime());
    String eventTopic = prefix + "-" + CheckoutTraffic.EVENT;
    String consumer = "loyalty-" + prefix;
    // One stitcher task: it learns loyalty from every workflow, so the warm-up below is enough to expect it.
    Map<String, String> settings = IsolatedApp.settings(prefix, 1);
    settings.put(TracestitchConfig.EXPECT_DEADLINE_FLOOR_MS, "1000");
    settings.put(TracestitchConfig.ALERT_RESEND_MS, "1000");
    settings.put(TracestitchConfig.ALERT_RESOLVE_AFTER_MS, "5000");
    settings.put(TracestitchConfig.ALERT_QUIET_MS, "60000");
    settings.put(TracestitchConfig.ALERT_OFFSETS_REFRESH_MS, "1000");
    settings.put("commit.interval.ms", "200");
    KafkaBrokerFixture.shared().createTopics(Map.of(prefix + "-spans", 1, eventTopic, 3));

    TracestitchConfig config = TracestitchConfig.load(Map.of(), Map.of(), settings);
    try (TracestitchApp app = new TracestitchApp(config, List.of());
         KafkaProducer<byte[], byte[]> producer = producer();
         KafkaConsumer<byte[], byte[]> group = group(consumer, eventTopic)) {
      app.start();
      long start = System.currentTimeMillis() + 3_000;
      Fault stuck = new Fault.StuckPartition(consumer, start + 12_000, start + 32_000, 2, 3);
      CheckoutTraffic.Generated traffic = CheckoutTraffic.generate(start, start + 44_000, 200, false,
          // A second, healthy consumer: an event nobody handled at all would be an unconsumed event, not a stall.
          List.of(new CheckoutTraffic.Consumer("inventory-" + prefix, 80), new CheckoutTraffic.Consumer(consumer, 50)),
          List.of(stuck), 7);
      long stuckAt = replayInRealTime(traffic.inputs(), prefix, eventTopic, producer, group, stuck);

      Alert diagnosed = awaitAlert(prefix, a -> consumer.equals(a.getConsumer())
          && "ready".equals(a.getCustomDetails().get("offset_check"))
          && a.getCustomDetails().getOrDefault("offset_diagnosis", "").contains("stuck at")
          // healthy branches of the other partitions reach the alert at most every 10 s (throttled), so a later re-send
          && a.getCustomDetails().containsKey("healthy_partitions"));
      assertThat(diagnosed.getCustomDetails().get("affected_partitions")).startsWith(eventTopic + "-2:")
          .doesNotContain(eventTopic + "-0").doesNotContain(eventTopic + "-1");
      assertThat(diagnosed.getSummary()).contains(eventTopic + "-2 only (")
          .contains(consumer + "'s committed offset on " + eventTopic + "-2 stuck at " + stuckAt)
          .contains("while " + eventTopic + "-0 and " + eventTopic + "-1 advance");

      Alert resolve = awaitAlert(prefix, a -> consumer.equals(a.getConsumer()) && a.getAction() == AlertAction.RESOLVE);
      assertThat(resolve.getEndsAtMs()).as("resolved after the partition came unstuck").isGreaterThan(stuck.toMs());
      List<Alert> all = alerts(prefix);
      assertThat(all.stream().filter(a -> a.getSequence() == 1)).as("one page for the whole stuck stretch").hasSize(1);
    }
  }

  /**
   * Sends the records at their own times; the consumer group commits each event it handles, and on the stuck
   * partition stays at the first event it could not get past. Returns that offset.
   */
  private static long replayInRealTime(List<TimedInput> inputs, String prefix, String eventTopic,
      KafkaProducer<byte[], byte[]> producer, KafkaConsumer<byte[], byte[]> group, Fault stuck) throws Exception {
    long stuckAt = -1;
    for (TimedInput input : inputs.stream().sorted(Comparator.comparingLong(TimedInput::timestampMs)).toList()) {
      long wait = input.timestampMs() - System.currentTimeMillis();
      if (wait > 0) {
        Thread.sleep(wait); // pacing the feed: each record at its own time
      }
      if (input instanceof TimedInput.SpanBatch b) {
        producer.send(new ProducerRecord<>(prefix + "-spans", null, b.timestampMs(), null, b.batch().toProto()));
      } else if (input instanceof TimedInput.Event e) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(eventTopic, null, e.timestampMs(),
            e.key().getBytes(StandardCharsets.UTF_8), e.value());
        for (Header h : e.headers()) {
          record.headers().add(h);
        }
        RecordMetadata at = producer.send(record).get();
        assertThat(at.partition()).as("the ground truth's partitioner is Kafka's")
            .isEqualTo(CheckoutTraffic.partition(e.key(), 3));
        boolean blocked = at.partition() == 2 && stuck.covers(e.timestampMs());
        if (blocked && stuckAt < 0) {
          stuckAt = at.offset();
        }
        if (!blocked) {
          group.commitSync(Map.of(new TopicPartition(eventTopic, at.partition()), new OffsetAndMetadata(at.offset() + 1)));
        }
      }
    }
    producer.flush();
    return stuckAt;
  }

  private static Alert awaitAlert(String prefix, java.util.function.Predicate<Alert> wanted) {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      for (Alert a : alerts(prefix)) {
        if (wanted.test(a)) {
          return a;
        }
      }
    }
    throw new AssertionError("No such alert within 90 s; sent: " + alerts(prefix).stream()
        .map(a -> a.getAction() + " #" + a.getSequence() + " " + a.getSummary() + " " + a.getCustomDetails()).toList());
  }

  private static List<Alert> alerts(String prefix) {
    List<ConsumerRecord<byte[], byte[]>> records;
    try {
      records = KafkaBrokerFixture.consumeUntil(prefix + "-alerts", 1, Duration.ofSeconds(2), true);
    } catch (AssertionError none) {
      return List.of();
    }
    Deserializer<Alert> alerts = AvroSingleObjectSerde.of(Alert.class).deserializer();
    List<Alert> out = new ArrayList<>();
    records.forEach(r -> out.add(alerts.deserialize(prefix + "-alerts", r.value())));
    return out;
  }

  private static KafkaProducer<byte[], byte[]> producer() {
    return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        KafkaBrokerFixture.shared().bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
        new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** The consumer group whose offsets tracestitch reads; it only commits (assigned, no group membership). */
  private static KafkaConsumer<byte[], byte[]> group(String name, String topic) {
    Map<String, Object> config = new HashMap<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
        KafkaBrokerFixture.shared().bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, name,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false));
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    consumer.assign(List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1), new TopicPartition(topic, 2)));
    return consumer;
  }
}
