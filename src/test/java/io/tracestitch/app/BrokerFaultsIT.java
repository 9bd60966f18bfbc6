package io.tracestitch.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.config.TracestitchConfig;
import io.tracestitch.kafka.EmbeddedKafkaBroker;
import io.tracestitch.topology.StitchSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * The broker goes away under load and comes back, exactly-once on: every workflow still ends with one complete
 * graph (none lost, no (workflow, revision) pair twice, read_committed), no false alert, and the processor
 * recovers by itself — no restart, no operator — within {@value #RECOVERY_LIMIT_S} s of the broker being
 * reachable again. Two ways to lose it: the broker process stopped and started again on its persistent data
 * directory; and the network between processor and broker cut by a TCP proxy, first dropping every byte, then
 * refusing every connection, while the feed (which reaches the broker directly) keeps producing.
 */
class BrokerFaultsIT {
  private static final int WORKFLOWS = 150;
  private static final Duration PACE = Duration.ofMillis(40);
  private static final int HOLD_BEFORE = 50;
  private static final int PARTITIONS = 2;
  private static final Duration OUTAGE = Duration.ofSeconds(10);
  private static final long RECOVERY_LIMIT_S = 60;

  @Test
  void theBrokerStoppedAndRestartedUnderLoadLosesAndDuplicatesNoGraphAndTheProcessorRecoversByItself()
      throws Exception {
    Path dataDir = Files.createTempDirectory("tracestitch-restarted-broker-");
    EmbeddedKafkaBroker[] broker = {EmbeddedKafkaBroker.start(dataDir)};
    try {
      String bootstrap = broker[0].bootstrapServers();
      run("broker stopped and restarted", broker[0], bootstrap, "the broker stopped for " + OUTAGE.toSeconds()
          + " s under load, then started again on its data directory", () -> {
            broker[0].close();
            pause(OUTAGE);
            broker[0] = EmbeddedKafkaBroker.start(dataDir);
            assertThat(broker[0].bootstrapServers()).as("the restarted broker is where the clients look for it")
                .isEqualTo(bootstrap);
          });
    } finally {
      broker[0].close();
      deleteRecursively(dataDir);
    }
  }

  @Test
  void connectionsCutByAProxyThatDropsThenRefusesLoseAndDuplicateNoGraphAndTheProcessorRecoversByItself()
      throws Exception {
    try (TcpProxy proxy = new TcpProxy(); EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startBehindProxy(null,
        proxy.port())) {
      proxy.forwardTo(broker.proxiedListenerPort());
      Duration half = OUTAGE.dividedBy(2);
      run("connections cut (TCP proxy)", broker, "127.0.0.1:" + proxy.port(), "the processor's connections to the "
          + "broker dropping every byte for " + half.toSeconds() + " s, then refused for " + half.toSeconds() + " s",
          () -> {
            proxy.set(TcpProxy.Mode.DROP);
            pause(half);
            proxy.set(TcpProxy.Mode.REFUSE);
            pause(half);
            proxy.set(TcpProxy.Mode.FORWARD);
            assertThat(proxy.droppedBytes()).as("bytes the processor sent into the cut").isPositive();
            assertThat(proxy.refused()).as("connections the processor lost or was refused").isPositive();
          });
    }
  }

  interface Fault {
    void inject() throws Exception;
  }

  /**
   * Runs the feed against the broker (directly), the processor through {@code processorBootstrap}, injects the
   * fault once the feed is well under way, and judges the graph topic afterwards.
   */
  private static void run(String fault, EmbeddedKafkaBroker broker, String processorBootstrap, String injected,
      Fault inject) throws Exception {
    long began = System.nanoTime();
    String prefix = "fault-" + Long.toHexString(System.nanoTime());
    Map<String, String> settings = IsolatedApp.settings(prefix, PARTITIONS);
    settings.put(TracestitchConfig.BOOTSTRAP_SERVERS, processorBootstrap);
    settings.put("processing.guarantee", "exactly_once_v2");
    settings.put("commit.interval.ms", "200");
    TracestitchConfig config = TracestitchConfig.load(Map.of(), Map.of(), settings);
    StitchSettings s = config.stitchSettings();
    String direct = broker.bootstrapServers();
    // Created here without compaction, so no duplicate can be cleaned away before it is counted.
    broker.createTopics(Map.of(s.spansTopic(), PARTITIONS, WorkflowFeed.eventTopic(prefix + "-"), PARTITIONS,
        s.graphsTopic(), PARTITIONS));

    CountDownLatch faulting = new CountDownLatch(1);
    try (TracestitchApp app = new TracestitchApp(config, List.of());
        WorkflowFeed feed = new WorkflowFeed(direct, s.spansTopic(), prefix + "-");
        GraphLog graphs = new GraphLog(direct, s.graphsTopic(), IsolationLevel.READ_COMMITTED)) {
      app.start();
      feed.start(WORKFLOWS, PACE, HOLD_BEFORE, faulting);
      PoisonRecordsIT.awaitUntil(Duration.ofSeconds(90), "graphs published before the fault",
          () -> graphs.poll(Duration.ofMillis(100)).size() >= 10 && feed.sent() >= HOLD_BEFORE - 1);
      int before = graphs.drainToEnd(Duration.ofSeconds(10)).size();
      // The feed goes on while the fault lasts: records keep arriving (or wait in the feed's producer).
      faulting.countDown();
      long faultStarted = System.nanoTime();
      inject.inject();
      long faultEnded = System.nanoTime();
      long firstAfter = 0;
      feed.awaitFinished(Duration.ofSeconds(180));
      Map<String, Set<String>> expected = feed.expected();
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (!graphs.complete(expected) && System.nanoTime() < deadline) {
        int size = graphs.poll(Duration.ofMillis(200)).size();
        if (firstAfter == 0 && size > before) {
          firstAfter = System.nanoTime();
        }
      }
      long completeAt = System.nanoTime();
      KafkaStreams.State state = app.streams().state();
      long replaced = app.streamThreads().replacements();
      app.close();
      graphs.drainToEnd(Duration.ofSeconds(30));
      List<String> falseAlerts = FeedAlerts.falseAlerts(FeedAlerts.read(direct, s.alertsTopic()), feed.outcomes());
      double recovery = firstAfter == 0 ? -1 : Math.max(0, (firstAfter - faultEnded) / 1e9);
      FaultFigures figures = new FaultFigures(fault, "exactly_once_v2", injected, feed.recordsSent(), graphs.size(),
          expected.size(), graphs.wrongFinalGraphs(expected).size(), graphs.repeatedPairs().size(), falseAlerts.size(),
          recovery, (System.nanoTime() - began) / 1e9, String.format(java.util.Locale.ROOT,
              "fault lasted %.1f s; all %d workflows complete %.1f s after it ended; %d stream threads replaced",
              (faultEnded - faultStarted) / 1e9, expected.size(), (completeAt - faultEnded) / 1e9, replaced)).write();

      assertThat(state).as("Kafka Streams after the fault; %s", figures.summary()).isEqualTo(KafkaStreams.State.RUNNING);
      assertThat(firstAfter).as("a graph published after the fault; %s", figures.summary()).isPositive();
      assertThat(recovery).as("seconds from the fault's end to the first graph after it; %s", figures.summary())
          .isLessThan(RECOVERY_LIMIT_S);
      assertThat(falseAlerts).as("false alerts; %s", figures.summary()).isEmpty();
      graphs.assertOnceEachAndComplete(expected);
    } finally {
      faulting.countDown();
    }
  }

  private static void pause(Duration outage) throws InterruptedException {
    // The outage itself: nothing to wait for, it is what is being injected.
    Thread.sleep(outage.toMillis());
  }

  private static void deleteRecursively(Path dir) throws java.io.IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
