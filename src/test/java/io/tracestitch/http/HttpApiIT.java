package io.tracestitch.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tracestitch.app.TracestitchApp;
import io.tracestitch.kafka.KafkaBrokerFixture;
import io.tracestitch.testing.Orders;
import io.tracestitch.topology.trace.TraceView;
import io.tracestitch.topology.workflow.WorkflowStitcher;
import io.tracestitch.topology.workflow.WorkflowView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.StreamSupport;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two instances of one application on the real broker, each with its own HTTP server: a key held by
 * one is answered by the other through forwarding, lists merge both and are cut once, bad requests
 * and unknown ids are answered as such, and /metrics counts what the test sent.
 *
 * <p>Orders are chosen so that each instance holds finished and unfinished workflows: finished ones
 * (shipping handled, analytics failed) are published and raise one SILENT_FAILURE alert; unfinished
 * ones miss the declared consumer "shipping" and wait for its 10-minute deadline.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpApiIT {
  private static final Duration WAIT = Duration.ofSeconds(40);

  private TwoInstances.Application application;
  private TracestitchApp a;
  private TracestitchApp b;
  private HttpProbe httpA;
  private HttpProbe httpB;
  private final List<Orders> finished = new ArrayList<>();
  private final List<Orders> open = new ArrayList<>();
  private int spanBatches;

  @BeforeAll
  void startTwoInstancesAndSendOrders() {
    application = TwoInstances.application("http-api");
    a = application.instance().start();
    b = application.instance().start();
    httpA = new HttpProbe(a.httpPort());
    httpB = new HttpProbe(b.httpPort());
    awaitBothHoldWorkflowPartitions();
    chooseOrders();
    List<Orders> all = new ArrayList<>(finished);
    all.addAll(open);
    spanBatches = TwoInstances.produce(application, all);
    KafkaBrokerFixture.consumeUntil(application.graphs(), finished.size(), WAIT, false);
    // Every open workflow is stored once the list across both instances shows all of them.
    HttpProbe.Answer listed = httpA.await("/api/workflows/open?limit=100",
        r -> r.status() == 200 && r.json().path("workflows").size() == open.size(), WAIT);
    assertThat(listed.json().path("workflows").size()).as(listed.body()).isEqualTo(open.size());
  }

  @AfterAll
  void stop() {
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
  }

  @Test
  void shouldAnswerForAWorkflowHeldByTheOtherInstance() {
    Orders onB = heldBy(b, finished);
    Orders onA = heldBy(a, open);

    HttpProbe.Answer fromA = httpA.get("/api/workflows/" + onB.correlationId());
    HttpProbe.Answer fromB = httpB.get("/api/workflows/" + onA.correlationId());

    assertThat(fromA.status()).as(fromA.body()).isEqualTo(200);
    assertThat(fromA.json().path("workflowId").asText()).isEqualTo(onB.correlationId());
    assertThat(fromA.json().path("servedBy").asText()).isEqualTo(address(b));
    assertThat(fromA.json().path("open").asBoolean()).isFalse();
    assertThat(fromA.json().path("publishedRevision").asInt()).isEqualTo(1);
    assertThat(fromA.json().path("graph").path("correlationId").asText()).isEqualTo(onB.correlationId());
    assertThat(branchStates(fromA.json().path("graph"))).contains("shipping=SUCCEEDED", "analytics=FAILED");

    assertThat(fromB.status()).as(fromB.body()).isEqualTo(200);
    assertThat(fromB.json().path("servedBy").asText()).isEqualTo(address(a));
    assertThat(fromB.json().path("open").asBoolean()).isTrue();
    assertThat(fromB.json().path("publishedRevision").asInt()).isZero();
    assertThat(branchStates(fromB.json().path("graph"))).contains("shipping=PENDING", "loyalty=SUCCEEDED");
  }

  @Test
  void shouldFindWorkflowsByCorrelationIdTraceIdAndEventIdFromEitherInstance() {
    Orders onA = heldBy(a, finished);
    HttpProbe.Answer byCorrelation = httpB.get("/api/workflows?correlationId=" + onA.correlationId());
    assertThat(byCorrelation.status()).isEqualTo(200);
    assertThat(byCorrelation.json().path("workflows")).hasSize(1);
    assertThat(byCorrelation.json().path("workflows").get(0).path("workflowId").asText())
        .isEqualTo(onA.correlationId());
    assertThat(httpB.get("/api/workflows?correlationId=order-nobody").json().path("workflows")).isEmpty();

    for (TracestitchApp asked : List.of(a, b)) {
      HttpProbe probe = asked == a ? httpA : httpB;
      TracestitchApp other = asked == a ? b : a;
      Orders traceElsewhere = all().stream().filter(o -> holder(other, TraceView.STATE_STORE, o.trace()).equals(
          hostOf(other))).findFirst().orElseThrow(() -> new AssertionError("No trace of these orders is held by "
              + address(other) + "; choose more orders."));
      HttpProbe.Answer byTrace = probe.get("/api/traces/" + traceElsewhere.trace().toUpperCase());
      assertThat(byTrace.status()).as(byTrace.body()).isEqualTo(200);
      assertThat(byTrace.json().path("workflowId").asText()).isEqualTo(traceElsewhere.correlationId());

      Orders eventElsewhere = heldBy(other, open);
      HttpProbe.Answer byEvent = probe.get("/api/events/" + eventElsewhere.eventId());
      assertThat(byEvent.status()).as(byEvent.body()).isEqualTo(200);
      assertThat(byEvent.json().path("workflowId").asText()).isEqualTo(eventElsewhere.correlationId());
      assertThat(byEvent.json().path("servedBy").asText()).isEqualTo(address(other));
    }
  }

  @Test
  void shouldMergeListsOfBothInstancesAndApplyTheLimitOnce() {
    JsonNode everything = httpB.get("/api/workflows/open?limit=100").json();
    List<String> allIds = ids(everything.path("workflows"));
    Set<String> servedBy = new TreeSet<>();
    everything.path("workflows").forEach(w -> servedBy.add(w.path("servedBy").asText()));

    HttpProbe.Answer limited = httpA.get("/api/workflows/open?limit=3");

    assertThat(allIds).containsExactlyInAnyOrderElementsOf(open.stream().map(Orders::correlationId).toList());
    assertThat(servedBy).containsExactlyInAnyOrder(address(a), address(b));
    assertThat(everything.path("instances")).hasSize(2);
    assertThat(limited.status()).isEqualTo(200);
    assertThat(ids(limited.json().path("workflows"))).as("the three oldest of all, not three per instance")
        .isEqualTo(allIds.subList(0, 3));
    everything.path("workflows").forEach(w -> assertThat(ids(w.path("pendingBranches"), "consumer"))
        .as(w.path("workflowId").asText()).containsExactly("shipping"));

    for (HttpProbe probe : List.of(httpA, httpB)) {
      HttpProbe.Answer alerts = probe.await("/api/alerts", r -> r.json().path("alerts").size() > 0, WAIT);
      assertThat(alerts.json().path("alerts")).as(alerts.body()).hasSize(1);
      JsonNode alert = alerts.json().path("alerts").get(0);
      assertThat(alert.path("kind").asText()).isEqualTo("SILENT_FAILURE");
      assertThat(alert.path("latest").path("consumer").asText()).isEqualTo("analytics");
      assertThat(alert.path("count").asLong()).isEqualTo(finished.size());
    }
  }

  @Test
  void shouldServeAStoredSpanNodeGraphFramesAndTheWebViewOfAWorkflowHeldByTheOtherInstance() {
    for (TracestitchApp asked : List.of(a, b)) {
      HttpProbe probe = asked == a ? httpA : httpB;
      TracestitchApp other = asked == a ? b : a;
      Orders elsewhere = heldBy(other, finished);
      String path = "/api/workflows/" + elsewhere.correlationId();
      JsonNode shipping = StreamSupport.stream(probe.get(path).json().path("graph").path("nodes").spliterator(), false)
          .filter(n -> n.path("service").asText().equals("shipping")).findFirst().orElseThrow();

      HttpProbe.Answer span = probe.get(path + "/spans/" + shipping.path("traceId").asText() + "/"
          + shipping.path("spanId").asText());
      assertThat(span.status()).as(span.body()).isEqualTo(200);
      assertThat(span.json().path("servedBy").asText()).isEqualTo(address(other));
      assertThat(span.json().path("span").path("name").asText()).isEqualTo(shipping.path("name").asText());
      assertThat(span.json().path("span").path("attributes").path("messaging.consumer.group.name").asText())
          .isEqualTo("shipping");
      assertError(probe.get(path + "/spans/" + shipping.path("traceId").asText() + "/00000000000000ff"), 404,
          "stores no span 00000000000000ff");

      HttpProbe.Answer frames = probe.get(path + "/nodegraph");
      assertThat(frames.status()).as(frames.body()).isEqualTo(200);
      assertThat(NodeGraphFieldRules.violations(frames.json())).isEmpty();
      assertThat(ids(frames.json().path("nodes"), "title")).contains("shipping", "analytics", Orders.ORDER_CREATED);
      HttpProbe.Answer withFrames = probe.get(path + "?nodegraph=true");
      // The same frames (deadlines are said relative to the moment of assembly, so ids and titles are compared).
      assertThat(ids(withFrames.json().path("nodegraph").path("nodes"), "title"))
          .isEqualTo(ids(frames.json().path("nodes"), "title"));
      assertThat(ids(withFrames.json().path("nodegraph").path("edges"), "id"))
          .isEqualTo(ids(frames.json().path("edges"), "id"));

      HttpProbe.Answer page = probe.get("/ui/workflows/" + elsewhere.correlationId());
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.body()).contains("/ui/assets/workflow.js");
    }
  }

  @Test
  void shouldListRecentWorkflowsOfBothInstancesByStatusNewestFirst() {
    HttpProbe.Answer failed = httpA.get("/api/workflows/recent?status=FAILED&limit=100");
    HttpProbe.Answer incomplete = httpB.get("/api/workflows/recent?status=incomplete&limit=100");
    HttpProbe.Answer any = httpB.get("/api/workflows/recent?limit=100");
    HttpProbe.Answer three = httpA.get("/api/workflows/recent?limit=3");

    assertThat(failed.status()).as(failed.body()).isEqualTo(200);
    assertThat(ids(failed.json().path("workflows")))
        .containsExactlyInAnyOrderElementsOf(finished.stream().map(Orders::correlationId).toList());
    assertThat(ids(incomplete.json().path("workflows"), "status")).containsOnly("INCOMPLETE");
    assertThat(ids(incomplete.json().path("workflows")))
        .containsExactlyInAnyOrderElementsOf(open.stream().map(Orders::correlationId).toList());
    List<Long> activity = StreamSupport.stream(any.json().path("workflows").spliterator(), false)
        .map(w -> w.path("lastActivityMs").asLong()).toList();
    assertThat(activity).hasSize(all().size()).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    assertThat(ids(three.json().path("workflows"))).as("the three newest of all, not three per instance")
        .isEqualTo(ids(any.json().path("workflows")).subList(0, 3));
    assertError(httpA.get("/api/workflows/recent?status=BROKEN"), 400, "'status' must be one of");
  }

  @Test
  void shouldAnswerUnknownIdsWith404AndBadParametersWith400() {
    for (HttpProbe probe : List.of(httpA, httpB)) {
      assertError(probe.get("/api/workflows/order-nobody"), 404, "No workflow 'order-nobody'");
      assertError(probe.get("/api/traces/0af7651916cd43dd8448eb211c80319c"), 404, "No trace");
      assertError(probe.get("/api/events/evt-nobody"), 404, "No stored workflow holds the event");
      assertError(probe.get("/api/nothing"), 404, "There is no endpoint /api/nothing");
      assertError(probe.get("/api/workflows/open?limit=abc"), 400, "'limit' must be a whole number");
      assertError(probe.get("/api/workflows/open?limit=0"), 400, "'limit' must be a whole number");
      assertError(probe.get("/api/alerts?limit=1001"), 400, "from 1 to 1000");
      assertError(probe.get("/api/workflows"), 400, "Name the correlation id");
      assertError(probe.get("/api/traces/not-a-trace"), 400, "is not a trace id");
      assertError(probe.get("/api/workflows/order-1?forwarded=maybe"), 400, "'forwarded' must be true or false");
    }
  }

  @Test
  void shouldBeAliveAndReadyAndCountTheRecordsSentInMetrics() {
    for (HttpProbe probe : List.of(httpA, httpB)) {
      assertThat(probe.get("/healthz").status()).isEqualTo(200);
      HttpProbe.Answer ready = probe.get("/readyz");
      assertThat(ready.status()).as(ready.body()).isEqualTo(200);
      assertThat(ready.json().path("state").asText()).isEqualTo("RUNNING");
    }
    Map<String, String> spansIn = Map.of("topic", application.spans(), "outcome", "in");
    awaitMetric("tracestitch_input_records_total", spansIn, spanBatches);
    awaitMetric("tracestitch_input_records_total", Map.of("topic", application.spans(), "outcome", "used"),
        spanBatches);
    awaitMetric("tracestitch_input_records_total", Map.of("topic", application.orders(), "outcome", "in"),
        all().size());
    awaitMetric("tracestitch_workflows_total", Map.of("event", "opened"), all().size());
    awaitMetric("tracestitch_workflows_total", Map.of("event", "published"), finished.size());
    awaitMetric("tracestitch_workflow_spans_count", Map.of(), finished.size());
    awaitMetric("tracestitch_stitch_latency_seconds_count", Map.of(), finished.size());
    // Each finished order has the order service's two spans plus shipping's and analytics' attempts.
    awaitMetric("tracestitch_workflow_spans_sum", Map.of(), finished.size() * 4);
    awaitMetric("tracestitch_alerts_sent_total", Map.of("kind", "silent_failure", "action", "trigger"), 1);
    awaitMetric("tracestitch_alerts_firing", Map.of("kind", "silent_failure"), 1);

    PrometheusSamples metricsA = metrics(httpA);
    PrometheusSamples metricsB = metrics(httpB);
    for (PrometheusSamples m : List.of(metricsA, metricsB)) {
      assertThat(m.sum("tracestitch_streams_state", Map.of("state", "RUNNING"))).isEqualTo(1);
      assertThat(m.sum("kafka_streams_alive_stream_threads", Map.of())).isEqualTo(1);
      assertThat(m.sum("tracestitch_workflows_stored", Map.of())).as("both hold workflows").isGreaterThan(0);
      assertThat(m.has("tracestitch_store_entries", Map.of("store", WorkflowView.EVENT_INDEX_STORE))).isTrue();
    }
    Set<String> lagPartitions = new TreeSet<>(metricsA.labelValues("tracestitch_consumer_lag", "partition",
        Map.of("topic", application.spans())));
    lagPartitions.addAll(metricsB.labelValues("tracestitch_consumer_lag", "partition",
        Map.of("topic", application.spans())));
    assertThat(lagPartitions).containsExactly("0", "1", "2");
    assertThat(metricsA.sum("tracestitch_consumer_lag", Map.of("topic", application.spans()))
        + metricsB.sum("tracestitch_consumer_lag", Map.of("topic", application.spans()))).isZero();
    Set<String> confirmedPartitions = new TreeSet<>(metricsA.labelValues("tracestitch_read_to_end_age_seconds",
        "partition", Map.of("topic", application.spans())));
    confirmedPartitions.addAll(metricsB.labelValues("tracestitch_read_to_end_age_seconds", "partition",
        Map.of("topic", application.spans())));
    assertThat(confirmedPartitions).as("every span partition watched by the instance that reads it")
        .containsExactly("0", "1", "2");
    for (String partition : confirmedPartitions) {
      // The instance reading it now; one that read it before a hand-over still reports it for a while, ageing.
      Map<String, String> labels = Map.of("topic", application.spans(), "partition", partition);
      double age = List.of(metricsA, metricsB).stream()
          .filter(m -> m.has("tracestitch_read_to_end_age_seconds", labels)).mapToDouble(m -> m.sum("tracestitch_read_to_end_age_seconds", labels)).min().orElseThrow();
      assertThat(age).as("span partition %s, read to its end and quiet, is confirmed again and again", partition)
          .isBetween(0.0, 5.0);
    }
  }

  /** Waits until the metric summed over both instances has the value, then checks it is exactly that. */
  private void awaitMetric(String name, Map<String, String> labels, double expected) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    double total = -1;
    while (System.nanoTime() < deadline) {
      total = metrics(httpA).sum(name, labels) + metrics(httpB).sum(name, labels);
      if (total == expected) {
        break;
      }
      HttpProbe.sleep(200);
    }
    assertThat(total).as(name + labels + " over both instances").isEqualTo(expected);
  }

  private static PrometheusSamples metrics(HttpProbe probe) {
    HttpProbe.Answer answer = probe.get("/metrics");
    assertThat(answer.status()).isEqualTo(200);
    return new PrometheusSamples(answer.body());
  }

  private static void assertError(HttpProbe.Answer answer, int status, String sentence) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    assertThat(answer.json().path("error").asText()).contains(sentence).endsWith(".");
  }

  /** Both instances must hold by-workflow tasks, or "held by the other one" would be empty. */
  private void awaitBothHoldWorkflowPartitions() {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (running(a) && running(b) && a.streams().metadataForAllStreamsClients().size() == 2
          && !Instances.localPartitions(a.streams(), a.config().stitchSettings().byWorkflowTopic()).isEmpty()
          && !Instances.localPartitions(b.streams(), b.config().stitchSettings().byWorkflowTopic()).isEmpty()
          && httpA.get("/readyz").status() == 200 && httpB.get("/readyz").status() == 200) {
        return;
      }
      HttpProbe.sleep(200);
    }
    throw new AssertionError("The two instances did not share the by-workflow partitions within " + WAIT);
  }

  /**
   * At least two finished and three open orders on each instance, by where their workflow's partition
   * is active now, and on each instance the trace of at least one of them.
   */
  private void chooseOrders() {
    long start = System.currentTimeMillis() - 5_000;
    int[] finishedOn = new int[2];
    int[] openOn = new int[2];
    boolean[] traceOn = new boolean[2];
    for (int n = 1; n < 500 && !(finishedOn[0] >= 2 && finishedOn[1] >= 2 && openOn[0] >= 3 && openOn[1] >= 3
        && traceOn[0] && traceOn[1]); n++) {
      Orders order = Orders.order(n, start + n * 10L);
      int side = holder(a, WorkflowView.SUMMARY_STORE, order.correlationId()).equals(hostOf(a)) ? 0 : 1;
      int traceSide = holder(a, TraceView.STATE_STORE, order.trace()).equals(hostOf(a)) ? 0 : 1;
      if (finishedOn[side] < 2) {
        finished.add(order.consumer("shipping", Orders.Outcome.OK).consumer("analytics", Orders.Outcome.FAIL));
        finishedOn[side]++;
      } else if (openOn[side] < 3 || !traceOn[traceSide]) {
        open.add(order.consumer("loyalty", Orders.Outcome.OK));
        openOn[side]++;
      } else {
        continue;
      }
      traceOn[traceSide] = true;
    }
    assertThat(finishedOn).as("finished orders on A and B").containsExactly(2, 2);
    assertThat(openOn[0]).as("open orders on A").isGreaterThanOrEqualTo(3);
    assertThat(openOn[1]).as("open orders on B").isGreaterThanOrEqualTo(3);
    assertThat(traceOn).as("traces on A and B").containsExactly(true, true);
  }

  private List<Orders> all() {
    List<Orders> all = new ArrayList<>(finished);
    all.addAll(open);
    return all;
  }

  private Orders heldBy(TracestitchApp instance, List<Orders> orders) {
    return orders.stream().filter(o -> holder(instance, WorkflowView.SUMMARY_STORE, o.correlationId())
        .equals(hostOf(instance))).findFirst().orElseThrow();
  }

  private static HostInfo holder(TracestitchApp asked, String store, String key) {
    return asked.streams().queryMetadataForKey(store, key, new StringSerializer()).activeHost();
  }

  private static HostInfo hostOf(TracestitchApp instance) {
    return new HostInfo("127.0.0.1", instance.httpPort());
  }

  private static String address(TracestitchApp instance) {
    return "127.0.0.1:" + instance.httpPort();
  }

  private static boolean running(TracestitchApp instance) {
    return instance.streams().state() == KafkaStreams.State.RUNNING;
  }

  private static List<String> branchStates(JsonNode graph) {
    return StreamSupport.stream(graph.path("branches").spliterator(), false)
        .map(br -> br.path("consumer").asText() + "=" + br.path("state").asText()).toList();
  }

  private static List<String> ids(JsonNode workflows) {
    return ids(workflows, "workflowId");
  }

  private static List<String> ids(JsonNode nodes, String field) {
    return StreamSupport.stream(nodes.spliterator(), false).map(n -> n.path(field).asText()).toList();
  }
}
