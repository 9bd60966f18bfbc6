package io.tracestitch.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.Alert;
import io.tracestitch.avro.AlertAction;
import io.tracestitch.avro.AlertKind;
import io.tracestitch.config.TracestitchConfig;
import io.tracestitch.kafka.KafkaBrokerFixture;
import io.tracestitch.serdes.AvroSingleObjectSerde;
import io.tracestitch.testing.Orders;
import io.tracestitch.testing.KafkaInputs;
import io.tracestitch.topology.alert.AdminConsumerOffsets;
import io.tracestitch.topology.alert.GroupPositions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

/** Stall alerts against the real broker: real consumer groups, real offsets, a real restart. */
class AlertLifecycleIT {

  @Test
  void offsetViewIsReadOffTheStreamThreadAndTellsAStuckPartitionFromCaughtUpOnes() {
    String topic = "orders-" + System.nanoTime();
    KafkaBrokerFixture.shared().createTopics(Map.of(topic, 3));
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int p = 0; p < 3; p++) {
      for (int i = 0; i < 10; i++) {
        records.add(new ProducerRecord<>(topic, p, null, ("order-" + p + "-" + i).getBytes(StandardCharsets.UTF_8)));
      }
    }
    KafkaBrokerFixture.produce(topic, records);
    commit("loyalty-" + topic, Map.of(new TopicPartition(topic, 0), 10L, new TopicPartition(topic, 1), 10L,
        new TopicPartition(topic, 2), 3L));

    try (AdminConsumerOffsets offsets = new AdminConsumerOffsets(Admin.create(
        Map.of("bootstrap.servers", KafkaBrokerFixture.shared().bootstrapServers())), Duration.ofMillis(300),
        Duration.ofSeconds(5), Clock.systemUTC())) {
      assertThat(offsets.positions("loyalty-" + topic, topic).status())
          .as("the first question is answered at once, before anything was read").isEqualTo(GroupPositions.Status.PENDING);
      GroupPositions view = awaitPositions(offsets, "loyalty-" + topic, topic,
          v -> v.status() == GroupPositions.Status.READY && v.partitions().get(2).stuck());
      assertThat(view.partitions().get(2).committed()).isEqualTo(3);
      assertThat(view.partitions().get(2).lag()).isEqualTo(7);
      assertThat(view.partitions().get(0).lag()).isZero();
      assertThat(view.partitions().get(1).stuck()).as("caught up is not stuck").isFalse();
      GroupPositions nobody = awaitPositions(offsets, "nobody-" + topic, topic,
          v -> v.status() == GroupPositions.Status.READY);
      assertThat(nobody.partitions().values()).extracting(GroupPositions.Position::committed).containsOnly(-1L);
    }
  }

  @Test
  void consumerThatDropsOneEventSilentlyWhileItsOtherEventsHaveSpansPagesOnceAndSurvivesARestart() throws Exception {
    String prefix = "alerts-" + Long.toHexString(System.nanoTime());
    TracestitchConfig config = config(prefix);
    try (TracestitchApp app = new TracestitchApp(config, List.of())) {
      app.start();
      // Loyalty reads order 1 and commits past it without a span; order 2 it handles, with its span. The second
      // is the witness that loyalty's telemetry works: the first is dropped, a stall, not lost telemetry.
      long now = System.currentTimeMillis();
      KafkaInputs.produce(Orders.order(1, now).consumer("inventory", Orders.Outcome.OK).inputs(),
          prefix + "-spans", prefix + "-");
      KafkaInputs.produce(Orders.order(2, now + 200).consumer("inventory", Orders.Outcome.OK)
          .consumer("loyalty-" + prefix, Orders.Outcome.OK).inputs(), prefix + "-spans", prefix + "-");
      commit("loyalty-" + prefix, prefix + "-" + Orders.ORDER_CREATED, 2);
      Alert trigger = alerts(prefix, 1).get(0);
      assertThat(trigger.getKind()).isEqualTo(AlertKind.STALLED_BRANCH);
      assertThat(trigger.getAction()).isEqualTo(AlertAction.TRIGGER);
      assertThat(trigger.getConsumer()).isEqualTo("loyalty-" + prefix);
      assertThat(trigger.getSequence()).isEqualTo(1);
      Alert diagnosed = null;
      for (int sends = 1; diagnosed == null && sends <= 6; sends++) {
        diagnosed = alerts(prefix, sends).stream()
            .filter(a -> "ready".equals(a.getCustomDetails().get("offset_check"))).findFirst().orElse(null);
      }
      assertThat(diagnosed).as("a send carrying the offsets within five re-sends").isNotNull();
      assertThat(diagnosed.getSummary()).contains("committed offset on " + prefix + "-" + Orders.ORDER_CREATED
          + "-0 is 2").contains("dropped silently or not instrumented");
      assertThat(diagnosed.getCustomDetails().get("offset_diagnosis")).contains("past the affected events (up to offset 0)");
    }
    // A restart (new state directory: the stores come back from their changelogs): the alert goes on
    // with its next re-send, not a second first TRIGGER.
    try (TracestitchApp restarted = new TracestitchApp(config, List.of())) {
      restarted.start();
      List<Alert> all = alerts(prefix, 3);
      assertThat(all).extracting(Alert::getDedupKey).containsOnly(all.get(0).getDedupKey());
      assertThat(all.stream().filter(a -> a.getSequence() == 1).count()).isEqualTo(1);
      assertThat(all.get(all.size() - 1).getSequence()).isGreaterThanOrEqualTo(3);
    }
  }

  @Test
  void consumerWhoseSpansStopWhileItsGroupCommitsPastRaisesATelemetryWarningAndNoStallPage() throws Exception {
    String prefix = "telemetry-" + Long.toHexString(System.nanoTime());
    String topic = prefix + "-" + Orders.ORDER_CREATED;
    try (TracestitchApp app = new TracestitchApp(config(prefix), List.of())) {
      app.start();
      long now = System.currentTimeMillis();
      for (int n = 1; n <= 6; n++) {
        // Loyalty's instrumentation is switched off after order 3; it goes on reading and committing.
        Orders order = Orders.order(n, now + n * 200L).consumer("inventory", Orders.Outcome.OK);
        if (n <= 3) {
          order = order.consumer("loyalty-" + prefix, Orders.Outcome.OK);
        }
        KafkaInputs.produce(order.inputs(), prefix + "-spans", prefix + "-");
      }
      commit("loyalty-" + prefix, topic, 6);
      List<Alert> sent = KafkaBrokerFixture.consumeUntil(prefix + "-alerts", 1, Duration.ofSeconds(60), false).stream()
          .map(r -> AvroSingleObjectSerde.of(Alert.class).deserializer().deserialize(prefix + "-alerts", r.value()))
          .toList();
      Alert warning = sent.get(0);
      assertThat(warning.getKind()).as("the first alert, all sent: %s", sent).isEqualTo(AlertKind.TELEMETRY_MISSING);
      assertThat(warning.getSeverity()).isEqualTo(io.tracestitch.avro.Severity.warning);
      assertThat(warning.getConsumer()).isEqualTo("loyalty-" + prefix);
      assertThat(warning.getCustomDetails().get("offset_diagnosis")).as("read from the real group")
          .contains("committed offset on " + topic + "-0 is 6, past the affected events");
      // Let it be re-sent once: still no stall page for loyalty.
      List<Alert> later = alerts(prefix, 2);
      assertThat(later).extracting(Alert::getKind).doesNotContain(AlertKind.STALLED_BRANCH);
    }
  }

  /** One order.created topic with a declared contract (inventory and this run's loyalty group, 3 s each). */
  private static TracestitchConfig config(String prefix) throws java.io.IOException {
    String eventTopic = prefix + "-" + Orders.ORDER_CREATED;
    Path contracts = Files.createTempFile("contracts", ".yaml");
    Files.writeString(contracts, "contracts:\n  - event: order.created\n    consumers:\n"
        + "      - {name: inventory, deadline: 3s}\n      - {name: loyalty-" + prefix + ", deadline: 3s}\n");
    Map<String, String> settings = new HashMap<>(Map.of(
        TracestitchConfig.BOOTSTRAP_SERVERS, KafkaBrokerFixture.shared().bootstrapServers(),
        TracestitchConfig.APPLICATION_ID, prefix,
        TracestitchConfig.SPANS_TOPIC, prefix + "-spans",
        TracestitchConfig.EVENTS_TOPICS, eventTopic,
        TracestitchConfig.GRAPHS_TOPIC, prefix + "-graphs",
        TracestitchConfig.ALERTS_TOPIC, prefix + "-alerts",
        TracestitchConfig.DLQ_TOPIC, prefix + "-dlq",
        TracestitchConfig.INACTIVITY_GAP_MS, "2000",
        TracestitchConfig.TRACE_HOLD_MS, "1000",
        TracestitchConfig.CONTRACTS_FILE, contracts.toString()));
    settings.put(TracestitchConfig.ALERT_RESEND_MS, "4000");
    settings.put(TracestitchConfig.ALERT_OFFSETS_REFRESH_MS, "1000");
    // Long enough for a later branch of the consumer to be published (the inactivity gap and then some), short
    // enough for a test.
    settings.put(TracestitchConfig.ALERT_TELEMETRY_HOLD_MS, "8000");
    settings.put("commit.interval.ms", "200");
    settings.put(TracestitchConfig.HTTP_PORT, "0");
    KafkaBrokerFixture.shared().createTopics(Map.of(prefix + "-spans", 1, eventTopic, 1));
    return TracestitchConfig.load(Map.of(), Map.of(), settings);
  }

  private static List<Alert> alerts(String prefix, int atLeast) {
    List<ConsumerRecord<byte[], byte[]>> records =
        KafkaBrokerFixture.consumeUntil(prefix + "-alerts", atLeast, Duration.ofSeconds(60), false);
    Deserializer<Alert> alerts = AvroSingleObjectSerde.of(Alert.class).deserializer();
    return records.stream().map(r -> alerts.deserialize(prefix + "-alerts", r.value())).toList();
  }

  private static GroupPositions awaitPositions(AdminConsumerOffsets offsets, String group, String topic,
      java.util.function.Predicate<GroupPositions> ready) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    GroupPositions view = offsets.positions(group, topic);
    while (!ready.test(view) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      view = offsets.positions(group, topic);
    }
    assertThat(ready.test(view)).as("offsets of %s on %s within 30 s, last seen %s", group, topic, view).isTrue();
    return view;
  }

  /** A real consumer group that has read up to {@code offset} (exclusive) and committed it. */
  private static void commit(String group, String topic, long offset) {
    commit(group, Map.of(new TopicPartition(topic, 0), offset));
  }

  private static void commit(String group, Map<TopicPartition, Long> offsets) {
    Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
        KafkaBrokerFixture.shared().bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, group,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<byte[], byte[]> consumer =
             new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(offsets.keySet());
      Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
      offsets.forEach((tp, o) -> commits.put(tp, new OffsetAndMetadata(o)));
      consumer.commitSync(commits);
    }
  }
}
