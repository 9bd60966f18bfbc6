package io.tracestitch.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.Alert;
import io.tracestitch.avro.AlertAction;
import io.tracestitch.config.TracestitchConfig;
import io.tracestitch.delivery.FakePagerDuty.Event;
import io.tracestitch.delivery.FakePagerDuty.OpenedAlert;
import io.tracestitch.kafka.KafkaBrokerFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * deliver-alerts killed with SIGKILL in the middle of a stream and started again: it sends again at most what
 * it had not committed, and PagerDuty and Alertmanager end as the topic says, with no page opened twice.
 */
class DeliveryCrashIT {
  private static final int KEYS = 30;
  private static final int LIFECYCLES = 4;

  @Test
  void aKilledDeliveryResendsOnlyWhatItHadNotCommittedAndTheTargetsEndRight() throws Exception {
    Path log = Files.createTempFile("tracestitch-delivery-", ".log");
    try (AlertmanagerProcess alertmanager = AlertmanagerProcess.start(Duration.ofMinutes(5));
         FakePagerDuty pagerDuty = FakePagerDuty.start(DeliveryHarness.ROUTING_KEY).latency(25);
         DeliveryHarness harness = new DeliveryHarness("crash", 3);
         Admin admin = Admin.create(Map.of("bootstrap.servers", KafkaBrokerFixture.shared().bootstrapServers()))) {
      harness.set(TracestitchConfig.DELIVERY_TARGETS, "alertmanager,pagerduty").pagerDuty(pagerDuty)
          .set(TracestitchConfig.DELIVERY_ALERTMANAGER_URL, alertmanager.url().toString())
          // The killed member's partitions move when its session expires: the broker's minimum, not 45 s.
          .set("session.timeout.ms", "6000").set("heartbeat.interval.ms", "1000");
      // Lifecycles that began and ended in the last two minutes, as a processor would have written them.
      long base = System.currentTimeMillis() - 120_000;
      // Per key: four lifecycles of trigger and resolve; every other key fires again at the end.
      Map<String, List<Alert>> histories = new LinkedHashMap<>();
      for (int k = 0; k < KEYS; k++) {
        List<Alert> history = new ArrayList<>();
        for (int l = 0; l < LIFECYCLES; l++) {
          long lifecycle = base + l * 10_000L;
          history.add(Alerts.trigger("k" + k, lifecycle, 1));
          history.add(Alerts.resolve("k" + k, lifecycle, 2, lifecycle + 5_000));
        }
        if (k % 2 == 0) {
          history.add(Alerts.trigger("k" + k, base + LIFECYCLES * 10_000L, 1));
        }
        histories.put("k" + k, history);
      }

      DeliveryProcess first = DeliveryProcess.start(harness.settings(), log);
      Map<String, Written> offsets = produce(harness.alertsTopic, histories);
      int produced = offsets.size();
      DeliveryHarness.await("a third of the events at PagerDuty", Duration.ofSeconds(60),
          () -> pagerDuty.accepted().size() >= produced / 3);
      first.kill();
      int beforeKill = pagerDuty.accepted().size();
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(
          harness.prefix + "-pagerduty").partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);

      long restarted = System.nanoTime();
      try (DeliveryProcess second = DeliveryProcess.start(harness.settings(), log)) {
        try {
          DeliveryHarness.await("PagerDuty and Alertmanager as the topic ends", Duration.ofSeconds(90),
              () -> histories.keySet().stream().allMatch(k -> pagerDutyEndsRight(pagerDuty, k, histories.get(k)))
                  && alertmanagerEndsRight(alertmanager));
        } catch (AssertionError e) {
          StringBuilder state = new StringBuilder(e.getMessage()).append("; PagerDuty has ");
          histories.keySet().forEach(k -> state.append(k).append('=').append(pagerDuty.alerts(Alerts.dedupKey(k))
              .stream().map(a -> a.resolved() ? "R" : "open").toList()).append(' '));
          state.append("; Alertmanager has ").append(alertmanager.alerts().stream()
              .map(a -> a.path("labels").path("consumer").asText()).toList());
          throw new AssertionError(state.toString(), e);
        }
        long catchUpMs = (System.nanoTime() - restarted) / 1_000_000;

        // Every event PagerDuty took twice must be a record at or after the committed offset of its partition.
        Set<String> triggers = new HashSet<>();
        Map<String, Long> lastResolved = new HashMap<>();
        List<String> duplicates = new ArrayList<>();
        for (Event event : pagerDuty.accepted()) {
          String record;
          if (event.action().equals("trigger")) {
            record = event.dedupKey() + " trigger " + event.detail("lifecycle");
            if (triggers.add(record)) {
              continue;
            }
          } else if (event.effect().equals("resolved")) {
            OpenedAlert resolved = pagerDuty.alerts(event.dedupKey()).stream()
                .filter(a -> a.events().contains(event)).findFirst().orElseThrow();
            lastResolved.put(event.dedupKey(), Long.parseLong(resolved.events().get(0).detail("lifecycle")));
            continue;
          } else {
            record = event.dedupKey() + " resolve " + lastResolved.get(event.dedupKey());
          }
          duplicates.add(record);
          Written written = offsets.get(record);
          assertThat(written).as("the record PagerDuty took twice: %s", record).isNotNull();
          assertThat(written.offset()).as("%s was sent again although its offset was committed", record)
              .isGreaterThanOrEqualTo(committed.get(written.partition()).offset());
        }

        for (String key : histories.keySet()) {
          assertThat(pagerDuty.alerts(Alerts.dedupKey(key))).as("alerts PagerDuty opened for %s", key)
              .hasSize(LIFECYCLES + (Integer.parseInt(key.substring(1)) % 2 == 0 ? 1 : 0));
        }
        long committedRecords = committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
        System.out.printf("DeliveryCrashIT: %d records; killed after %d PagerDuty events with %d records committed; "
                + "%d events sent again after the restart (%s); caught up %d ms after the restart; "
                + "%d events in all, 0 alerts opened twice%n", produced, beforeKill, committedRecords,
            duplicates.size(), duplicates, catchUpMs, pagerDuty.accepted().size());
        assertThat(duplicates.size()).as("events sent twice").isLessThanOrEqualTo(3);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\n--- deliver-alerts log ---\n" + Files.readString(log), e);
      }
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /** Where a record was written. */
  private record Written(TopicPartition partition, long offset) {}

  /** Produces every history, interleaved, and returns where each record went by "key action lifecycle". */
  private static Map<String, Written> produce(String topic, Map<String, List<Alert>> histories) throws Exception {
    Map<String, Written> offsets = new HashMap<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerFixture.shared().bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
      int longest = histories.values().stream().mapToInt(List::size).max().orElse(0);
      List<Map.Entry<Alert, java.util.concurrent.Future<RecordMetadata>>> sent = new ArrayList<>();
      for (int step = 0; step < longest; step++) {
        for (List<Alert> history : histories.values()) {
          if (step < history.size()) {
            Alert alert = history.get(step);
            sent.add(Map.entry(alert, producer.send(Alerts.record(topic, alert))));
          }
        }
      }
      for (var entry : sent) {
        Alert alert = entry.getKey();
        RecordMetadata metadata = entry.getValue().get(30, TimeUnit.SECONDS);
        offsets.put(alert.getDedupKey() + " " + (alert.getAction() == AlertAction.TRIGGER ? "trigger" : "resolve")
            + " " + alert.getFirstSeenMs(), new Written(new TopicPartition(topic, metadata.partition()),
            metadata.offset()));
      }
    }
    return offsets;
  }

  private static boolean pagerDutyEndsRight(FakePagerDuty pagerDuty, String key, List<Alert> history) {
    List<OpenedAlert> opened = pagerDuty.alerts(Alerts.dedupKey(key));
    long lifecycles = history.stream().filter(a -> a.getAction() == AlertAction.TRIGGER).count();
    boolean endsFiring = history.get(history.size() - 1).getAction() == AlertAction.TRIGGER;
    if (opened.size() != lifecycles) {
      return false;
    }
    for (int i = 0; i < opened.size(); i++) {
      boolean shouldBeResolved = i < opened.size() - 1 || !endsFiring;
      if (opened.get(i).resolved() != shouldBeResolved) {
        return false;
      }
    }
    return true;
  }

  private static boolean alertmanagerEndsRight(AlertmanagerProcess alertmanager) {
    try {
      for (int k = 0; k < KEYS; k++) {
        boolean active = !alertmanager.active(Map.of("consumer", "k" + k)).isEmpty();
        if (active != (k % 2 == 0)) {
          return false;
        }
      }
      return true;
    } catch (Exception e) {
      return false;
    }
  }
}
