package io.tracestitch.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.tracestitch.http.Restorations;
import io.tracestitch.topology.StitchCounters;
import io.tracestitch.topology.workflow.GraphListener;
import io.tracestitch.topology.workflow.TelemetryCompleteness;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;

/**
 * tracestitch's own metrics, kept by the OpenTelemetry SDK: rendered as Prometheus text for
 * {@code /metrics} on every scrape and, when an endpoint is configured, pushed over OTLP/HTTP too.
 * The SDK instance is private to tracestitch (never the global one), so it cannot mix with the
 * instrumentation of anything else in the JVM, such as the demo's traced services.
 *
 * <p>Created before the topology (which takes its {@link #graphListener()}), then told of the Kafka
 * Streams instance once that exists ({@link #observe}).
 */
public final class Telemetry implements AutoCloseable {
  private static final String SCOPE = "io.tracestitch";

  private final SdkMeterProvider provider;
  private final PullReader scrapes;
  private final Meter meter;
  private final GraphMetrics graphs;
  private final TelemetryCompleteness completeness = new TelemetryCompleteness();

  private Telemetry(SdkMeterProvider provider, PullReader scrapes) {
    this.provider = provider;
    this.scrapes = scrapes;
    this.meter = provider.get(SCOPE);
    this.graphs = new GraphMetrics(meter);
    CompletenessMetrics.register(meter, completeness);
  }

  /**
   * @param instance this instance's name among its peers (its application.server), as service.instance.id
   * @param otlpEndpoint an OTLP/HTTP metrics URL, or empty for none
   */
  public static Telemetry start(StitchCounters counters, String instance, String otlpEndpoint, Duration otlpInterval) {
    PullReader scrapes = new PullReader();
    SdkMeterProviderBuilder builder = SdkMeterProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
            AttributeKey.stringKey("service.name"), "tracestitch",
            AttributeKey.stringKey("service.instance.id"), instance))))
        .registerMetricReader(scrapes);
    if (!otlpEndpoint.isEmpty()) {
      builder.registerMetricReader(PeriodicMetricReader.builder(
          OtlpHttpMetricExporter.builder().setEndpoint(otlpEndpoint).build()).setInterval(otlpInterval).build());
    }
    Telemetry telemetry = new Telemetry(builder.build(), scrapes);
    CounterMetrics.register(telemetry.meter, counters);
    return telemetry;
  }

  /** The meter other parts of tracestitch record their own instruments on (deliver-alerts' delivery metrics). */
  public Meter meter() {
    return meter;
  }

  /** Records spans per workflow, stitch latency and telemetry completeness of every published graph. */
  public GraphListener graphListener() {
    return (graph, nowMs) -> {
      graphs.published(graph, nowMs);
      completeness.published(graph, nowMs);
    };
  }

  /** Telemetry completeness per consuming service, as counted on this instance (GET /api/telemetry). */
  public TelemetryCompleteness completeness() {
    return completeness;
  }

  /**
   * Adds the metrics read from the running Kafka Streams instance: stores, state, restorations,
   * consumer lag and a selection of Streams' own metrics.
   *
   * @param storeNames every state store of the topology
   */
  public void observe(KafkaStreams streams, Restorations restorations, Set<String> storeNames) {
    StoreMetrics.register(meter, streams, Set.copyOf(storeNames));
    StreamsMetrics.register(meter, streams, restorations);
  }

  /**
   * Adds how long ago each partition the stages' clocks wait on was confirmed read to its end: {@code
   * unconfirmedForMs} gives, for a wall time, the milliseconds per partition (-1: not yet).
   */
  public void observeReadToEnd(LongFunction<Map<TopicPartition, Long>> unconfirmedForMs) {
    StreamsMetrics.registerReadToEnd(meter, unconfirmedForMs, Clock.systemUTC());
  }

  /** Every metric's current value in the Prometheus text format. */
  public String prometheusText() {
    return PrometheusText.render(scrapes.collect());
  }

  /** Pushes to the OTLP endpoint now, if there is one; waits at most the timeout. */
  public boolean flush(Duration timeout) {
    return provider.forceFlush().join(timeout.toMillis(), TimeUnit.MILLISECONDS).isSuccess();
  }

  /** Pushes a last time and stops. */
  @Override
  public void close() {
    provider.shutdown().join(10, TimeUnit.SECONDS);
  }
}
