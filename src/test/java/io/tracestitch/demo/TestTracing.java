package io.tracestitch.demo;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

/** A real SDK tracer of one named service whose finished spans land in a {@link CollectingSpanExporter}. */
final class TestTracing implements AutoCloseable {
  final CollectingSpanExporter exported = new CollectingSpanExporter();
  private final SdkTracerProvider provider;

  TestTracing(String service, String version) {
    provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
            ServiceTracing.SERVICE_NAME, service, ServiceTracing.SERVICE_VERSION, version))))
        .addSpanProcessor(SimpleSpanProcessor.create(exported))
        .build();
  }

  Tracer tracer() {
    return provider.get("test");
  }

  @Override
  public void close() {
    provider.close();
  }
}
