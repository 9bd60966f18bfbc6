package io.tracestitch.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.config.TracestitchConfig;
import io.tracestitch.kafka.KafkaBrokerFixture;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * At-least-once across a crash: duplicates are allowed, losses are not. An instance in its own JVM is
 * killed with SIGKILL while a punctuation is publishing a burst of graphs, a successor with an empty state
 * directory takes over, and every workflow must still end with a graph holding all its nodes.
 *
 * <p>Why this is hard: a publication deletes the workflow's due-index entry, sends the graph and marks the
 * summary published; without exactly-once those writes reach the broker independently, and a crash can
 * keep some and lose others. Before the fix this test lost 23 to 112 of 400 workflows in 7 of 8 runs:
 * stranded summaries with no due entry (never published, never expired), and "published" summaries whose
 * graph record was lost. The stitcher now refiles stranded summaries at task start and, under
 * at-least-once, publishes again what was published within two commit intervals of the latest publication.
 */
class AtLeastOnceCrashIT {
  /** Enough that the first publication bursts hold hundreds of graphs, so a kill lands inside one. */
  private static final int WORKFLOWS = 400;
  private static final int GRAPHS_BEFORE_KILL = 10;
  private static final int PARTITIONS = 4;

  @Test
  void aCrashDuringAPublicationBurstLosesNoWorkflow() throws Exception {
    long began = System.nanoTime();
    String prefix = "alos-crash-" + Long.toHexString(System.nanoTime());
    String bootstrap = KafkaBrokerFixture.shared().bootstrapServers();
    String spans = prefix + "-spans";
    String graphsTopic = prefix + "-graphs";
    String topicPrefix = prefix + "-";
    KafkaBrokerFixture.shared().createTopics(Map.of(spans, PARTITIONS, WorkflowFeed.eventTopic(topicPrefix), PARTITIONS,
        graphsTopic, PARTITIONS));

    Map<String, String> settings = IsolatedApp.settings(prefix, PARTITIONS);
    settings.put("processing.guarantee", "at_least_once");
    settings.put("commit.interval.ms", "2000");
    // See ExactlyOnceCrashIT: the successor waits for the dead member's session to expire.
    settings.put("session.timeout.ms", "6000");
    settings.put("heartbeat.interval.ms", "1500");

    try (StitcherProcesses instances = new StitcherProcesses(settings);
        WorkflowFeed feed = new WorkflowFeed(bootstrap, spans, topicPrefix);
        GraphLog graphs = new GraphLog(bootstrap, graphsTopic, IsolationLevel.READ_COMMITTED);
        Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      Process first = instances.launch();
      // All workflows at once, while the instance is still starting: they go quiet within moments of each
      // other, and the punctuations that publish them write hundreds of graphs and store updates in a burst.
      feed.start(WORKFLOWS, Duration.ofMillis(5), 0, new CountDownLatch(0));
      // Killed once the first graphs of a burst are out: the punctuation has by then deleted the due-index
      // entries of everything it is publishing, and most of its graphs and summary updates are still to come.
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (graphRecords(admin, graphsTopic) < GRAPHS_BEFORE_KILL) {
        instances.assertAlive(first);
        assertThat(System.nanoTime()).as("the first graphs appear within 60 s").isLessThan(deadline);
        Thread.sleep(10);
      }
      instances.kill(first);
      long killedAt = System.nanoTime();
      long writtenAtKill = graphRecords(admin, graphsTopic);
      Process survivor = instances.launch();
      feed.awaitFinished(Duration.ofSeconds(30));
      Map<String, Set<String>> expected = feed.expected();
      assertThat(expected).hasSize(WORKFLOWS);

      deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
      while (!graphs.complete(expected) && System.nanoTime() < deadline) {
        instances.assertAlive(survivor);
        graphs.poll(Duration.ofMillis(200));
      }
      long settled = System.nanoTime();
      instances.stop(survivor);
      graphs.drainToEnd(Duration.ofSeconds(30));
      System.out.printf("[AtLeastOnceCrashIT] killed when %d graphs had been written, %.1f s after the feed began; "
              + "%d graphs in all, %d repeated (workflow, revision) pairs, %d graphs counting spans twice; "
              + "complete: %s (%.1f s after the kill); wall time %.1f s%n", writtenAtKill, (killedAt - began) / 1e9,
          graphs.size(), graphs.repeatedPairs().size(),
          graphs.all().stream().filter(p -> p.duplicateSpans() > 0).count(),
          graphs.complete(expected), (settled - killedAt) / 1e9, (System.nanoTime() - began) / 1e9);

      new FaultFigures("kill -9 of an instance", "at_least_once", "SIGKILL of the instance during a burst of "
          + "publications; a successor with an empty state directory", feed.recordsSent(), graphs.size(), expected.size(),
          graphs.wrongFinalGraphs(expected).size(), graphs.repeatedPairs().size(),
          FeedAlerts.falseAlerts(FeedAlerts.read(bootstrap, prefix + "-alerts"), feed.outcomes()).size(),
          (settled - killedAt) / 1e9, (System.nanoTime() - began) / 1e9, "killed when " + writtenAtKill
              + " graphs had been written; duplicates are allowed at-least-once; recovery = kill to every workflow "
              + "complete").write();
      // At-least-once: repeated pairs and spans counted twice are allowed; a missing or incomplete graph is not.
      assertThat(graphs.wrongFinalGraphs(expected)).as("workflows without a complete final graph").isEmpty();
    }
  }

  private static long graphRecords(Admin admin, String topic) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    return admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).values().stream()
        .mapToLong(info -> info.offset()).sum();
  }
}
