package io.tracestitch.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.config.TracestitchConfig;
import io.tracestitch.kafka.KafkaBrokerFixture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.Test;

/**
 * Two instances share the work, then one leaves while workflows are in flight and the other takes
 * over its tasks, state included (it restores the stores from their changelogs).
 *
 * <p>The guarantee is exactly-once v2, as in the production overlay, the only deployment that runs
 * several instances: the graph topic is read with read_committed and the assertions are strict. A
 * (workflow, revision) pair twice is a failure, not tolerated at-least-once noise, so a hand-over
 * that replays a publication would be caught rather than excused.
 */
class TwoInstancesIT {
  private static final int WORKFLOWS = 200;
  private static final Duration PACE = Duration.ofMillis(50);
  private static final int PARTITIONS = 4;
  /** The feed waits here until the first instance is leaving, so workflows keep coming during the hand-over. */
  private static final int HOLD_BEFORE = 120;
  private static final int COMMITTED_BEFORE_LEAVING = 20;

  @Test
  void theRemainingInstanceTakesOverAndEveryWorkflowEndsWithOneCompleteGraph() throws Exception {
    long began = System.nanoTime();
    String prefix = "two-" + Long.toHexString(System.nanoTime());
    String bootstrap = KafkaBrokerFixture.shared().bootstrapServers();
    String spans = prefix + "-spans";
    String graphsTopic = prefix + "-graphs";
    String topicPrefix = prefix + "-";
    // Created here without compaction, so no duplicate can be cleaned away before it is counted.
    KafkaBrokerFixture.shared().createTopics(Map.of(spans, PARTITIONS, WorkflowFeed.eventTopic(topicPrefix), PARTITIONS,
        graphsTopic, PARTITIONS));

    Map<String, String> settings = IsolatedApp.settings(prefix, PARTITIONS);
    settings.put("processing.guarantee", "exactly_once_v2");
    settings.put("commit.interval.ms", "200");
    // The leaving instance leaves the group on close; a short session still bounds the wait should it not.
    settings.put("session.timeout.ms", "6000");
    settings.put("heartbeat.interval.ms", "1500");
    TracestitchConfig config = TracestitchConfig.load(Map.of(), Map.of(), settings);
    String byWorkflow = config.stitchSettings().byWorkflowTopic();

    CountDownLatch leaving = new CountDownLatch(1);
    TracestitchApp leaver = new TracestitchApp(config, List.of());
    TracestitchApp stayer = new TracestitchApp(config, List.of());
    try (WorkflowFeed feed = new WorkflowFeed(bootstrap, spans, topicPrefix);
        GraphLog committed = new GraphLog(bootstrap, graphsTopic, IsolationLevel.READ_COMMITTED)) {
      leaver.start();
      stayer.start();
      awaitUntil(Duration.ofSeconds(60), "both instances run and each has a by-workflow task of its own",
          () -> running(leaver) && running(stayer) && !partitionsOf(leaver, byWorkflow).isEmpty()
              && !partitionsOf(stayer, byWorkflow).isEmpty()
              && partitionsOf(leaver, byWorkflow).size() + partitionsOf(stayer, byWorkflow).size() == PARTITIONS);
      assertThat(activeTasks(leaver)).as("tasks of the first instance").isNotEmpty();
      assertThat(activeTasks(stayer)).as("tasks of the second instance").isNotEmpty();
      Set<String> leaverTasks = activeTasks(leaver);
      Set<String> stayerTasks = activeTasks(stayer);
      assertThat(leaverTasks).as("no task active on both").doesNotContainAnyElementsOf(stayerTasks);
      System.out.printf("[TwoInstancesIT] split: leaving instance %s, staying instance %s%n", leaverTasks, stayerTasks);

      long feedStarted = System.nanoTime();
      feed.start(WORKFLOWS, PACE, HOLD_BEFORE, leaving);
      awaitUntil(Duration.ofSeconds(60), COMMITTED_BEFORE_LEAVING + " graphs committed",
          () -> committed.poll(Duration.ofMillis(100)).size() >= COMMITTED_BEFORE_LEAVING);
      int sentAtLeave = feed.sent();
      int committedAtLeave = committed.drainToEnd(Duration.ofSeconds(10)).size();
      // Workflows sent but not yet published are in flight (held, routed or waiting out the gap),
      // some of them in the leaving instance's stores.
      Set<String> inFlight = new TreeSet<>(feed.expected().keySet());
      inFlight.removeAll(committed.latest().keySet());
      assertThat(inFlight).as("workflows in flight when the instance leaves").isNotEmpty();
      long leaveStarted = System.nanoTime();
      leaving.countDown();
      leaver.close();
      long closeTook = System.nanoTime() - leaveStarted;
      awaitUntil(Duration.ofSeconds(60), "the remaining instance owns every by-workflow partition",
          () -> partitionsOf(stayer, byWorkflow).size() == PARTITIONS);
      long takeover = System.nanoTime() - leaveStarted;
      assertThat(activeTasks(stayer)).as("the remaining instance now runs every task").containsAll(leaverTasks)
          .containsAll(stayerTasks);

      feed.awaitFinished(Duration.ofSeconds(60));
      Map<String, Set<String>> expected = feed.expected();
      assertThat(expected).hasSize(WORKFLOWS);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!committed.complete(expected) && System.nanoTime() < deadline) {
        committed.poll(Duration.ofMillis(200));
      }
      // A clean close commits the last transaction; then the topic is read to its very end.
      stayer.close();
      committed.drainToEnd(Duration.ofSeconds(30));

      System.out.printf("[TwoInstancesIT] the instance left %.1f s into the feed (%d of %d sent, %d graphs committed, "
              + "%d workflows in flight); its close() took %.1f s, the other owned all its tasks %.1f s after close() "
              + "began; %d graphs committed in all, %d workflows with more than one revision, %d trace-only graphs "
              + "withdrawn by a merge; wall time %.1f s%n",
          (leaveStarted - feedStarted) / 1e9, sentAtLeave, WORKFLOWS, committedAtLeave, inFlight.size(),
          closeTook / 1e9, takeover / 1e9, committed.size(),
          committed.latest().values().stream().filter(p -> p.revision() > 1).count(), committed.withdrawn(),
          (System.nanoTime() - began) / 1e9);

      committed.assertOnceEachAndComplete(expected);
      assertThat(KafkaBrokerFixture.consumeUntil(graphsTopic, committed.size(), Duration.ofSeconds(30), true))
          .as("graphs an independent read_committed reader sees").hasSize(committed.size());
    } finally {
      leaving.countDown();
      try {
        leaver.close();
      } finally {
        stayer.close();
      }
    }
  }

  private static boolean running(TracestitchApp app) {
    return app.streams().state() == KafkaStreams.State.RUNNING;
  }

  private static Set<String> activeTasks(TracestitchApp app) {
    return app.streams().metadataForLocalThreads().stream().map(ThreadMetadata::activeTasks).flatMap(Set::stream)
        .map(t -> t.taskId().toString()).collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<Integer> partitionsOf(TracestitchApp app, String topic) {
    return app.streams().metadataForLocalThreads().stream().map(ThreadMetadata::activeTasks).flatMap(Set::stream)
        .map(TaskMetadata::topicPartitions).flatMap(Set::stream).filter(tp -> tp.topic().equals(topic))
        .map(TopicPartition::partition).collect(Collectors.toSet());
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  private static void awaitUntil(Duration timeout, String what, Check check) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!check.holds()) {
      if (System.nanoTime() >= deadline) {
        throw new AssertionError("Not within " + timeout.toSeconds() + " s: " + what + ".");
      }
      Thread.sleep(50);
    }
  }
}
