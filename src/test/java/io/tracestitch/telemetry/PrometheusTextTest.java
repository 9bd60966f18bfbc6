package io.tracestitch.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

  @Test
  void shouldRenderCountersGaugesAndHistogramsAsThePrometheusTextFormat() {
    PullReader reader = new PullReader();
    try (SdkMeterProvider provider = SdkMeterProvider.builder().registerMetricReader(reader).build()) {
      Meter meter = provider.get("test");
      var requests = meter.counterBuilder("test.requests").setUnit("{request}").setDescription("Requests.").build();
      requests.add(3, Attributes.of(AttributeKey.stringKey("route"), "/b"));
      requests.add(2, Attributes.of(AttributeKey.stringKey("route"), "/a"));
      meter.upDownCounterBuilder("test.queue").setDescription("Queued\nnow.").build().add(-4);
      meter.gaugeBuilder("test.mood").buildWithCallback(m -> m.record(0.25,
          Attributes.of(AttributeKey.stringKey("said"), "a \"quote\", a \\ and a\nbreak")));
      var latency = meter.histogramBuilder("test.latency").setUnit("s")
          .setExplicitBucketBoundariesAdvice(List.of(1.0, 2.5)).build();
      latency.record(0.5);
      latency.record(2);
      latency.record(10);

      assertThat(PrometheusText.render(reader.collect())).isEqualTo("""
          # TYPE test_latency_seconds histogram
          test_latency_seconds_bucket{le="1"} 1
          test_latency_seconds_bucket{le="2.5"} 2
          test_latency_seconds_bucket{le="+Inf"} 3
          test_latency_seconds_sum 12.5
          test_latency_seconds_count 3
          # TYPE test_mood gauge
          test_mood{said="a \\"quote\\", a \\\\ and a\\nbreak"} 0.25
          # HELP test_queue Queued\\nnow.
          # TYPE test_queue gauge
          test_queue -4
          # HELP test_requests_total Requests.
          # TYPE test_requests_total counter
          test_requests_total{route="/a"} 2
          test_requests_total{route="/b"} 3
          """);
    }
  }

  @Test
  void shouldTurnOpenTelemetryNamesIntoPrometheusNames() {
    assertThat(PrometheusText.sanitize("kafka.streams.process-rate", false)).isEqualTo("kafka_streams_process_rate");
    assertThat(PrometheusText.sanitize("9lives", false)).isEqualTo("_lives");
    assertThat(PrometheusText.sanitize("thread-id", true)).isEqualTo("thread_id");
    assertThat(PrometheusText.number(1e20)).isEqualTo("1.0E20");
    assertThat(PrometheusText.number(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
  }
}
