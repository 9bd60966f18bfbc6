package io.tracestitch.topology;

import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_INTERNAL;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER;
import static io.tracestitch.testing.Otlp.spanId;
import static io.tracestitch.testing.Otlp.traceId;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.app.RocksDbMemoryBudget;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.avro.internal.TraceMessage;
import io.tracestitch.replay.ReplayDriver;
import io.tracestitch.testing.Checkout;
import io.tracestitch.testing.Events;
import io.tracestitch.testing.Otlp;
import io.tracestitch.topology.trace.TraceView;
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
 * Volumes no real workflow has, sent on purpose or by a broken producer: a trace of a million spans, a trace
 * nothing ever claims, one attribute of 10 MB, 100,000 distinct event names, a flood of correlation ids that never
 * complete. The caps hold, what they cut is counted and the graph says it is truncated, the stores empty again once
 * the workflows expire, and the live heap tracestitch keeps stays within {@link #HEAP_BOUND_BYTES}. Each test prints
 * its figures (docs/reliability.md quotes them).
 *
 * <p>The heap is measured as live heap after full collections, with the driver open, minus the same before it was
 * made. The test driver keeps every record sent to every topic until it is read, the routing topics and the
 * stores' changelogs included (274 MB of the 1M-span trace's records when this was not drained), and the replay
 * driver keeps the graphs it read: both are dropped ({@link ReplayDriver#discardOutput()}) before each measurement
 * and while feeding, so what is measured is tracestitch's own state.
 *
 * <p>Caps named here: {@code workflow.max.spans} (20,000 spans and events per workflow: more are counted in
 * {@code droppedSpans}, the graph is {@code truncated}), {@code spans.max.attribute.chars} (1,024: longer texts
 * are cut and the span counted in {@code spans.attributes_truncated}), {@code spans.max.attributes} (32 per
 * span), 1,024 characters per event identity ({@code TOO_LARGE} dead letter beyond), 256 trace ids per workflow;
 * a trace nothing claims is held ({@code trace-held}) for fewer than {@code workflow.max.spans} spans and events:
 * the one that would reach it ends the hold and the trace becomes a workflow of its own, counted in
 * {@code traces.hold_ended_at_cap}.
 */
class HostileVolumeTest {
  static final long T = Checkout.T0;
  static final StitchSettings SETTINGS = CheckoutWorkflowTest.SETTINGS
      .withTimes(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofMinutes(5), Duration.ofSeconds(5));
  /**
   * The most live heap tracestitch may keep for any of these inputs (docs/reliability.md, "Hostile volumes"): its
   * state is in RocksDB, outside the heap; on the heap are the record caches, bounded by Kafka Streams'
   * {@code statestore.cache.max.bytes} (10 MiB by its own accounting, which leaves out the Java objects around
   * each entry), and per-task bookkeeping.
   */
  static final long HEAP_BOUND_BYTES = 32L << 20;

  @Test
  void aTraceOfAMillionSpansIsCutAtTheCapCountedAndMarkedTruncated() {
    int spans = 1_000_000;
    int perBatch = 10_000;
    String trace = traceId(77);
    long heapBefore = liveHeap();
    long peakHeap = 0;
    try (ReplayDriver driver = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(T))) {
      for (int from = 1; from <= spans; from += perBatch) {
        driver.pipeSpans(null, bulk(trace, from, perBatch, "import-1").toProto(), T + 10 + from / perBatch);
        peakHeap = Math.max(peakHeap, usedHeap());
        // Nothing is published while feeding (the feed lasts 110 ms of the 2 s gap): only the capture goes.
        driver.discardOutput();
      }
      long whileOpen = keptHeap(driver, heapBefore);
      driver.finish();

      StitchCounters c = driver.counters();
      assertThat(c.get("spans.used")).isEqualTo(spans);
      WorkflowGraph g = theOneGraphCutAtTheCap(driver, SETTINGS.maxSpansPerWorkflow(), spans);
      assertThat(storeSize(driver, WorkflowView.ITEM_STORE)).as("nothing left once it expired").isZero();
      System.out.printf("[HostileVolumeTest] 1M spans in one trace: 1 graph, %d nodes, %d dropped, truncated %s; "
              + "heap %d MB before, peak %d MB used while feeding%n", g.getNodes().size(),
          g.getDroppedSpans(), g.getTruncated(), heapBefore >> 20, peakHeap >> 20);
      // The test's own copy of the graph is not tracestitch's state.
      g = null;
      long after = keptHeap(driver, heapBefore);
      assertHeapWithinBound("the 1M-span workflow open (20,000 spans stored)", heapBefore, whileOpen);
      assertHeapWithinBound("the 1M-span workflow published and expired", heapBefore, after);
    }
  }

  @Test
  void aTraceNothingClaimsIsHeldOnlyUpToTheSpanCapThenStitchedAsAWorkflowOfItsOwn() {
    // No correlation id, no event, no link: the router holds the trace (trace.hold.ms, 1 s here) in case one comes.
    int spans = 100_000;
    int perBatch = 1_000;
    int cap = SETTINGS.maxSpansPerWorkflow();
    String trace = traceId(79);
    long heapBefore = liveHeap();
    try (ReplayDriver driver = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(T))) {
      long peakHeld = 0;
      for (int from = 1; from <= spans; from += perBatch) {
        driver.pipeSpans(null, bulk(trace, from, perBatch, null).toProto(), T + 10 + from / perBatch);
        peakHeld = Math.max(peakHeld, heldItems(driver));
        driver.discardOutput();
      }
      long whileOpen = keptHeap(driver, heapBefore);
      assertThat(peakHeld).as("spans held for one trace at most (workflow.max.spans %d)", cap).isLessThan(cap);
      assertThat(driver.counters().get("traces.hold_ended_at_cap")).isEqualTo(1);
      driver.finish();

      WorkflowGraph g = theOneGraphCutAtTheCap(driver, cap, spans);
      assertThat(g.getWorkflowId()).isEqualTo(WorkflowIds.forTrace(trace));
      assertThat(storeSize(driver, TraceView.HELD_STORE)).isZero();
      System.out.printf("[HostileVolumeTest] %d spans of a trace nothing claims: at most %d held at once (cap %d), "
              + "then a workflow of its own: 1 graph, %d nodes, %d dropped, truncated %s%n", spans, peakHeld, cap,
          g.getNodes().size(), g.getDroppedSpans(), g.getTruncated());
      // The test's own copy of the graph is not tracestitch's state.
      g = null;
      long after = keptHeap(driver, heapBefore);
      assertHeapWithinBound("the unclaimed trace's workflow open", heapBefore, whileOpen);
      assertHeapWithinBound("the unclaimed trace's workflow published and expired", heapBefore, after);
    }
  }

  @Test
  void spansWaitingForALinkedTraceThatNeverLearnsItsWorkflowAreHeldOnlyUpToTheCap() {
    // Each poll of trace B handles a message published in trace A: those spans go where A goes, and wait in A's
    // hold while A knows no workflow. A itself never shows up.
    int cap = 50;
    StitchSettings settings = SETTINGS.withMaxSpansPerWorkflow(cap);
    String published = traceId(80);
    String polls = traceId(81);
    int batches = 10;
    int perBatch = 10;
    try (ReplayDriver driver = new ReplayDriver(settings, Instant.ofEpochMilli(T))) {
      long peakHeld = 0;
      for (int b = 0; b < batches; b++) {
        Otlp batch = Otlp.batch();
        int consumer = b * perBatch + 1;
        batch.span("worker", polls, spanId(consumer), null, "orders process",
            io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CONSUMER, T + b, T + b + 1)
            .link(published, spanId(1)).done();
        for (int i = consumer + 1; i < consumer + perBatch; i++) {
          batch.span("worker", polls, spanId(i), spanId(consumer), "step " + i, SPAN_KIND_INTERNAL, T + b, T + b + 1)
              .done();
        }
        driver.pipeSpans(null, batch.toProto(), T + 10 + b);
        peakHeld = Math.max(peakHeld, heldItems(driver));
      }
      System.out.printf("[HostileVolumeTest] %d spans waiting for a linked trace that learns no workflow: at most %d "
          + "held at once (cap %d)%n", batches * perBatch, peakHeld, cap);
      assertThat(peakHeld).as("spans held for the linked trace at most (workflow.max.spans %d)", cap).isLessThan(cap);
      assertThat(driver.counters().get("traces.hold_ended_at_cap")).isEqualTo(1);
      driver.finish();

      assertThat(driver.graphs()).hasSize(1);
      WorkflowGraph g = driver.graphs().get(0);
      assertThat(g.getWorkflowId()).isEqualTo(WorkflowIds.forTrace(published));
      assertThat(g.getNodes()).hasSize(cap);
      assertThat(g.getDroppedSpans()).isEqualTo(batches * perBatch - cap);
      assertThat(g.getTruncated()).isTrue();
      assertThat(storeSize(driver, TraceView.HELD_STORE)).isZero();
    }
  }

  @Test
  void anAttributeOfTenMegabytesIsCutToTheConfiguredLength() {
    byte[] batch = requestWithAnAttributeOf(10 * 1024 * 1024);
    // Measured with the request already made: the test holds its 10.5 MB, tracestitch must not hold more of it.
    long heapBefore = liveHeap();
    try (ReplayDriver driver = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(T))) {
      driver.pipeSpans(null, batch, T + 10);
      driver.advanceBy(Duration.ofMillis(500));
      WorkflowView workflows = new WorkflowView(driver.driver().getKeyValueStore(WorkflowView.SUMMARY_STORE),
          driver.driver().getKeyValueStore(WorkflowView.ITEM_STORE),
          driver.driver().getKeyValueStore(WorkflowView.EVENT_INDEX_STORE));
      String kept = workflows.contents("order-huge").spans().get(0).getAttributes().get("db.statement");
      long whileOpen = keptHeap(driver, heapBefore);
      driver.finish();
      assertThat(driver.graphs()).hasSize(1);
      System.out.printf("[HostileVolumeTest] a %d-byte record with a 10 MB attribute: kept %d characters of it%n",
          batch.length, kept.length());
      assertThat(kept).hasSize(SETTINGS.spanAttributes().maxAttributeValueChars());
      assertThat(driver.counters().get("spans.attributes_truncated")).isEqualTo(1);
      long after = keptHeap(driver, heapBefore);
      assertHeapWithinBound("the 10 MB attribute's workflow open", heapBefore, whileOpen);
      assertHeapWithinBound("the 10 MB attribute's workflow published and expired", heapBefore, after);
    }
  }

  /** In a method of its own so that the 10 MB text is garbage once the request is encoded. */
  private static byte[] requestWithAnAttributeOf(int chars) {
    String huge = "x".repeat(chars);
    return Otlp.batch().span("order", traceId(78), spanId(1), null, "POST /orders", SPAN_KIND_SERVER, T, T + 5)
        .attr("correlation_id", "order-huge").attr("db.statement", huge).done().toProto();
  }

  @Test
  void aHundredThousandDistinctCallNamesAreStitchedAndTheExpectationTableStopsAtItsCap() {
    // An unparameterised route ("GET /users/12345") or an id in an event name: one new name per request.
    int names = 100_000;
    int perWorkflow = 1_000;
    int perBatch = 10_000;
    long heapBefore = liveHeap();
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
        // Nothing is published while feeding (10 ms of the 2 s gap): only the capture goes.
        driver.discardOutput();
      }
      long whileOpen = keptHeap(driver, heapBefore);
      driver.finish();
      long expectations = storeSize(driver, WorkflowStitcher.EXPECTATION_STORE);
      assertThat(driver.graphs()).hasSize(names / perWorkflow);
      assertThat(driver.graphs()).allMatch(g -> g.getNodes().size() == perWorkflow);
      // One entry per name up to expectations.max.keys; every name past it is counted, not learned, so a
      // runaway route costs bounded memory and says so on /metrics.
      int cap = SETTINGS.expectations().maxKeys();
      assertThat(cap).isLessThan(names);
      assertThat(expectations).isEqualTo(cap);
      assertThat(driver.counters().get("expectations.keys_over_cap")).isGreaterThanOrEqualTo(names - cap);
      assertThat(driver.alerts()).as("names seen once each page nobody").isEmpty();
      long graphs = driver.graphs().size();
      long alerts = driver.alerts().size();
      long after = keptHeap(driver, heapBefore);
      System.out.printf("[HostileVolumeTest] %d distinct call names in %d workflows: %d graphs, %d entries in the "
              + "expectation table (cap %d), %d alerts%n", names, names / perWorkflow, graphs, expectations,
          SETTINGS.expectations().maxKeys(), alerts);
      assertHeapWithinBound("100 workflows of 1,000 distinct call names open", heapBefore, whileOpen);
      assertHeapWithinBound("100,000 call names published, the expectation table at its cap", heapBefore, after);
    }
  }

  @Test
  void aHundredThousandDistinctEventNamesAreStitchedAndTheExpectationTableStopsAtItsCap() {
    // A producer that puts an id into its event type ("order.created.12345"): one new event name per event.
    int names = 100_000;
    int perWorkflow = 1_000;
    long heapBefore = liveHeap();
    try (ReplayDriver driver = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(T))) {
      for (int w = 0; w < names / perWorkflow; w++) {
        // Each event is published by a span of its own trace, as instrumented producers do: a recorded event,
        // which the expectations learn from.
        String workflow = "event-names-" + w;
        String trace = traceId(20_000 + w);
        Otlp producers = Otlp.batch();
        for (int n = w * perWorkflow; n < (w + 1) * perWorkflow; n++) {
          producers.span("order", trace, spanId(n + 1), null, "order.created." + n + " publish",
              io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_PRODUCER, T + w, T + w + 1)
              .attr("correlation_id", workflow).done();
        }
        driver.pipeSpans(null, producers.toProto(), T + 10 + w / 10);
        for (int n = w * perWorkflow; n < (w + 1) * perWorkflow; n++) {
          driver.pipeEvent(Checkout.ORDER_CREATED, workflow.getBytes(StandardCharsets.UTF_8),
              Events.headers("traceparent", Events.traceparent(trace, spanId(n + 1))),
              Events.flatEnvelope("evt-" + n, workflow, "order.created." + n), T + 10 + w / 10);
        }
        driver.discardOutput();
      }
      long whileOpen = keptHeap(driver, heapBefore);
      driver.finish();
      long expectations = storeSize(driver, WorkflowStitcher.EXPECTATION_STORE);
      assertThat(driver.graphs()).hasSize(names / perWorkflow);
      assertThat(driver.graphs()).allMatch(g -> g.getNodes().size() == 2 * perWorkflow);
      int cap = SETTINGS.expectations().maxKeys();
      assertThat(cap).isLessThan(names);
      assertThat(expectations).isEqualTo(cap);
      assertThat(driver.counters().get("expectations.keys_over_cap")).isGreaterThanOrEqualTo(names - cap);
      assertThat(driver.alerts()).as("names seen once each page nobody").isEmpty();
      long graphs = driver.graphs().size();
      long after = keptHeap(driver, heapBefore);
      System.out.printf("[HostileVolumeTest] %d distinct event names in %d workflows: %d graphs, %d entries in the "
          + "expectation table (cap %d)%n", names, names / perWorkflow, graphs, expectations, cap);
      assertHeapWithinBound("100 workflows of 1,000 distinct event names open", heapBefore, whileOpen);
      assertHeapWithinBound("100,000 event names published, the expectation table at its cap", heapBefore, after);
    }
  }

  @Test
  void aFloodOfCorrelationIdsThatNeverCompleteLeavesTheStoresOnceTheyExpire() {
    int flood = 20_000;
    long heapBefore = liveHeap();
    try (ReplayDriver driver = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(T))) {
      long peakSummaries = 0;
      for (int n = 0; n < flood; n++) {
        driver.pipeEvent(Checkout.ORDER_CREATED, null, Events.headers("correlation_id", "flood-" + n,
            "event_id", "f-" + n), "{}".getBytes(StandardCharsets.UTF_8), T + 10 + n * 5L);
        if (n % 1_000 == 0) {
          peakSummaries = Math.max(peakSummaries, storeSize(driver, WorkflowView.SUMMARY_STORE));
          // The graphs go too: what this test checks of them is counted.
          driver.discardOutput();
        }
      }
      long whileOpen = keptHeap(driver, heapBefore);
      driver.finish();
      StitchCounters c = driver.counters();
      long after = keptHeap(driver, heapBefore);
      System.out.printf("[HostileVolumeTest] %d correlation ids that never complete: %d opened, %d published, %d "
              + "expired, at most %d summaries held at once (retention %d s), %d left%n", flood,
          c.get("workflows.opened"), c.get("workflows.published"), c.get("workflows.expired"), peakSummaries,
          SETTINGS.retention().toSeconds(), storeSize(driver, WorkflowView.SUMMARY_STORE));
      assertThat(c.get("workflows.opened")).isEqualTo(flood);
      assertThat(c.get("workflows.published")).isEqualTo(flood);
      assertThat(c.get("workflows.expired")).isEqualTo(flood);
      assertThat(storeSize(driver, WorkflowView.SUMMARY_STORE)).isZero();
      assertThat(storeSize(driver, WorkflowView.ITEM_STORE)).isZero();
      assertThat(storeSize(driver, WorkflowView.EVENT_INDEX_STORE)).isZero();
      // 200 new workflows a second, each kept for the gap (2 s) and the retention (5 s) after it: about 1,400.
      assertThat(peakSummaries).as("open workflows are bounded by what arrives within gap + retention")
          .isLessThan(3_000);
      assertHeapWithinBound("the flood running (about 1,400 workflows stored)", heapBefore, whileOpen);
      assertHeapWithinBound("the flood over, every workflow expired", heapBefore, after);
    }
  }

  /** Spans and events in the trace-held store, whatever trace they wait for. */
  /**
   * {@code count} spans of one bulk trace from span number {@code from} on (the first is its root), carrying
   * {@code correlation} when it is not null.
   */
  private static Otlp bulk(String trace, int from, int count, String correlation) {
    Otlp batch = Otlp.batch();
    for (int i = from; i < from + count; i++) {
      var span = batch.span("bulk", trace, spanId(i), i == 1 ? null : spanId(1), "row " + i,
          i == 1 ? SPAN_KIND_SERVER : SPAN_KIND_INTERNAL, T + 1, T + 2);
      (correlation == null ? span : span.attr("correlation_id", correlation)).done();
    }
    return batch;
  }

  /** The one graph published, cut at {@code cap} spans, the rest of {@code spans} counted as dropped. */
  private static WorkflowGraph theOneGraphCutAtTheCap(ReplayDriver driver, int cap, int spans) {
    List<WorkflowGraph> graphs = driver.graphs();
    assertThat(graphs).hasSize(1);
    WorkflowGraph g = graphs.get(0);
    assertThat(g.getTruncated()).isTrue();
    assertThat(g.getNodes()).hasSize(cap);
    assertThat(g.getDroppedSpans()).isEqualTo(spans - cap);
    return g;
  }

  private static long heldItems(ReplayDriver driver) {
    KeyValueStore<String, TraceMessage> held = driver.driver().getKeyValueStore(TraceView.HELD_STORE);
    long n = 0;
    try (var it = held.all()) {
      while (it.hasNext()) {
        TraceMessage message = it.next().value;
        n += message.getSpans().size() + (message.getEvent() == null ? 0 : 1);
      }
    }
    return n;
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

  /** Live heap now, with the driver's captured output dropped first. */
  private static long keptHeap(ReplayDriver driver, long before) {
    driver.discardOutput();
    return liveHeap();
  }

  private static void assertHeapWithinBound(String state, long before, long after) {
    long kept = after - before;
    System.out.printf("[HostileVolumeTest]   live heap with %s: %.1f MB before, %.1f MB with it, %+.1f MB kept "
        + "(bound %d MB)%n", state, mb(before), mb(after), mb(kept), HEAP_BOUND_BYTES >> 20);
    assertThat(kept).as("live heap tracestitch keeps with %s: %.1f MB before, %.1f MB with it, %.1f MB kept; "
            + "the bound is %d MB (docs/reliability.md, \"Hostile volumes\")", state, mb(before), mb(after), mb(kept),
        HEAP_BOUND_BYTES >> 20).isLessThanOrEqualTo(HEAP_BOUND_BYTES);
    assertRocksDbWithinBudget(state);
  }

  /**
   * RocksDB's memory outside the heap: every store shares one block cache with the memtables charged to it
   * ({@code RocksDbMemoryBudget}, installed by the replay driver as by the application). The cache takes inserts
   * beyond its capacity, so its usage is measured against the budget, not assumed.
   */
  private static void assertRocksDbWithinBudget(String state) {
    long used = RocksDbMemoryBudget.usedBytes();
    long budget = RocksDbMemoryBudget.budgetBytes();
    System.out.printf("[HostileVolumeTest]   RocksDB with %s: %.1f MB in the shared cache and memtables (budget %d MB)%n",
        state, mb(used), budget >> 20);
    assertThat(used).as("RocksDB's shared cache is in use: the stores were opened with the budget").isPositive();
    assertThat(used).as("RocksDB memory with %s: %.1f MB of the %d MB budget (rocksdb.memory.bytes)", state, mb(used),
        budget >> 20).isLessThanOrEqualTo(budget);
  }

  private static double mb(long bytes) {
    return bytes / (1024.0 * 1024.0);
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

  /**
   * Used heap after full collections, repeated until it stops falling: one collection can leave what only a
   * later one frees (objects kept for a cleaner or a finalizer, soft references cleared late).
   */
  private static long liveHeap() {
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      long used = usedHeap();
      if (used >= least) {
        break;
      }
      least = used;
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for the heap to settle.", e);
      }
    }
    return least;
  }
}
