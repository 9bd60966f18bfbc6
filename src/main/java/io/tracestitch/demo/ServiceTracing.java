package io.tracestitch.demo;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One simulated service's own OpenTelemetry SDK: its resource (service.name, service.version), its tracer
 * provider and a batch span processor, just as each real service process would have.
 */
final class ServiceTracing implements AutoCloseable {
  static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  static final AttributeKey<String> SERVICE_VERSION = AttributeKey.stringKey("service.version");
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

  private final SdkTracerProvider provider;
  private final Tracer tracer;

  ServiceTracing(String service, String version, SpanExporter exporter, Duration exportDelay) {
    this.provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
            SERVICE_NAME, service, SERVICE_VERSION, version))))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(exportDelay).build())
        .build();
    this.tracer = provider.get("io.tracestitch.demo." + service, version);
  }

  Tracer tracer() {
    return tracer;
  }

  /** Exports what is still queued, then stops: the service's last spans reach the topic. */
  @Override
  public void close() {
    provider.shutdown().join(SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
