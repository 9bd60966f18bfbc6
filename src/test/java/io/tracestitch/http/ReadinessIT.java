package io.tracestitch.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tracestitch.app.TracestitchApp;
import io.tracestitch.testing.Orders;
import io.tracestitch.topology.StitchCounters;
import io.tracestitch.topology.StitchSerdes;
import io.tracestitch.topology.StitchSettings;
import io.tracestitch.topology.StitchTopology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.junit.jupiter.api.Test;

/**
 * Readiness across a real restoration: a first instance stores workflows (their changelogs fill up)
 * and stops; a second one starts with an empty state directory and has to restore everything. Its
 * restorations are held open by a listener the test releases, so "not ready while restoring" is
 * observed for certain rather than by luck of timing.
 */
class ReadinessIT {
  private static final Duration WAIT = Duration.ofSeconds(40);
  /** Read off the topology itself, so a store added later is one of them without anyone editing this test. */
  private static final Set<String> TOPOLOGY_STORES = topologyStores();

  @Test
  void shouldBeNotReadyWhileRestoringAndReadyWithTheRestoredStateAfterwards() throws Exception {
    TwoInstances.Application application = TwoInstances.application("readiness");
    long start = System.currentTimeMillis() - 5_000;
    List<Orders> orders = new ArrayList<>();
    for (int n = 1; n <= 4; n++) {
      orders.add(Orders.order(n, start + n * 10L).consumer("loyalty", Orders.Outcome.OK));
    }
    try (TracestitchApp first = application.instance().start()) {
      HttpProbe http = new HttpProbe(first.httpPort());
      TwoInstances.produce(application, orders);
      HttpProbe.Answer stored = http.await("/api/workflows/open?limit=10",
          r -> r.status() == 200 && r.json().path("workflows").size() == orders.size(), WAIT);
      assertThat(stored.json().path("workflows").size()).as(stored.body()).isEqualTo(orders.size());
    }

    HeldRestorations held = new HeldRestorations();
    try (TracestitchApp second = application.instance().observeRestorations(held).start()) {
      HttpProbe http = new HttpProbe(second.httpPort());
      try {
        assertThat(held.started.await(WAIT.toSeconds(), TimeUnit.SECONDS))
            .as("the second instance starts restoring").isTrue();

        HttpProbe.Answer restoring = http.get("/readyz");
        assertThat(restoring.status()).as(restoring.body()).isEqualTo(503);
        assertThat(restoring.json().path("status").asText()).isEqualTo("not ready");
        assertThat(restoring.json().path("reason").asText()).isNotBlank();
        // The held restoration is whichever store the restoring thread reached first.
        assertThat(stores(restoring.json().path("restoring"))).as(restoring.body()).isNotEmpty()
            .allSatisfy(store -> assertThat(TOPOLOGY_STORES).contains(store));
        assertThat(http.get("/healthz").status()).as("alive while restoring").isEqualTo(200);
        PrometheusSamples metrics = new PrometheusSamples(http.get("/metrics").body());
        assertThat(metrics.sum("tracestitch_restore_partitions", Map.of())).isGreaterThanOrEqualTo(1);
      } finally {
        held.release.countDown();
      }

      HttpProbe.Answer ready = http.await("/readyz", r -> r.status() == 200, WAIT);
      assertThat(ready.status()).as(ready.body()).isEqualTo(200);
      assertThat(ready.json().path("restoring")).isEmpty();
      assertThat(held.restoredRecords()).as("records replayed from the changelogs").isPositive();
      HttpProbe.Answer restored = http.await("/api/workflows/" + orders.get(0).correlationId(),
          r -> r.status() == 200, WAIT);
      assertThat(restored.status()).as(restored.body()).isEqualTo(200);
      assertThat(restored.json().path("spanCount").asInt()).as("the order's spans came back from the changelog")
          .isEqualTo(3);
    }
  }

  private static Set<String> topologyStores() {
    Set<String> stores = new TreeSet<>();
    TopologyDescription description = StitchTopology.build(StitchSettings.defaults(), StitchSerdes.avro(),
        new StitchCounters(), List.of()).describe();
    for (TopologyDescription.Subtopology sub : description.subtopologies()) {
      for (TopologyDescription.Node node : sub.nodes()) {
        if (node instanceof TopologyDescription.Processor processor) {
          stores.addAll(processor.stores());
        }
      }
    }
    return stores;
  }

  private static Set<String> stores(JsonNode restoring) {
    Set<String> stores = new TreeSet<>();
    restoring.forEach(r -> stores.add(r.path("store").asText()));
    return stores;
  }

  /** Holds every restoration at its start until released, and counts what is restored after that. */
  private static final class HeldRestorations implements StateRestoreListener {
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private final AtomicLong restored = new AtomicLong();

    @Override
    public void onRestoreStart(TopicPartition partition, String store, long startOffset, long endOffset) {
      started.countDown();
      try {
        if (!release.await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("The test never released the restoration of " + store + ".");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
      restored.addAndGet(numRestored);
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {}

    long restoredRecords() {
      return restored.get();
    }
  }
}
