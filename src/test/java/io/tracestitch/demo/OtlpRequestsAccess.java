package io.tracestitch.demo;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.Collection;

/** Lets tests outside this package turn recorded SDK spans into the OTLP requests the demo's exporter sends. */
public final class OtlpRequestsAccess {
  private OtlpRequestsAccess() {}

  public static ExportTraceServiceRequest of(Collection<SpanData> spans) {
    return OtlpExportRequests.of(spans);
  }
}
