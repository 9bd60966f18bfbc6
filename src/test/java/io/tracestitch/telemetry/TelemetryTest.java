package io.tracestitch.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.tracestitch.avro.NodeKind;
import io.tracestitch.replay.ReplayDriver;
import io.tracestitch.testing.Checkout;
import io.tracestitch.testing.FaultyCheckout;
import io.tracestitch.testing.TimedInput;
import io.tracestitch.topology.StitchCounters;
import io.tracestitch.topology.StitchSerdes;
import io.tracestitch.topology.StitchSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TelemetryTest {

  @Test
  void shouldExposeTheStitchCountersAsCountersWithAttributes() {
    StitchCounters counters = new StitchCounters();
    counters.record("otlp_spans", StitchCounters.Outcome.IN);
    counters.record("otlp_spans", StitchCounters.Outcome.IN);
    counters.record("otlp_spans", StitchCounters.Outcome.USED);
    counters.record("otlp_spans", StitchCounters.Outcome.DEAD_LETTERED);
    counters.add("workflows.published", 7);
    counters.add("alerts.silent_failure.trigger", 2);

    try (Telemetry telemetry = Telemetry.start(counters, "test:1", "", Duration.ofMinutes(1))) {
      String text = telemetry.prometheusText();

      assertThat(text).contains("# TYPE tracestitch_input_records_total counter\n")
          .contains("tracestitch_input_records_total{outcome=\"in\",topic=\"otlp_spans\"} 2\n")
          .contains("tracestitch_input_records_total{outcome=\"used\",topic=\"otlp_spans\"} 1\n")
          .contains("tracestitch_input_records_total{outcome=\"dead_lettered\",topic=\"otlp_spans\"} 1\n")
          .contains("tracestitch_workflows_total{event=\"published\"} 7\n")
          .contains("tracestitch_alerts_sent_total{action=\"trigger\",kind=\"silent_failure\"} 2\n");
      counters.add("workflows.published", 1);
      assertThat(telemetry.prometheusText()).as("read at every scrape")
          .contains("tracestitch_workflows_total{event=\"published\"} 8\n");
    }
  }

  @Test
  void shouldRecordSpansAndStitchLatencyOfEveryPublishedGraph() {
    Checkout checkout = new Checkout(1, Checkout.T0);
    StitchSettings settings = StitchSettings.defaults()
        .withEventTopics(List.of(Checkout.ORDER_CREATED, Checkout.PAYMENT_AUTHORIZED));
    try (Telemetry telemetry = Telemetry.start(new StitchCounters(), "test:1", "", Duration.ofMinutes(1));
         ReplayDriver driver = new ReplayDriver(settings, StitchSerdes.avro(), Instant.ofEpochMilli(Checkout.T0),
             List.of(telemetry.graphListener()))) {
      TimedInput.pipeAll(checkout.inputs(), driver);
      driver.finish();
      assertThat(driver.graphs()).hasSize(1);
      long lastSpanEnd = driver.graphs().get(0).getNodes().stream()
          .filter(n -> n.getKind() == NodeKind.SPAN).mapToLong(n -> n.getEndMs()).max().orElseThrow();
      double latency = (driver.graphs().get(0).getPublishedAtMs() - lastSpanEnd) / 1000.0;

      String text = telemetry.prometheusText();

      // The seven-service checkout has 12 spans (and two events, which are not spans).
      assertThat(text).contains("tracestitch_workflow_spans_count{publish_reason=\"quiet\"} 1\n")
          .contains("tracestitch_workflow_spans_sum{publish_reason=\"quiet\"} 12\n")
          .contains("tracestitch_workflow_spans_bucket{le=\"10\",publish_reason=\"quiet\"} 0\n")
          .contains("tracestitch_workflow_spans_bucket{le=\"20\",publish_reason=\"quiet\"} 1\n")
          .contains("tracestitch_stitch_latency_seconds_count{publish_reason=\"quiet\"} 1\n")
          .contains("tracestitch_stitch_latency_seconds_sum{publish_reason=\"quiet\"} "
              + PrometheusText.number(latency) + "\n");
      assertThat(latency).as("at least the inactivity gap after the last span").isGreaterThanOrEqualTo(30);
    }
  }

  @Test
  void shouldCountTheFindingsOfEachKindOncePerWorkflow() {
    StitchSettings settings = StitchSettings.defaults().withEventTopics(List.of(FaultyCheckout.ORDER_CREATED));
    try (Telemetry telemetry = Telemetry.start(new StitchCounters(), "test:1", "", Duration.ofMinutes(1));
         ReplayDriver driver = new ReplayDriver(settings, StitchSerdes.avro(), Instant.ofEpochMilli(Checkout.T0),
             List.of(telemetry.graphListener()))) {
      List<TimedInput> inputs = new java.util.ArrayList<>(new FaultyCheckout(1, Checkout.T0).paymentDown(3_000).inputs());
      inputs.addAll(new FaultyCheckout(2, Checkout.T0 + 1_000).paymentDown(3_000).inputs());
      inputs.addAll(new FaultyCheckout(3, Checkout.T0 + 2_000).loyaltyQueries(40, 10, false).inputs());
      TimedInput.pipeAll(inputs, driver);
      driver.finish();

      assertThat(telemetry.prometheusText())
          .contains("tracestitch_workflow_findings_total{kind=\"error_origin\"} 2\n")
          .contains("tracestitch_workflow_findings_total{kind=\"repeated_calls\"} 1\n")
          .doesNotContain("kind=\"slow_step\"");
    }
  }

  @Test
  void shouldPushTheSameMetricsOverOtlpWhenAnEndpointIsSet() throws Exception {
    List<byte[]> received = new CopyOnWriteArrayList<>();
    HttpServer collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    collector.createContext("/v1/metrics", exchange -> {
      received.add(exchange.getRequestBody().readAllBytes());
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    collector.start();
    try {
      StitchCounters counters = new StitchCounters();
      counters.record("orders", StitchCounters.Outcome.USED);
      String endpoint = "http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/metrics";
      try (Telemetry telemetry = Telemetry.start(counters, "test:7", endpoint, Duration.ofHours(1))) {
        assertThat(telemetry.flush(Duration.ofSeconds(10))).isTrue();
      }

      assertThat(received).isNotEmpty();
      ExportMetricsServiceRequest request = ExportMetricsServiceRequest.parseFrom(received.get(0));
      var resource = request.getResourceMetrics(0).getResource().getAttributesList().stream()
          .collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().getStringValue()));
      assertThat(resource).containsEntry("service.name", "tracestitch").containsEntry("service.instance.id", "test:7");
      Metric records = request.getResourceMetrics(0).getScopeMetrics(0).getMetricsList().stream()
          .filter(m -> m.getName().equals(CounterName.INPUT_RECORDS)).findFirst().orElseThrow();
      assertThat(records.getSum().getIsMonotonic()).isTrue();
      NumberDataPoint point = records.getSum().getDataPoints(0);
      assertThat(point.getAsInt()).isEqualTo(1);
      assertThat(point.getAttributesList().stream().collect(Collectors.toMap(KeyValue::getKey,
          kv -> kv.getValue().getStringValue()))).isEqualTo(Map.of("topic", "orders", "outcome", "used"));
    } finally {
      collector.stop(0);
    }
  }
}
