package io.tracestitch.topology.ingest;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

/** Writes OTLP/JSON the way the Collector does (hex ids, integer enums): for replay files and tests. */
public final class OtlpJson {
  private static final JsonRequestFormat FORMAT = new JsonRequestFormat();

  private OtlpJson() {}

  public static byte[] encode(ExportTraceServiceRequest request) {
    return FORMAT.encode(request);
  }
}
