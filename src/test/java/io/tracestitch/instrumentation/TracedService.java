package io.tracestitch.instrumentation;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

/**
 * The OpenTelemetry SDK of one recorded service, as that service's process would set it up: its resource
 * ({@code service.name}), W3C trace context propagation (unless it was configured without, the way a service
 * drops the context), and every finished span handed to the recording's in-memory exporter.
 */
final class TracedService implements AutoCloseable {
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  final String name;
  final OpenTelemetrySdk sdk;

  TracedService(String name, InMemorySpanExporter exporter, boolean propagatesContext) {
    this.name = name;
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(SERVICE_NAME, name))))
        .addSpanProcessor(SimpleSpanProcessor.create(exporter))
        .build();
    this.sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(provider)
        .setPropagators(propagatesContext ? ContextPropagators.create(W3CTraceContextPropagator.getInstance())
            : ContextPropagators.noop())
        .build();
  }

  Tracer tracer() {
    return sdk.getTracer("io.tracestitch.fixtures." + name);
  }

  @Override
  public void close() {
    sdk.getSdkTracerProvider().forceFlush();
    sdk.close();
  }
}
