package io.tracestitch.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.config.TracestitchConfig;
import io.tracestitch.kafka.KafkaBrokerFixture;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once v2 across a crash: an instance running in its own JVM is killed with SIGKILL while it
 * is in the middle of a transaction that already holds published graphs, a new instance with an
 * empty state directory (every store comes back from its changelog) takes over, and the graph topic,
 * read as a downstream consumer of an exactly-once application must read it (read_committed), holds
 * every workflow, none twice, each complete.
 *
 * <p>What "none twice" means: a workflow legitimately has several revisions when data reaches it
 * after its graph went out (a crash or hand-over can delay part of its input past the inactivity
 * gap), and revision 2 replacing revision 1 is not a duplicate. A duplicate is the same revision of
 * the same workflow published twice: the crashed instance's uncommitted publication replayed by its
 * successor. So the test asserts that no (workflow id, revision) pair occurs twice, that revisions run
 * 1..n without a gap (none lost), and that each workflow's last revision has exactly the nodes that
 * were sent for it. It also checks that the crash really did leave graphs in an aborted transaction,
 * which read_uncommitted still shows: without that the test would prove nothing about exactly-once.
 */
class ExactlyOnceCrashIT {
  private static final int WORKFLOWS = 300;
  private static final Duration PACE = Duration.ofMillis(60);
  /** The feed waits here until the kill, so workflows are certainly still coming when it lands. */
  private static final int HOLD_BEFORE = 250;
  /** Enough committed graphs that the first instance has provably been publishing for a while. */
  private static final int COMMITTED_BEFORE_KILL = 40;
  /** Graphs published in the transaction still open: the ones a kill turns into aborted records. */
  private static final int OPEN_BEFORE_KILL = 10;
  private static final int PARTITIONS = 4;
  private static final int MAX_KILLS = 3;

  @Test
  void killedMidTransactionAndRestartedFromChangelogsLosesAndDuplicatesNoGraph() throws Exception {
    long began = System.nanoTime();
    String prefix = "eos-crash-" + Long.toHexString(System.nanoTime());
    String bootstrap = KafkaBrokerFixture.shared().bootstrapServers();
    String spans = prefix + "-spans";
    String graphsTopic = prefix + "-graphs";
    String topicPrefix = prefix + "-";
    // The graph topic is created here, without compaction: the application would make it compacted, and a
    // cleaned log could hide a duplicate this test exists to find.
    KafkaBrokerFixture.shared().createTopics(Map.of(spans, PARTITIONS, WorkflowFeed.eventTopic(topicPrefix), PARTITIONS,
        graphsTopic, PARTITIONS));

    Map<String, String> settings = IsolatedApp.settings(prefix, PARTITIONS);
    settings.put("processing.guarantee", "exactly_once_v2");
    // Two-second transactions: each holds dozens of graphs, so there is a moment to kill the instance
    // inside one that holds some (checked before and after the kill).
    settings.put("commit.interval.ms", "2000");
    // The successor has a new state directory, so a new process id and transactional id: it cannot fence
    // the dead instance's transaction, which only the broker aborts once it times out. Every
    // read_committed reader (the successor's restore and main consumers included) waits at that
    // transaction until then; 5 s instead of Streams' 10 s shortens the wait (the broker's abort sweep
    // runs every 10 s on top).
    settings.put("producer.transaction.timeout.ms", "5000");
    // A SIGKILLed member never leaves the group: the successor's first rebalance waits until the dead
    // member's session expires. 6 s is the broker's minimum, instead of the 45 s default.
    settings.put("session.timeout.ms", "6000");
    settings.put("heartbeat.interval.ms", "1500");

    CountDownLatch killed = new CountDownLatch(1);
    try (StitcherProcesses instances = new StitcherProcesses(settings);
        WorkflowFeed feed = new WorkflowFeed(bootstrap, spans, topicPrefix);
        GraphLog committed = new GraphLog(bootstrap, graphsTopic, IsolationLevel.READ_COMMITTED);
        GraphLog everything = new GraphLog(bootstrap, graphsTopic, IsolationLevel.READ_UNCOMMITTED);
        Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      instances.awaitStableGroup(admin, prefix, instances.launch());
      long feedStarted = System.nanoTime();
      feed.start(WORKFLOWS, PACE, HOLD_BEFORE, killed);

      long danglingGraphs = 0;
      long killedAt = 0;
      int committedAtKill = 0;
      String killReport = "";
      try {
        while (danglingGraphs == 0) {
          // A kill that found no graph in the open transaction (its commit won the race) proves nothing
          // about aborted graphs: the next instance is killed the same way.
          assertThat(instances.count()).as("kills that found no graph in an open transaction").isLessThanOrEqualTo(
              MAX_KILLS);
          Process victim = instances.last();
          awaitOpenTransactionWithGraphs(admin, committed, graphsTopic, instances, victim);
          int sentAtKill = feed.sent();
          instances.kill(victim);
          killedAt = System.nanoTime();
          // The dead instance can no longer commit or abort: whatever of the graph topic lies between the
          // last stable offset and the high watermark now is its open transaction, frozen until it times out.
          danglingGraphs = openRecords(admin, graphsTopic);
          instances.launch();
          committedAtKill = committed.drainToEnd(Duration.ofSeconds(10)).size();
          killReport = "kill " + (instances.count() - 1) + " at " + seconds(killedAt - feedStarted)
              + " s into the feed: " + sentAtKill + " of " + WORKFLOWS + " workflows sent, " + committedAtKill
              + " graphs committed, " + danglingGraphs + " graphs left in the dead instance's open transaction";
          System.out.println("[ExactlyOnceCrashIT] " + killReport);
        }
      } finally {
        killed.countDown();
      }

      Process survivor = instances.last();
      long deadline = System.nanoTime() + Duration.ofSeconds(75).toNanos();
      long firstAfterKill = 0;
      while (!(feed.finished() && committed.complete(feed.expected())) && System.nanoTime() < deadline) {
        instances.assertAlive(survivor);
        if (feed.finished()) {
          feed.awaitFinished(Duration.ZERO);
        }
        committed.poll(Duration.ofMillis(200));
        if (firstAfterKill == 0 && committed.size() > committedAtKill) {
          firstAfterKill = System.nanoTime();
        }
      }
      feed.awaitFinished(Duration.ofSeconds(1));
      Map<String, Set<String>> expected = feed.expected();
      assertThat(expected).hasSize(WORKFLOWS);
      if (!committed.complete(expected)) {
        System.out.println("[ExactlyOnceCrashIT] incomplete; the surviving instance's log ends:\n"
            + instances.tail(survivor));
      }
      // A clean stop commits the last transaction; then both views are read to their very end.
      instances.stop(survivor);
      committed.drainToEnd(Duration.ofSeconds(30));
      everything.drainToEnd(Duration.ofSeconds(30));

      List<GraphLog.Published> aborted = everything.notIn(committed);
      System.out.printf("[ExactlyOnceCrashIT] %s; first graph committed after the kill: %s s later; %d graphs "
              + "committed (%d workflows, %d with more than one revision, %d trace-only graphs withdrawn by a merge); "
              + "read_uncommitted shows %d aborted graphs and %d repeated (workflow, revision) pairs; wall time %s s%n",
          killReport, firstAfterKill == 0 ? "none" : seconds(firstAfterKill - killedAt), committed.size(),
          expected.size(), committed.latest().values().stream().filter(p -> p.revision() > 1).count(),
          committed.withdrawn(), aborted.size(), everything.repeatedPairs().size(), seconds(System.nanoTime() - began));

      new FaultFigures("kill -9 of an instance", "exactly_once_v2", "SIGKILL of the instance in the middle of a "
          + "transaction holding graphs; a successor with an empty state directory", feed.recordsSent(), committed.size(),
          expected.size(), committed.wrongFinalGraphs(expected).size(), committed.repeatedPairs().size(),
          FeedAlerts.falseAlerts(FeedAlerts.read(bootstrap, prefix + "-alerts"), feed.outcomes()).size(),
          firstAfterKill == 0 ? -1 : (firstAfterKill - killedAt) / 1e9, (System.nanoTime() - began) / 1e9,
          killReport + "; recovery = kill to the first graph committed after it (includes the session timeout and "
              + "the dead transaction's timeout)").write();
      committed.assertOnceEachAndComplete(expected);
      assertThat(KafkaBrokerFixture.consumeUntil(graphsTopic, committed.size(), Duration.ofSeconds(30), true))
          .as("graphs an independent read_committed reader sees").hasSize(committed.size());
      assertThat(aborted).as("graphs the crash left in an aborted transaction").hasSizeGreaterThanOrEqualTo(
          (int) danglingGraphs);
    }
  }

  /**
   * Waits until the instance has committed enough graphs and has more in a transaction it has not
   * committed yet: the moment to pull the plug.
   */
  private static void awaitOpenTransactionWithGraphs(Admin admin, GraphLog committed, String topic,
      StitcherProcesses instances, Process process) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      instances.assertAlive(process);
      committed.poll(Duration.ofMillis(100));
      if (committed.size() >= COMMITTED_BEFORE_KILL && openRecords(admin, topic) >= OPEN_BEFORE_KILL) {
        return;
      }
    }
    throw new AssertionError("No moment with " + COMMITTED_BEFORE_KILL + " committed graphs and an open transaction "
        + "holding " + OPEN_BEFORE_KILL + " more came within 60 s (committed so far: " + committed.size() + ").\n"
        + instances.tail(process));
  }

  /** Records of the topic beyond its last stable offset: published in a transaction still open. */
  private static long openRecords(Admin admin, String topic) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    var highWatermarks = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all()
        .get(10, TimeUnit.SECONDS);
    var stable = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
        .get(10, TimeUnit.SECONDS);
    long open = 0;
    for (TopicPartition tp : latest.keySet()) {
      open += highWatermarks.get(tp).offset() - stable.get(tp).offset();
    }
    return open;
  }

  private static String seconds(long nanos) {
    return String.format("%.1f", nanos / 1e9);
  }
}
