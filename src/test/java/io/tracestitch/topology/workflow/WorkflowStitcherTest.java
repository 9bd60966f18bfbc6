package io.tracestitch.topology.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.GraphNode;
import io.tracestitch.avro.PublishReason;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.avro.internal.SpanKind;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.SpanStatus;
import io.tracestitch.avro.internal.WorkflowKind;
import io.tracestitch.avro.internal.WorkflowMessage;
import io.tracestitch.avro.internal.WorkflowMessageType;
import io.tracestitch.testing.StageContext;
import io.tracestitch.topology.StitchCounters;
import io.tracestitch.topology.StitchSerdes;
import io.tracestitch.topology.StitchSettings;
import io.tracestitch.topology.graph.GraphAssembler;
import io.tracestitch.topology.steps.StepLearning;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The by-workflow stage on a {@code MockProcessorContext} with its stores in memory: when a workflow's graph is
 * published, what late data and a merge do to it, and when it leaves. Its clock runs on the by-trace stage's ticks,
 * sent here as the trace router sends them.
 */
class WorkflowStitcherTest {
  static final long T = 1_767_225_600_000L;
  static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final StitchSettings SETTINGS = StitchSettings.defaults();
  static final long GAP_MS = SETTINGS.inactivityGap().toMillis();
  static final long RETENTION_MS = SETTINGS.retention().toMillis();

  @BeforeAll
  static void trustTheGeneratedRecords() {
    io.tracestitch.serdes.AvroTrust.trustGeneratedRecords();
  }

  final StitchSerdes serdes = StitchSerdes.avro();
  final StageContext stage = new StageContext(T)
      .withStore(WorkflowView.SUMMARY_STORE, serdes.workflowSummary())
      .withStore(WorkflowView.ITEM_STORE, serdes.workflowItem())
      .withStore(WorkflowView.DUE_STORE, Serdes.String())
      .withStore(WorkflowView.EVENT_INDEX_STORE, Serdes.String())
      .withStore(WorkflowStitcher.EXPECTATION_STORE, serdes.expectationStats())
      .withStore(StepLearning.STORE, serdes.stepTimes());
  final StitchCounters counters = new StitchCounters();
  final WorkflowStitcher stitcher = stitcher();

  WorkflowStitcher stitcher() {
    WorkflowStitcher stitcher = new WorkflowStitcher(SETTINGS, counters,
        new GraphAssembler(SETTINGS.inactivityGap(), SETTINGS.clockSkewTolerance(), SETTINGS.diagnosis()), List.of(),
        "to-workflows", "to-graphs", "to-findings");
    stitcher.init(stage.context());
    return stitcher;
  }

  static WorkflowMessage spans(String workflowId, WorkflowKind kind, String... ids) {
    List<SpanRecord> spans = Arrays.stream(ids).map(id -> SpanRecord.newBuilder().setTraceId(TRACE)
        .setSpanId(id).setName("POST /orders").setKind(SpanKind.SERVER).setService("order")
        .setStatusCode(SpanStatus.OK).setStartNanos(T * 1_000_000).setEndNanos((T + 5) * 1_000_000)
        .setAttributes(Map.of()).build()).toList();
    return WorkflowMessage.newBuilder().setType(WorkflowMessageType.SPANS).setWorkflowId(workflowId)
        .setWorkflowKind(kind).setTraceId(TRACE).setSpans(spans).build();
  }

  static WorkflowMessage spans(String... ids) {
    return spans("order-7", WorkflowKind.CORRELATION, ids);
  }

  static WorkflowMessage merge(String loser, WorkflowKind loserKind, String winner) {
    return WorkflowMessage.newBuilder().setType(WorkflowMessageType.MERGE).setWorkflowId(loser)
        .setWorkflowKind(loserKind).setMergeInto(winner).setMergeIntoKind(WorkflowKind.CORRELATION).build();
  }

  void send(WorkflowMessage message) {
    stitcher.process(new Record<>(message.getWorkflowId(), message, stage.context().currentSystemTimeMs()));
  }

  /** At {@code atMs} after T the trace router's clock reads as much (its TICK arrives), and the punctuation runs. */
  void tickAndPunctuate(long atMs) {
    stage.wall(T + atMs);
    send(WorkflowMessage.newBuilder().setType(WorkflowMessageType.TICK).setWorkflowId("")
        .setWorkflowKind(WorkflowKind.TRACE).setSender("0_0").setTickMs(T + atMs).build());
    stage.punctuate();
  }

  List<Record<String, WorkflowGraph>> graphs() {
    return stage.forwarded("to-graphs");
  }

  static List<String> spanIds(WorkflowGraph graph) {
    return graph.getNodes().stream().map(GraphNode::getSpanId).toList();
  }

  WorkflowStore store() {
    return WorkflowStore.of(stage.context());
  }

  /** A workflow with span {@code a}, published once it was quiet for the gap; at {@code GAP_MS} after T. */
  void published() {
    send(spans("a"));
    tickAndPunctuate(0);
    tickAndPunctuate(GAP_MS);
  }

  @Test
  void everySpanStoredCountsOnceHoweverManyGroupsShareTheOpenGroup() {
    // The benchmark closes its window on this counter: a span counted again at each rewrite would close it early.
    send(spans("a", "b"));
    send(spans("c"));
    send(spans("d", "e", "f"));
    send(spans("order-8", WorkflowKind.CORRELATION, "g"));

    assertThat(counters.get("workflows.items_stored")).isEqualTo(7);
    assertThat(store().summary("order-7").getSpanCount()).isEqualTo(6);
  }

  @Test
  void aWorkflowsSpansAreStoredAndItsGraphPublishedOnceItHasBeenQuietForTheGap() {
    send(spans("a"));
    send(spans("b"));
    tickAndPunctuate(0);
    tickAndPunctuate(GAP_MS - 1);
    assertThat(graphs()).as("not quiet long enough").isEmpty();
    assertThat(store().summary("order-7").getSpanCount()).isEqualTo(2);

    tickAndPunctuate(GAP_MS);

    assertThat(graphs()).singleElement().satisfies(r -> {
      assertThat(r.key()).isEqualTo("order-7");
      assertThat(r.value().getRevision()).isEqualTo(1);
      assertThat(r.value().getPublishReason()).isEqualTo(PublishReason.QUIET);
      assertThat(spanIds(r.value())).containsExactlyInAnyOrder("a", "b");
    });
  }

  @Test
  void dataArrivingAfterPublicationMakesTheNextRevisionOnceQuietAgain() {
    published();
    stage.forget();
    tickAndPunctuate(GAP_MS + 10_000);
    send(spans("late"));
    tickAndPunctuate(2 * GAP_MS + 10_000 - 1);
    assertThat(graphs()).isEmpty();

    tickAndPunctuate(2 * GAP_MS + 10_000);

    assertThat(graphs()).singleElement().satisfies(r -> {
      assertThat(r.value().getRevision()).isEqualTo(2);
      assertThat(r.value().getPublishReason()).isEqualTo(PublishReason.LATE_DATA);
      assertThat(spanIds(r.value())).containsExactlyInAnyOrder("a", "late");
    });
  }

  @Test
  void aMergeMovesTheRecordsToTheWinnerOnceAndWithdrawsTheLosersPublishedGraph() {
    String loser = "trace:" + TRACE;
    send(spans(loser, WorkflowKind.TRACE, "a", "b"));
    tickAndPunctuate(0);
    tickAndPunctuate(GAP_MS);
    assertThat(graphs()).extracting(Record::key).containsExactly(loser);
    stage.forget();

    send(merge(loser, WorkflowKind.TRACE, "order-7"));
    send(merge(loser, WorkflowKind.TRACE, "order-7"));

    assertThat(stage.<WorkflowMessage>forwarded("to-workflows")).as("moved once").singleElement().satisfies(r -> {
      assertThat(r.key()).isEqualTo("order-7");
      assertThat(r.value().getSpans()).extracting(SpanRecord::getSpanId).containsExactly("a", "b");
      assertThat(r.value().getMergedFrom()).containsExactly(loser);
    });
    assertThat(graphs()).singleElement().satisfies(r -> {
      assertThat(r.key()).isEqualTo(loser);
      assertThat(r.value()).as("a tombstone").isNull();
    });
    assertThat(store().contents(loser).isEmpty()).isTrue();
  }

  @Test
  void aMergedWorkflowForwardsWhatStillArrivesForItToTheWinner() {
    String loser = "trace:" + TRACE;
    send(spans(loser, WorkflowKind.TRACE, "a"));
    send(merge(loser, WorkflowKind.TRACE, "order-7"));
    stage.forget();

    send(spans(loser, WorkflowKind.TRACE, "late"));

    assertThat(stage.<WorkflowMessage>forwarded("to-workflows")).singleElement().satisfies(r -> {
      assertThat(r.key()).isEqualTo("order-7");
      assertThat(r.value().getSpans()).extracting(SpanRecord::getSpanId).containsExactly("late");
    });
    assertThat(graphs()).as("nothing was published under the loser's id").isEmpty();
  }

  @Test
  void aPublishedWorkflowLeavesTheStoresWhenItsRetentionEnds() {
    published();
    tickAndPunctuate(GAP_MS + RETENTION_MS - 1);
    assertThat(store().summary("order-7")).isNotNull();

    tickAndPunctuate(GAP_MS + RETENTION_MS);

    assertThat(store().summary("order-7")).isNull();
    assertThat(store().contents("order-7").isEmpty()).isTrue();
  }

  @Test
  void aSpanArrivingAfterTheWorkflowLeftStartsItAfresh() {
    published();
    tickAndPunctuate(GAP_MS + RETENTION_MS);
    stage.forget();

    send(spans("after"));
    tickAndPunctuate(2 * GAP_MS + RETENTION_MS);

    assertThat(graphs()).singleElement().satisfies(r -> {
      assertThat(r.value().getRevision()).isEqualTo(1);
      assertThat(spanIds(r.value())).containsExactly("after");
    });
  }
}
