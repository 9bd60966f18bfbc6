package io.tracestitch.topology;

import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_INTERNAL;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER;
import static io.tracestitch.testing.Otlp.spanId;
import static io.tracestitch.testing.Otlp.traceId;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.replay.ReplayDriver;
import io.tracestitch.testing.Checkout;
import io.tracestitch.testing.Events;
import io.tracestitch.testing.Otlp;
import io.tracestitch.topology.StitchCounters.Outcome;
import io.tracestitch.topology.workflow.WorkflowStitcher;
import io.tracestitch.topology.workflow.WorkflowView;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * Volumes no real workflow has, sent on purpose or by a broken producer: a trace of a million spans, one
 * attribute of 10 MB, 100,000 distinct event names, a flood of correlation ids that never complete. The caps
 * hold, what they cut is counted and the graph says it is truncated, the stores empty again once the workflows
 * expire, and the heap stays small. Each test prints its figures (docs/reliability.md quotes them).
 *
 * <p>Caps named here: {@code workflow.max.spans} (20,000 spans and events per workflow: more are counted in
 * {@code droppedSpans}, the graph is {@code truncated}), {@code spans.max.attribute.chars} (1,024: longer texts
 * are cut and the span counted in {@code spans.attributes_truncated}), {@code spans.max.attributes} (32 per
 * span), 1,024 characters per event identity ({@code TOO_LARGE} dead letter beyond), 256 trace ids per workflow.
 */
class HostileVolumeTest {
  static final long T = Checkout.T0;
  static final StitchSettings SETTINGS = CheckoutWorkflowTest.SETTINGS
      .withTimes(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofMinutes(5), Duration.ofSeconds(5));

  @Test
  void aTraceOfAMillionSpansIsCutAtTheCapCountedAndMarkedTruncated() {
    int spans = 1_000_000;
    int perBatch = 10_000;
    String trace = traceId(77);
    long heapBefore = usedHeapAfterGc();
    long peakHeap = 0;
    try (ReplayDriver driver = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(T))) {
      for (int from = 1; from <= spans; from += perBatch) {
        Otlp batch = Otlp.batch();
        for (int i = from; i < from + perBatch; i++) {
          batch.span("bulk", trace, spanId(i), i == 1 ? null : spanId(1), "row " + i, i == 1 ? SPAN_KIND_SERVER
              : SPAN_KIND_INTERNAL, T + 1, T + 2).attr("correlation_id", "import-1").done();
        }
        driver.pipeSpans(null, batch.toProto(), T + 10 + from / perBatch);
        peakHeap = Math.max(peakHeap, usedHeap());
      }
      driver.finish();

      List<WorkflowGraph> graphs = driver.graphs();
      StitchCounters c = driver.counters();
      System.out.printf("[HostileVolumeTest] 1M spans in one trace: %d graph(s), %d nodes, %d dropped, truncated %s; "
              + "heap %d MB before, peak %d MB while feeding%n", graphs.size(), graphs.get(0).getNodes().size(),
          graphs.get(0).getDroppedSpans(), graphs.get(0).getTruncated(), heapBefore >> 20, peakHeap >> 20);
      assertThat(c.get("spans.used")).isEqualTo(spans);
      assertThat(graphs).hasSize(1);
      WorkflowGraph g = graphs.get(0);
      assertThat(g.getTruncated()).isTrue();
      assertThat(g.getNodes()).hasSize(SETTINGS.maxSpansPerWorkflow());
      assertThat(g.getDroppedSpans()).isEqualTo(spans - SETTINGS.maxSpansPerWorkflow());
      assertThat(storeSize(driver, WorkflowView.ITEM_STORE)).as("nothing left once it expired").isZero();
    }
  }

  @Test
  void anAttributeOfTenMegabytesIsCutToTheConfiguredLength() {
    String huge = "x".repeat(10 * 1024 * 1024);
    byte[] batch = Otlp.batch().span("order", traceId(78), spanId(1), null, "POST /orders", SPAN_KIND_SERVER, T, T + 5)
        .attr("correlation_id", "order-huge").attr("db.statement", huge).done().toProto();
    try (ReplayDriver driver = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(T))) {
      driver.pipeSpans(null, batch, T + 10);
      driver.advanceBy(Duration.ofMillis(500));
      KeyValueStore<String, io.tracestitch.avro.internal.WorkflowItem> items =
          driver.driver().getKeyValueStore(WorkflowView.ITEM_STORE);
      String kept;
      try (var it = items.all()) {
        kept = it.next().value.getSpans().get(0).getAttributes().get("db.statement");
      }
      driver.finish();
      assertThat(driver.graphs()).hasSize(1);
      System.out.printf("[HostileVolumeTest] a %d-byte record with a 10 MB attribute: kept %d characters of it%n",
          batch.length, kept.length());
      assertThat(kept).hasSize(SETTINGS.spanAttributes().maxAttributeValueChars());
      assertThat(driver.counters().get("spans.attributes_truncated")).isEqualTo(1);
    }
  }

  @Test
  void aHundredThousandDistinctCallNamesAreStitchedAndTheExpectationTableStopsAtItsCap() {
    // An unparameterised route ("GET /users/12345") or an id in an event name: one new name per request.
    int names = 100_000;
    int perWorkflow = 1_000;
    int perBatch = 10_000;
    try (ReplayDriver driver = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(T))) {
      for (int from = 0; from < names; from += perBatch) {
        Otlp batch = Otlp.batch();
        for (int n = from; n < from + perBatch; n++) {
          int w = n / perWorkflow;
          batch.span("client", traceId(10_000 + w), spanId(n + 1), null, "GET /users/" + n,
              io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CLIENT, T + w, T + w + 1)
              .attr("correlation_id", "names-" + w).done();
        }
        driver.pipeSpans(null, batch.toProto(), T + 10 + from / perBatch);
      }
      driver.finish();
      long expectations = storeSize(driver, WorkflowStitcher.EXPECTATION_STORE);
      System.out.printf("[HostileVolumeTest] %d distinct call names in %d workflows: %d graphs, %d entries in the "
              + "expectation table (cap %d), %d alerts, heap %d MB after%n", names,
          names / perWorkflow, driver.graphs().size(), expectations, SETTINGS.expectations().maxKeys(),
          driver.alerts().size(),
          usedHeapAfterGc() >> 20);
      assertThat(driver.graphs()).hasSize(names / perWorkflow);
      assertThat(driver.graphs()).allMatch(g -> g.getNodes().size() == perWorkflow);
      // One entry per name up to expectations.max.keys; every name past it is counted, not learned, so a
      // runaway route costs bounded memory and says so on /metrics.
      int cap = SETTINGS.expectations().maxKeys();
      assertThat(cap).isLessThan(names);
      assertThat(expectations).isEqualTo(cap);
      assertThat(driver.counters().get("expectations.keys_over_cap")).isGreaterThanOrEqualTo(names - cap);
      assertThat(driver.alerts()).as("names seen once each page nobody").isEmpty();
    }
  }

  @Test
  void aFloodOfCorrelationIdsThatNeverCompleteLeavesTheStoresOnceTheyExpire() {
    int flood = 20_000;
    try (ReplayDriver driver = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(T))) {
      long peakSummaries = 0;
      for (int n = 0; n < flood; n++) {
        driver.pipeEvent(Checkout.ORDER_CREATED, null, Events.headers("correlation_id", "flood-" + n,
            "event_id", "f-" + n), "{}".getBytes(StandardCharsets.UTF_8), T + 10 + n * 5L);
        if (n % 1_000 == 0) {
          peakSummaries = Math.max(peakSummaries, storeSize(driver, WorkflowView.SUMMARY_STORE));
        }
      }
      driver.finish();
      StitchCounters c = driver.counters();
      System.out.printf("[HostileVolumeTest] %d correlation ids that never complete: %d opened, %d published, %d "
              + "expired, at most %d summaries held at once (retention %d s), %d left, heap %d MB after%n", flood,
          c.get("workflows.opened"), c.get("workflows.published"), c.get("workflows.expired"), peakSummaries,
          SETTINGS.retention().toSeconds(), storeSize(driver, WorkflowView.SUMMARY_STORE), usedHeapAfterGc() >> 20);
      assertThat(c.get("workflows.opened")).isEqualTo(flood);
      assertThat(c.get("workflows.published")).isEqualTo(flood);
      assertThat(c.get("workflows.expired")).isEqualTo(flood);
      assertThat(storeSize(driver, WorkflowView.SUMMARY_STORE)).isZero();
      assertThat(storeSize(driver, WorkflowView.ITEM_STORE)).isZero();
      assertThat(storeSize(driver, WorkflowView.EVENT_INDEX_STORE)).isZero();
      // 200 new workflows a second, each kept for the gap (2 s) and the retention (5 s) after it: about 1,400.
      assertThat(peakSummaries).as("open workflows are bounded by what arrives within gap + retention")
          .isLessThan(3_000);
    }
  }

  private static long storeSize(ReplayDriver driver, String store) {
    KeyValueStore<String, ?> kv = driver.driver().getKeyValueStore(store);
    long n = 0;
    try (var it = kv.all()) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }

  private static long usedHeap() {
    long used = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        used += pool.getUsage().getUsed();
      }
    }
    return used;
  }

  private static long usedHeapAfterGc() {
    System.gc();
    return usedHeap();
  }
}
