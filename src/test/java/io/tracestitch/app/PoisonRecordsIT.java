package io.tracestitch.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.config.TracestitchConfig;
import io.tracestitch.http.StreamThreadReport;
import io.tracestitch.kafka.KafkaBrokerFixture;
import io.tracestitch.testing.PoisonRecords;
import io.tracestitch.topology.StitchSettings;
import io.tracestitch.topology.deadletter.DeadLetters;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * Poison records on every topic tracestitch reads — the span and event inputs, the by-trace, by-workflow and
 * findings routing topics — in the middle of live traffic, on the real broker, under exactly-once and
 * at-least-once: each goes to the dead-letter topic once, no stream thread fails, and every workflow around them
 * ends with its complete graph. Under exactly-once the dead letter is committed in the same transaction as the
 * offset, so a record that is skipped is not replayed (a replay would show as a second dead letter, or as a
 * thread replaced). The last test is the fault the issue found, with a handler that fails on purpose: the
 * thread fails on the same record three times and is then not replaced again; /healthz says so.
 */
class PoisonRecordsIT {
  private static final int WORKFLOWS = 60;
  private static final int HOLD_BEFORE = 25;
  private static final int PARTITIONS = 2;

  @Test
  void poisonOnEveryTopicUnderExactlyOnceIsDeadLetteredOnceAndNoGraphIsLostOrDuplicated() throws Exception {
    run("exactly_once_v2");
  }

  @Test
  void poisonOnEveryTopicUnderAtLeastOnceIsDeadLetteredAndNoGraphIsLost() throws Exception {
    run("at_least_once");
  }

  private void run(String guarantee) throws Exception {
    long began = System.nanoTime();
    String prefix = "poison-" + guarantee.substring(0, 3) + "-" + Long.toHexString(System.nanoTime());
    String bootstrap = KafkaBrokerFixture.shared().bootstrapServers();
    Map<String, String> settings = IsolatedApp.settings(prefix, PARTITIONS);
    settings.put("processing.guarantee", guarantee);
    settings.put("commit.interval.ms", "200");
    TracestitchConfig config = TracestitchConfig.load(Map.of(), Map.of(), settings);
    StitchSettings s = config.stitchSettings();
    String eventTopic = WorkflowFeed.eventTopic(prefix + "-");
    KafkaBrokerFixture.shared().createTopics(Map.of(s.spansTopic(), PARTITIONS, eventTopic, PARTITIONS,
        s.graphsTopic(), PARTITIONS));

    List<ProducerRecord<byte[], byte[]>> poison = new ArrayList<>();
    poison.addAll(PoisonRecords.input(s.spansTopic()));
    poison.addAll(PoisonRecords.input(eventTopic));
    poison.addAll(PoisonRecords.byTrace(s.byTraceTopic()));
    poison.addAll(PoisonRecords.byWorkflow(s.byWorkflowTopic()));
    poison.addAll(PoisonRecords.findings(s.findingsTopic()));

    CountDownLatch poisoned = new CountDownLatch(1);
    try (TracestitchApp app = new TracestitchApp(config, List.of());
        WorkflowFeed feed = new WorkflowFeed(bootstrap, s.spansTopic(), prefix + "-");
        GraphLog graphs = new GraphLog(bootstrap, s.graphsTopic(), IsolationLevel.READ_COMMITTED)) {
      app.start();
      feed.start(WORKFLOWS, Duration.ofMillis(30), HOLD_BEFORE, poisoned);
      awaitUntil(Duration.ofSeconds(60), "the feed reaches workflow " + HOLD_BEFORE, () -> feed.sent() >= HOLD_BEFORE - 1);
      for (String topic : poison.stream().map(ProducerRecord::topic).distinct().toList()) {
        KafkaBrokerFixture.produce(topic, poison.stream().filter(r -> r.topic().equals(topic)).toList());
      }
      poisoned.countDown();
      feed.awaitFinished(Duration.ofSeconds(60));
      Map<String, Set<String>> expected = feed.expected();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      List<ConsumerRecord<byte[], byte[]>> dlq = List.of();
      while (System.nanoTime() < deadline && !(graphs.complete(expected) && dlq.size() >= poison.size())) {
        graphs.poll(Duration.ofMillis(200));
        dlq = TopicReader.readAll(bootstrap, s.deadLetterTopic(), Duration.ofSeconds(10));
      }
      // A clean stop commits the last transaction; then everything is read to its end.
      StreamThreadReport threads = app.streamThreads();
      KafkaStreams.State state = app.streams().state();
      app.close();
      graphs.drainToEnd(Duration.ofSeconds(30));
      dlq = TopicReader.readAll(bootstrap, s.deadLetterTopic(), Duration.ofSeconds(30));
      List<String> falseAlerts = FeedAlerts.falseAlerts(FeedAlerts.read(bootstrap, s.alertsTopic()),
          feed.outcomes());

      List<String> deadLettered = dlq.stream().map(r -> header(r, DeadLetters.TOPIC) + " " + header(r, DeadLetters.REASON))
          .toList();
      Set<String> poisonTopics = new TreeSet<>(poison.stream().map(ProducerRecord::topic).toList());
      long lost = graphs.wrongFinalGraphs(expected).size();
      FaultFigures figures = new FaultFigures("poison records on every topic read", guarantee,
          poison.size() + " poison records (tombstones, garbage, records a stage throws on) on " + poisonTopics.size()
              + " topics amid " + WORKFLOWS + " workflows", feed.recordsSent() + poison.size(), graphs.size(),
          expected.size(), lost, graphs.repeatedPairs().size(), falseAlerts.size(), -1,
          (System.nanoTime() - began) / 1e9, dlq.size() + " dead letters, " + threads.replacements()
              + " stream threads replaced").write();

      assertThat(threads.replacements()).as("stream threads replaced; %s", figures.summary()).isZero();
      assertThat(state).as("state before the close; %s", figures.summary()).isEqualTo(KafkaStreams.State.RUNNING);
      assertThat(new TreeSet<>(dlq.stream().map(r -> header(r, DeadLetters.TOPIC)).toList()))
          .as("topics whose poison reached the dead-letter topic; %s", figures.summary()).isEqualTo(poisonTopics);
      if (guarantee.startsWith("exactly")) {
        assertThat(deadLettered).as("each poison record dead-lettered exactly once; %s", figures.summary())
            .hasSize(poison.size());
        graphs.assertOnceEachAndComplete(expected);
      } else {
        assertThat(deadLettered).as("each poison record dead-lettered; %s", figures.summary())
            .hasSizeGreaterThanOrEqualTo(poison.size());
        assertThat(graphs.wrongFinalGraphs(expected)).as("workflows without a complete final graph; %s",
            figures.summary()).isEmpty();
      }
      assertThat(falseAlerts).as("false alerts; %s", figures.summary()).isEmpty();
    } finally {
      poisoned.countDown();
    }
  }

  @Test
  void aHandlerThatFailsOnAPoisonRecordMakesTheInstanceGiveUpAfterThreeTriesAndHealthzSaysWhere() throws Exception {
    String prefix = "poison-fail-" + Long.toHexString(System.nanoTime());
    Map<String, String> settings = IsolatedApp.settings(prefix, 1);
    // What a user who wants to stop on any failure configures; before this fix it was what every instance did.
    settings.put("processing.exception.handler",
        org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler.class.getName());
    settings.put("processing.guarantee", "at_least_once");
    // A replaced thread joins as a new member: the group waits for the old one's session to expire first.
    settings.put("session.timeout.ms", "6000");
    settings.put("heartbeat.interval.ms", "1500");
    TracestitchConfig config = TracestitchConfig.load(Map.of(), Map.of(), settings);
    StitchSettings s = config.stitchSettings();
    KafkaBrokerFixture.shared().createTopics(Map.of(s.spansTopic(), 1, WorkflowFeed.eventTopic(prefix + "-"), 1));
    try (TracestitchApp app = new TracestitchApp(config, List.of())) {
      app.start();
      long began = System.nanoTime();
      KafkaBrokerFixture.produce(s.byTraceTopic(), PoisonRecords.byTrace(s.byTraceTopic()).subList(0, 1));
      awaitUntil(Duration.ofSeconds(90), "Kafka Streams gives up (ERROR)",
          () -> app.streams().state() == KafkaStreams.State.ERROR);
      double tookSeconds = (System.nanoTime() - began) / 1e9;
      StreamThreadReport report = app.streamThreads();
      HttpResponse<String> healthz = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + app.httpPort() + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
      System.out.printf("[PoisonRecordsIT] with a failing handler the instance gave up after %d replacements, "
          + "%.1f s after the poison record; /healthz: %d %s%n", report.replacements(), tookSeconds,
          healthz.statusCode(), healthz.body());

      assertThat(report.gaveUp()).isTrue();
      assertThat(report.replacements()).as("threads replaced before giving up").isEqualTo(2);
      assertThat(report.lastFailure()).contains("record " + s.byTraceTopic() + "-0@0");
      assertThat(healthz.statusCode()).isEqualTo(503);
      assertThat(healthz.body()).contains("3 times in a row").contains(s.byTraceTopic() + "-0@0")
          .contains("\"gaveUp\":true");
      assertThat(app.counters().get("failures.stream_thread.gave_up")).isEqualTo(1);
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    var h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  interface Check {
    boolean holds() throws Exception;
  }

  static void awaitUntil(Duration timeout, String what, Check check) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!check.holds()) {
      if (System.nanoTime() >= deadline) {
        throw new AssertionError("Not within " + timeout.toSeconds() + " s: " + what + ".");
      }
      Thread.sleep(50);
    }
  }
}
