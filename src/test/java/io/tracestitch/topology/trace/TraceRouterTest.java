package io.tracestitch.topology.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.tracestitch.avro.internal.EventRecord;
import io.tracestitch.avro.internal.SpanKind;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.SpanStatus;
import io.tracestitch.avro.internal.TraceMessage;
import io.tracestitch.avro.internal.TraceMessageType;
import io.tracestitch.avro.internal.WorkflowKind;
import io.tracestitch.avro.internal.WorkflowMessage;
import io.tracestitch.avro.internal.WorkflowMessageType;
import io.tracestitch.testing.StageContext;
import io.tracestitch.topology.StitchCounters;
import io.tracestitch.topology.StitchSerdes;
import io.tracestitch.topology.StitchSettings;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The by-trace stage on a {@code MockProcessorContext} with its stores in memory: which workflow a trace goes to,
 * how long it is held first, and what it sends when it learns a second one. Its clock runs on the ingest stage's
 * ticks, sent here as the ingest tasks send them.
 */
class TraceRouterTest {
  static final long T = 1_767_225_600_000L;
  static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final StitchSettings SETTINGS = StitchSettings.defaults();
  static final long HOLD_MS = SETTINGS.traceHold().toMillis();

  @BeforeAll
  static void trustTheGeneratedRecords() {
    io.tracestitch.serdes.AvroTrust.trustGeneratedRecords();
  }

  final StageContext stage = stage();
  final TraceRouter router = router(stage);

  static StageContext stage() {
    StitchSerdes serdes = StitchSerdes.avro();
    return new StageContext(T).withStore(TraceView.STATE_STORE, serdes.traceState())
        .withStore(TraceView.HELD_STORE, serdes.traceMessage()).withStore(TraceView.DUE_STORE, Serdes.String());
  }

  static TraceRouter router(StageContext stage) {
    TraceRouter router = new TraceRouter(SETTINGS, new StitchCounters(), "to-traces", "to-workflows", "to-every-workflow");
    router.init(stage.context());
    return router;
  }

  static TraceMessage spans(String correlationId, String... ids) {
    List<SpanRecord> spans = Arrays.stream(ids).map(id -> SpanRecord.newBuilder().setTraceId(TRACE)
        .setSpanId(id).setName("POST /orders").setKind(SpanKind.SERVER).setService("order")
        .setStatusCode(SpanStatus.OK).setStartNanos(T * 1_000_000).setEndNanos(T * 1_000_000 + 1)
        .setAttributes(Map.of()).setCorrelationId(correlationId).build()).toList();
    return TraceMessage.newBuilder().setType(TraceMessageType.SPANS).setTraceId(TRACE).setSpans(spans).build();
  }

  static TraceMessage event(String id, String correlationId) {
    return TraceMessage.newBuilder().setType(TraceMessageType.EVENT).setTraceId(TRACE).setEvent(EventRecord.newBuilder()
        .setEventId(id).setEventName("order.created").setCorrelationId(correlationId).setTraceId(TRACE).setTopic("orders")
        .setPartition(0).setOffset(1).setTimestampMs(T).build()).build();
  }

  static void send(TraceRouter router, StageContext stage, TraceMessage message) {
    router.process(new Record<>(TRACE, message, stage.context().currentSystemTimeMs()));
  }

  void send(TraceMessage message) {
    send(router, stage, message);
  }

  /** At {@code atMs} after T the ingest task's clock reads as much, and the router's punctuation runs. */
  void tickAndPunctuate(long atMs) {
    tickAndPunctuate(atMs, atMs);
  }

  /** At {@code wallMs} after T the ingest task's clock reads {@code tickMs} after T; the punctuation runs. */
  void tickAndPunctuate(long wallMs, long tickMs) {
    stage.wall(T + wallMs);
    TraceMessage tick = TraceMessage.newBuilder().setType(TraceMessageType.TICK).setTraceId("").setSender("spans@0_0")
        .setTickMs(T + tickMs).build();
    router.process(new Record<>("", tick, T + tickMs));
    stage.punctuate();
  }

  static List<WorkflowMessage> toWorkflows(StageContext stage) {
    return stage.<WorkflowMessage>forwarded("to-workflows").stream().map(Record::value).toList();
  }

  List<WorkflowMessage> toWorkflows() {
    return toWorkflows(stage);
  }

  static List<String> spanIds(WorkflowMessage m) {
    return m.getSpans().stream().map(SpanRecord::getSpanId).toList();
  }

  @Test
  void aTraceWithACorrelationIdIsForwardedToItsWorkflowAtOnce() {
    send(spans("order-7", "a", "b"));

    assertThat(stage.<WorkflowMessage>forwarded("to-workflows")).singleElement().satisfies(r -> {
      assertThat(r.key()).isEqualTo("order-7");
      assertThat(r.value().getType()).isEqualTo(WorkflowMessageType.SPANS);
      assertThat(r.value().getWorkflowKind()).isEqualTo(WorkflowKind.CORRELATION);
      assertThat(r.value().getTraceId()).isEqualTo(TRACE);
      assertThat(spanIds(r.value())).containsExactly("a", "b");
    });
  }

  @Test
  void aTraceWithoutOneIsHeldForTheHoldAndThenIsAWorkflowOfItsOwn() {
    send(spans(null, "a"));
    send(spans(null, "b"));
    tickAndPunctuate(0);
    tickAndPunctuate(HOLD_MS - 1);
    assertThat(toWorkflows()).as("still held").isEmpty();

    tickAndPunctuate(HOLD_MS);

    assertThat(stage.<WorkflowMessage>forwarded("to-workflows")).singleElement().satisfies(r -> {
      assertThat(r.key()).isEqualTo("trace:" + TRACE);
      assertThat(r.value().getWorkflowKind()).isEqualTo(WorkflowKind.TRACE);
      assertThat(spanIds(r.value())).as("in the order they came").containsExactly("a", "b");
    });
  }

  @Test
  void anEventPublishedInAHeldTraceThatCarriesACorrelationIdPlacesTheTrace() {
    send(spans(null, "a"));
    send(event("evt-1", "order-7"));

    List<WorkflowMessage> sent = toWorkflows();
    assertThat(sent).extracting(WorkflowMessage::getWorkflowId).containsOnly("order-7");
    assertThat(sent).extracting(WorkflowMessage::getType)
        .containsExactly(WorkflowMessageType.SPANS, WorkflowMessageType.EVENTS);
    assertThat(spanIds(sent.get(0))).containsExactly("a");
  }

  @Test
  void aHoldEndsByTheIngestStagesClockNotByTheWallClock() {
    // The ingest stage works off a backlog a minute old: the trace's correlation may still be queued behind it.
    send(spans(null, "a"));
    tickAndPunctuate(0, -60_000);
    tickAndPunctuate(HOLD_MS + 5_000, HOLD_MS + 5_000 - 60_000);
    assertThat(toWorkflows()).isEmpty();

    tickAndPunctuate(HOLD_MS + 60_000, HOLD_MS);

    assertThat(toWorkflows()).extracting(WorkflowMessage::getWorkflowId).containsExactly("trace:" + TRACE);
  }

  @Test
  void everyPunctuationTellsEveryWorkflowPartitionHowFarThisTaskGot() {
    tickAndPunctuate(0);
    stage.forget();
    tickAndPunctuate(5_000);

    assertThat(stage.<WorkflowMessage>forwarded("to-every-workflow")).singleElement().satisfies(r -> {
      assertThat(r.value().getType()).isEqualTo(WorkflowMessageType.TICK);
      assertThat(r.value().getTickMs()).isEqualTo(T + 5_000);
      assertThat(r.value().getSender()).isEqualTo(stage.context().taskId().toString());
    });
  }

  @Test
  void aTraceThatLearnsASecondWorkflowSendsOneMergeWhoseWinnerDoesNotDependOnTheOrder() {
    // One partition learns order-7 first, another (in another run) order-3 first: both merge order-7 into order-3.
    StageContext other = stage();
    TraceRouter otherRouter = router(other);
    send(spans("order-7", "a"));
    send(event("evt-1", "order-3"));
    send(otherRouter, other, event("evt-1", "order-3"));
    send(otherRouter, other, spans("order-7", "a"));

    for (StageContext run : List.of(stage, other)) {
      List<WorkflowMessage> merges = toWorkflows(run).stream()
          .filter(m -> m.getType() == WorkflowMessageType.MERGE).toList();
      assertThat(merges).singleElement().satisfies(m -> {
        assertThat(m.getWorkflowId()).isEqualTo("order-7");
        assertThat(m.getMergeInto()).isEqualTo("order-3");
      });
      assertThat(run.<WorkflowMessage>forwarded("to-workflows")).filteredOn(r -> r.value().getType() == WorkflowMessageType.MERGE)
          .extracting(Record::key).as("keyed by the loser, which moves").containsExactly("order-7");
    }
    stage.forget();
    send(spans(null, "c"));
    assertThat(toWorkflows()).extracting(WorkflowMessage::getWorkflowId).containsExactly("order-3");
  }

  @Test
  void aTraceThatBecameAWorkflowOfItsOwnMergesIntoTheCorrelationItLearnsLater() {
    send(spans(null, "a"));
    tickAndPunctuate(0);
    tickAndPunctuate(HOLD_MS);
    stage.forget();

    send(spans("order-7", "b"));

    assertThat(toWorkflows()).extracting(WorkflowMessage::getType, WorkflowMessage::getWorkflowId,
            WorkflowMessage::getMergeInto)
        .containsExactly(tuple(WorkflowMessageType.MERGE, "trace:" + TRACE, "order-7"),
            tuple(WorkflowMessageType.SPANS, "order-7", null));
  }
}
