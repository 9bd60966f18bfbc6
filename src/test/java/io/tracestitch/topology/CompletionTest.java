package io.tracestitch.topology;

import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CONSUMER;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER;
import static io.tracestitch.testing.Otlp.spanId;
import static io.tracestitch.testing.Otlp.traceId;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.PublishReason;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.replay.ReplayDriver;
import io.tracestitch.testing.Checkout;
import io.tracestitch.testing.Orders;
import io.tracestitch.testing.Otlp;
import io.tracestitch.testing.TimedInput;
import io.tracestitch.topology.trace.TraceView;
import io.tracestitch.topology.workflow.WorkflowStitcher;
import io.tracestitch.topology.workflow.WorkflowView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/** When a workflow is published: after the quiet gap, at the maximum duration, again for late data. */
class CompletionTest {
  static final long T = Checkout.T0;
  static final String T1 = traceId(301);
  static final StitchSettings SETTINGS = CheckoutWorkflowTest.SETTINGS;

  static Otlp root(long start) {
    return Otlp.batch().span("order", T1, spanId(1), null, "POST /orders", SPAN_KIND_SERVER, start, start + 100)
        .attr("correlation_id", "order-3").done();
  }

  @Test
  void quietPartitionStillPublishesOnTheWallClockAlone() {
    try (ReplayDriver driver = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(T))) {
      driver.pipeSpans(null, root(T).toProto(), T + 1000);
      // No record arrives after this one: only the wall clock moves.
      driver.advanceTo(T + 1000 + 29_000);
      assertThat(driver.graphs()).as("not before the inactivity gap").isEmpty();
      driver.advanceTo(T + 1000 + 32_000);
      assertThat(driver.graphs()).hasSize(1);
      assertThat(driver.graphs().get(0).getPublishReason()).isEqualTo(PublishReason.QUIET);
    }
  }

  @Test
  void lateSpansAfterPublicationProduceRevisionTwoOfTheSameWorkflow() {
    try (ReplayDriver driver = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(T))) {
      driver.pipeSpans(null, root(T).toProto(), T + 1000);
      driver.advanceBy(Duration.ofSeconds(35));
      assertThat(driver.graphs()).hasSize(1);
      Otlp late = Otlp.batch().span("loyalty", T1, spanId(2), spanId(1), "award-points", SPAN_KIND_CONSUMER,
          T + 500, T + 40_000).done();
      driver.pipeSpans(null, late.toProto(), driver.wallMs() + 1000);
      driver.finish();

      assertThat(driver.graphs()).extracting(WorkflowGraph::getWorkflowId).containsExactly("order-3", "order-3");
      WorkflowGraph second = driver.graphs().get(1);
      assertThat(second.getRevision()).isEqualTo(2);
      assertThat(second.getPublishReason()).isEqualTo(PublishReason.LATE_DATA);
      assertThat(second.getNodes()).hasSize(2);
    }
  }

  @Test
  void workflowThatNeverGoesQuietIsPublishedAtTheMaximumDuration() {
    StitchSettings settings = SETTINGS.withTimes(Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofMinutes(2), Duration.ofMinutes(10));
    try (ReplayDriver driver = new ReplayDriver(settings, Instant.ofEpochMilli(T))) {
      for (int i = 0; i < 20; i++) {
        long at = T + i * 10_000L;
        driver.pipeSpans(null, Otlp.batch().span("poller", T1, spanId(100 + i), null, "poll", SPAN_KIND_SERVER, at,
            at + 5).attr("correlation_id", "order-3").done().toProto(), at + 1000);
      }
      assertThat(driver.graphs()).hasSize(1);
      WorkflowGraph g = driver.graphs().get(0);
      assertThat(g.getPublishReason()).isEqualTo(PublishReason.MAX_DURATION);
      assertThat(g.getNodes().size()).isBetween(12, 14);
    }
  }

  @Test
  void processorFallingBehindDoesNotPublishWorkflowsThatOnlyLookQuietToTheWallClock() {
    // The processor is behind: 40 s of wall time pass while it works through 5 s of records. By the wall
    // clock order-3 looks quiet long before its second span is read; by the records' own time it is not.
    try (ReplayDriver driver = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(T + 3_600_000))) {
      driver.pipeSpans(null, root(T).toProto(), T + 1000);
      for (int i = 0; i < 40; i++) {
        driver.advanceBy(Duration.ofSeconds(1));
        long at = T + 1000 + i * 100L;
        driver.pipeSpans(null, Otlp.batch().span("other", traceId(5000 + i), spanId(1), null, "GET /", SPAN_KIND_SERVER,
            at - 50, at - 10).done().toProto(), at);
      }
      Otlp rest = Otlp.batch().span("loyalty", T1, spanId(2), spanId(1), "award-points", SPAN_KIND_CONSUMER,
          T + 5_000, T + 5_100).done();
      driver.pipeSpans(null, rest.toProto(), T + 6_000);
      driver.finish();

      WorkflowGraph order = driver.graphs().stream().filter(g -> g.getWorkflowId().equals("order-3")).findFirst()
          .orElseThrow();
      assertThat(driver.graphs().stream().filter(g -> g.getWorkflowId().equals("order-3")).count())
          .as("published once, complete, not early and then revised").isEqualTo(1);
      assertThat(order.getNodes()).hasSize(2);
      assertThat(order.getRevision()).isEqualTo(1);
    }
  }

  @Test
  void restartAfterAnHourWithABacklogDoesNotPublishFromStaleRecordTimes() {
    try (ReplayDriver driver = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(T + 3_600_000))) {
      driver.pipeSpans(null, root(T).toProto(), T + 1000);
      driver.advanceBy(Duration.ofSeconds(2));
      Otlp rest = Otlp.batch().span("loyalty", T1, spanId(2), spanId(1), "award-points", SPAN_KIND_CONSUMER,
          T + 25_000, T + 25_100).done();
      driver.pipeSpans(null, rest.toProto(), T + 26_000);
      driver.finish();

      assertThat(driver.graphs()).hasSize(1);
      assertThat(driver.graphs().get(0).getNodes()).hasSize(2);
    }
  }

  @Test
  void backlogStampedLongBeforeStartIsPublishedWithinSecondsOfBeingRead() {
    long start = T + 3_600_000;
    StitchSettings settings = SETTINGS.withTimes(Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofMinutes(10),
        Duration.ofMinutes(10));
    try (ReplayDriver driver = new ReplayDriver(settings, Instant.ofEpochMilli(start))) {
      // The processor is up (its punctuators run) before the backlog arrives, as after an outage.
      driver.advanceBy(Duration.ofSeconds(3));
      // Read all at once, with no wall time passing: a backlog whose record times lie ten minutes back.
      for (int n = 0; n < 50; n++) {
        io.tracestitch.testing.TimedInput.pipeAll(io.tracestitch.testing.Orders.order(n, start - 625_000 + n * 10L)
            .consumer("inventory", io.tracestitch.testing.Orders.Outcome.OK).inputs(), driver);
      }
      assertThat(driver.graphs()).as("nothing before the input goes quiet").isEmpty();
      for (int i = 0; i < 20; i++) {
        driver.advanceBy(Duration.ofSeconds(1));
      }
      assertThat(driver.graphs()).hasSize(50).allMatch(g -> g.getNodes().size() == 4);
    }
  }

  @Test
  void backlogWhoseEventsAreReadAheadOfItsSpansIsPublishedComplete() {
    // After an outage the sparse event partition is read to its end in one fetch while the dense span partition
    // still has over a minute of record time to go. The events' times must not make the workflows whose spans
    // are still queued look quiet: loyalty handles each order 25 s late, inside the 30 s gap, and belongs in
    // the first graph.
    long start = T + 3_600_000;
    List<TimedInput> events = new ArrayList<>();
    List<TimedInput> spans = new ArrayList<>();
    for (int n = 0; n < 40; n++) {
      for (TimedInput input : Orders.order(n, T + n * 2_000L).consumer("inventory", Orders.Outcome.OK)
          .late("loyalty", 25_000).inputs()) {
        (input instanceof TimedInput.Event ? events : spans).add(input);
      }
    }
    try (ReplayDriver driver = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(start))) {
      TimedInput.pipeAll(events, driver);
      spans.sort(Comparator.comparingLong(TimedInput::timestampMs));
      for (int i = 0; i < spans.size(); i++) {
        spans.get(i).pipeInto(driver);
        if (i % 2 == 1) {
          driver.advanceBy(Duration.ofSeconds(1));
        }
      }
      driver.finish();

      Map<String, WorkflowGraph> first = new LinkedHashMap<>();
      driver.graphs().forEach(g -> first.putIfAbsent(g.getWorkflowId(), g));
      assertThat(first).hasSize(40);
      assertThat(first.values().stream()
          .filter(g -> g.getBranches().stream().noneMatch(b -> "loyalty".equals(b.getConsumer())))
          .map(WorkflowGraph::getWorkflowId))
          .as("workflows first published without their late loyalty branch").isEmpty();
      assertThat(driver.graphs().stream().filter(g -> g.getRevision() > 1).map(WorkflowGraph::getWorkflowId))
          .as("revised for spans that were only queued").isEmpty();
    }
  }

  @Test
  void finishedWorkflowsLeaveEveryStore() {
    try (ReplayDriver driver = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(T))) {
      for (int n = 1; n <= 5; n++) {
        new Checkout(n, T + n * 1000L).inputs().stream()
            .sorted(java.util.Comparator.comparingLong(io.tracestitch.testing.TimedInput::timestampMs))
            .forEach(i -> i.pipeInto(driver));
      }
      driver.advanceBy(Duration.ofSeconds(45));
      assertThat(driver.graphs()).hasSize(5);
      assertThat(count(driver, WorkflowView.ITEM_STORE)).as("kept for late data").isGreaterThan(0);
      driver.finish();

      for (String store : new String[] {TraceView.STATE_STORE, TraceView.HELD_STORE, TraceView.DUE_STORE,
          WorkflowView.SUMMARY_STORE, WorkflowView.ITEM_STORE, WorkflowView.DUE_STORE}) {
        assertThat(count(driver, store)).as(store).isZero();
      }
      assertThat(driver.counters().get("workflows.expired")).isEqualTo(5);
    }
  }

  static int count(ReplayDriver driver, String storeName) {
    KeyValueStore<Object, Object> store = driver.driver().getKeyValueStore(storeName);
    int n = 0;
    try (KeyValueIterator<Object, Object> it = store.all()) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }
}
