package io.tracestitch.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.config.TracestitchConfig;
import io.tracestitch.kafka.KafkaBrokerFixture;
import io.tracestitch.topology.StitchSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * A rebalance storm: while workflows flow, instances join and leave again and again ({@value #CHANGES}
 * membership changes, one every {@value #CHANGE_EVERY_MS} ms), each newcomer with an empty state directory (it
 * restores what it is given from the changelogs), exactly-once on. Every workflow must end with one complete
 * graph (no (workflow, revision) pair twice, read_committed) and no alert may page for a problem the traffic does
 * not have: a task moved in the middle of a workflow must not make its branches look stalled or its graph lose
 * nodes.
 */
class RebalanceStormIT {
  private static final int WORKFLOWS = 400;
  private static final Duration PACE = Duration.ofMillis(80);
  private static final int PARTITIONS = 4;
  private static final int CHANGES = 6;
  private static final long CHANGE_EVERY_MS = 2_500;

  @Test
  void instancesJoiningAndLeavingUnderTrafficLeaveEveryWorkflowCompleteOnceAndPageNobodyFalsely() throws Exception {
    long began = System.nanoTime();
    String prefix = "storm-" + Long.toHexString(System.nanoTime());
    String bootstrap = KafkaBrokerFixture.shared().bootstrapServers();
    Map<String, String> settings = IsolatedApp.settings(prefix, PARTITIONS);
    settings.put("processing.guarantee", "exactly_once_v2");
    settings.put("commit.interval.ms", "200");
    settings.put("session.timeout.ms", "6000");
    settings.put("heartbeat.interval.ms", "1500");
    TracestitchConfig config = TracestitchConfig.load(Map.of(), Map.of(), settings);
    StitchSettings s = config.stitchSettings();
    KafkaBrokerFixture.shared().createTopics(Map.of(s.spansTopic(), PARTITIONS, WorkflowFeed.eventTopic(prefix + "-"),
        PARTITIONS, s.graphsTopic(), PARTITIONS));

    List<TracestitchApp> running = new ArrayList<>();
    List<String> changes = new ArrayList<>();
    try (WorkflowFeed feed = new WorkflowFeed(bootstrap, s.spansTopic(), prefix + "-");
        GraphLog graphs = new GraphLog(bootstrap, s.graphsTopic(), IsolationLevel.READ_COMMITTED)) {
      running.add(new TracestitchApp(config, List.of()).start());
      feed.start(WORKFLOWS, PACE, 0, new CountDownLatch(0));
      PoisonRecordsIT.awaitUntil(Duration.ofSeconds(60), "the first graphs",
          () -> graphs.poll(Duration.ofMillis(100)).size() >= 5);
      long stormStarted = System.nanoTime();
      for (int change = 1; change <= CHANGES; change++) {
        long next = System.nanoTime() + CHANGE_EVERY_MS * 1_000_000;
        // Joins and leaves alternate (1 -> 2 -> 1 -> 2 ...): every change moves about half the tasks.
        boolean join = change % 2 == 1 || running.size() == 1;
        if (join) {
          running.add(new TracestitchApp(config, List.of()).start());
        } else {
          // The oldest leaves: it holds the most tasks and state.
          running.remove(0).close();
        }
        changes.add((join ? "+" : "-") + " -> " + running.size() + " at " + seconds(System.nanoTime() - stormStarted)
            + " s, " + feed.sent() + " sent");
        while (System.nanoTime() < next) {
          graphs.poll(Duration.ofMillis(100));
        }
      }
      long stormEnded = System.nanoTime();
      feed.awaitFinished(Duration.ofSeconds(120));
      Map<String, Set<String>> expected = feed.expected();
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (!graphs.complete(expected) && System.nanoTime() < deadline) {
        graphs.poll(Duration.ofMillis(200));
      }
      long completeAt = System.nanoTime();
      List<KafkaStreams.State> states = running.stream().map(a -> a.streams().state()).toList();
      long replaced = running.stream().mapToLong(a -> a.streamThreads().replacements()).sum();
      while (!running.isEmpty()) {
        running.remove(0).close();
      }
      graphs.drainToEnd(Duration.ofSeconds(30));
      List<String> falseAlerts = FeedAlerts.falseAlerts(FeedAlerts.read(bootstrap, s.alertsTopic()), feed.outcomes());
      FaultFigures figures = new FaultFigures("rebalance storm", "exactly_once_v2", CHANGES + " membership changes "
          + "(instances joining with empty state, the oldest leaving), one every " + CHANGE_EVERY_MS / 1000.0 + " s, "
          + "under traffic", feed.recordsSent(), graphs.size(), expected.size(), graphs.wrongFinalGraphs(expected).size(),
          graphs.repeatedPairs().size(), falseAlerts.size(), Math.max(0, (completeAt - stormEnded) / 1e9),
          (System.nanoTime() - began) / 1e9, "changes " + changes + "; " + replaced
              + " stream threads replaced; recovery = last change to every workflow complete").write();

      assertThat(states).as("instances after the storm; %s", figures.summary())
          .allMatch(st -> st == KafkaStreams.State.RUNNING);
      assertThat(falseAlerts).as("false alerts; %s", figures.summary()).isEmpty();
      graphs.assertOnceEachAndComplete(expected);
    } finally {
      for (TracestitchApp app : running) {
        app.close();
      }
    }
  }

  private static String seconds(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e9);
  }
}
