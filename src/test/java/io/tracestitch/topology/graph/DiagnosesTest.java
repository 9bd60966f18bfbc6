package io.tracestitch.topology.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.GraphFinding;
import io.tracestitch.avro.PublishReason;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.avro.internal.SpanException;
import io.tracestitch.avro.internal.SpanKind;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.SpanStatus;
import io.tracestitch.avro.internal.WorkflowKind;
import io.tracestitch.avro.internal.WorkflowSummary;
import io.tracestitch.topology.expect.Expectations;
import io.tracestitch.topology.steps.StepBaseline;
import io.tracestitch.topology.steps.StepHistogram;
import io.tracestitch.topology.steps.StepUsual;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The three explaining findings on hand-made span trees, through the assembler (a pure function). */
class DiagnosesTest {
  @org.junit.jupiter.api.BeforeAll
  static void trustTheGeneratedRecords() {
    io.tracestitch.serdes.AvroTrust.trustGeneratedRecords();
  }

  static final long T = 1_767_225_600_000L;
  static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  final List<SpanRecord> spans = new ArrayList<>();

  SpanRecord.Builder span(int id, Integer parent, String service, String name, SpanKind kind, long from, long to) {
    return SpanRecord.newBuilder().setTraceId(TRACE).setSpanId(String.format("%016x", id))
        .setParentSpanId(parent == null ? null : String.format("%016x", parent)).setService(service).setName(name)
        .setKind(kind).setStatusCode(SpanStatus.UNSET).setStartNanos((T + from) * 1_000_000).setEndNanos((T + to) * 1_000_000)
        .setAttributes(new HashMap<>());
  }

  void add(SpanRecord.Builder b) {
    spans.add(b.build());
  }

  static SpanRecord.Builder failed(SpanRecord.Builder b, String message) {
    return b.setStatusCode(SpanStatus.ERROR).setStatusMessage(message);
  }

  static SpanRecord.Builder attrs(SpanRecord.Builder b, String... kv) {
    Map<String, String> attrs = new HashMap<>(b.getAttributes());
    for (int i = 0; i + 1 < kv.length; i += 2) {
      attrs.put(kv[i], kv[i + 1]);
    }
    return b.setAttributes(attrs);
  }

  WorkflowGraph assemble(StepBaseline baseline) {
    WorkflowSummary summary = WorkflowSummary.newBuilder().setWorkflowId("order-1")
        .setWorkflowKind(WorkflowKind.CORRELATION).setFirstSeenMs(T).setLastActivityMs(T).setDueMs(T).build();
    return new GraphAssembler(Duration.ofSeconds(30), Duration.ofMillis(100))
        .assemble(summary, spans, List.of(), PublishReason.QUIET, T + 60_000, Expectations.NONE, baseline).graph();
  }

  static List<GraphFinding> of(WorkflowGraph g, AlertKind kind) {
    return g.getAllFindings().stream().filter(f -> f.getKind() == kind).toList();
  }

  @Test
  void aGrpcCallThatFoundTheServiceUnavailableNamesTheCalleeByPeerService() {
    add(failed(span(1, null, "checkout", "POST /checkout", SpanKind.SERVER, 0, 100), "failed"));
    add(failed(attrs(span(2, 1, "checkout", "payments.Pay/Authorize", SpanKind.CLIENT, 5, 90), "peer.service",
        "payments", "server.address", "10.0.0.7:50051", "rpc.grpc.status_code", "14"), "UNAVAILABLE"));

    GraphFinding origin = of(assemble(StepBaseline.NONE), AlertKind.ERROR_ORIGIN).get(0);
    assertThat(origin.getService()).isEqualTo("payments");
    assertThat(origin.getDetail()).startsWith("payments was unavailable → checkout failed");
  }

  @Test
  void aRefusedDatabaseConnectionNamesTheDatabaseByItsAddressWithoutThePort() {
    add(failed(span(1, null, "analytics", "track-order", SpanKind.SERVER, 0, 30), "failed"));
    add(attrs(span(2, 1, "analytics", "INSERT events", SpanKind.CLIENT, 2, 10), "db.system", "cassandra",
        "server.address", "analytics-store:9042").setExceptions(List.of(SpanException.newBuilder()
            .setType("java.net.ConnectException").setMessage("Connection refused").build())));

    GraphFinding origin = of(assemble(StepBaseline.NONE), AlertKind.ERROR_ORIGIN).get(0);
    assertThat(origin.getService()).isEqualTo("analytics-store");
    assertThat(origin.getDetail()).startsWith("analytics-store refused the connection → analytics failed");
  }

  @Test
  void aCalleeStillAtWorkWhenItsCallerTimedOutIsTheOriginAndAUrlNamesItWhenNothingElseDoes() {
    add(failed(attrs(span(1, null, "gateway", "POST /checkout", SpanKind.SERVER, 0, 30_100),
        "http.response.status_code", "504"), "upstream timed out"));
    add(failed(span(2, 1, "order", "POST /orders", SpanKind.SERVER, 50, 30_050), "failed"));
    add(failed(attrs(span(3, 2, "order", "POST", SpanKind.CLIENT, 60, 30_040), "url.full",
        "https://payments.internal:8443/v1/authorize?id=7"), "java.net.SocketTimeoutException: Read timed out"));
    // Payment got the request and answered long after order gave up.
    add(span(4, 3, "payment", "POST /v1/authorize", SpanKind.SERVER, 80, 41_000));

    GraphFinding origin = of(assemble(StepBaseline.NONE), AlertKind.ERROR_ORIGIN).get(0);
    assertThat(origin.getService()).isEqualTo("payments.internal");
    assertThat(origin.getDetail()).startsWith("payments.internal did not answer in 30 s → order failed → gateway 504");
  }

  @Test
  void aCallThatGotAnAnswerWithAnErrorIsTheCallersOwnOriginAndUnmarkedSpansAreLookedThrough() {
    add(failed(span(1, null, "order", "POST /orders", SpanKind.SERVER, 0, 100), "failed"));
    add(span(2, 1, "order", "create-order", SpanKind.INTERNAL, 2, 95));
    add(failed(attrs(span(3, 2, "order", "INSERT orders", SpanKind.CLIENT, 5, 20), "db.system", "postgresql"),
        "duplicate key value violates unique constraint"));

    GraphFinding origin = of(assemble(StepBaseline.NONE), AlertKind.ERROR_ORIGIN).get(0);
    assertThat(origin.getService()).isEqualTo("order");
    assertThat(origin.getOperation()).isEqualTo("INSERT orders");
    assertThat(origin.getDetail()).startsWith("order INSERT orders failed (duplicate key value violates unique "
        + "constraint)");
  }

  @Test
  void callsThatPartlyOverlapCountOnlyAsManyAsRunOneAfterTheOther() {
    add(span(1, null, "loyalty", "award-points", SpanKind.SERVER, 0, 2_000));
    for (int i = 0; i < 24; i++) {
      // Pairs run side by side: 12 sequential steps of two calls each.
      long from = 10 + (i / 2) * 30;
      add(attrs(span(10 + i, 1, "loyalty", "SELECT points", SpanKind.CLIENT, from, from + 25), "db.system",
          "postgresql", "db.statement", "SELECT points FROM p WHERE id = " + i));
    }

    List<GraphFinding> repeated = of(assemble(StepBaseline.NONE), AlertKind.REPEATED_CALLS);
    assertThat(repeated).singleElement().satisfies(f -> assertThat(f.getCount()).isEqualTo(12));
  }

  @Test
  void onlyTheDeepestSlowStepOnTheCriticalPathIsFlaggedAndAParallelOneThatEndedEarlierIsNot() {
    add(span(1, null, "gateway", "POST /checkout", SpanKind.SERVER, 0, 2_100));
    add(span(2, 1, "inventory", "reserve", SpanKind.INTERNAL, 10, 2_090));
    add(attrs(span(3, 2, "inventory", "SELECT stock", SpanKind.CLIENT, 20, 2_020), "db.system", "postgresql"));
    // Runs beside the slow query and ends before it: off the critical path, however slow.
    add(span(4, 1, "pricing", "quote", SpanKind.INTERNAL, 10, 1_500));

    WorkflowGraph g = assemble(usually(60));
    assertThat(of(g, AlertKind.SLOW_STEP)).extracting(GraphFinding::getOperation).containsExactly("SELECT stock");
  }

  /** Every step usually takes about {@code ms} (uniform from half to one and a half of it). */
  static StepBaseline usually(long ms) {
    List<Long> micros = new ArrayList<>();
    for (int i = 0; i <= 40; i++) {
      micros.add((ms / 2 + ms * i / 40) * 1000);
    }
    StepHistogram h = StepHistogram.empty("step").plus(micros, T, 3_600_000);
    return (key, nowMs) -> Optional.of(new StepUsual(41, h));
  }

  @Test
  void criticalSpansFollowSequentialChildrenAndOnlyTheLastOfParallelOnes() {
    add(span(1, null, "api", "GET /a", SpanKind.SERVER, 0, 100));
    add(span(2, 1, "api", "first", SpanKind.INTERNAL, 0, 30));
    add(span(3, 1, "api", "second", SpanKind.INTERNAL, 30, 60));
    add(span(4, 1, "api", "parallel-short", SpanKind.INTERNAL, 60, 80));
    add(span(5, 1, "api", "parallel-long", SpanKind.INTERNAL, 60, 99));
    WorkflowGraph g = assemble(StepBaseline.NONE);
    CriticalSpans critical = new CriticalSpans(g, new SpanTree(g, spans.stream().map(s -> new SpanView(s, "span:" + s.getSpanId())).toList()));

    assertThat(List.of(2, 3, 5)).allSatisfy(id -> assertThat(critical.contains(node(id))).isTrue());
    assertThat(critical.contains(node(4))).isFalse();
    assertThat(critical.lengthMs()).isEqualTo(100);
  }

  static String node(int id) {
    return "span:" + String.format("%016x", id);
  }
}
