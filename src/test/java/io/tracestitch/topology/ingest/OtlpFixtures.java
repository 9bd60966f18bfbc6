package io.tracestitch.topology.ingest;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.HexFormat;

/** Builds OTLP requests the way an SDK and the Collector would, with the published protobuf classes. */
final class OtlpFixtures {
  /** 2023-11-14T22:13:20Z in nanoseconds: a plausible span start. */
  static final long T0 = 1_700_000_000_000_000_000L;

  private OtlpFixtures() {}

  static ByteString id(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }

  static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  static KeyValue attr(String key, long value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
  }

  static KeyValue attr(String key, double value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setDoubleValue(value)).build();
  }

  /** A finished span of 5 ms starting {@code startOffsetMs} after {@link #T0}. */
  static Span.Builder span(String traceHex, String spanHex, String name, long startOffsetMs) {
    long start = T0 + startOffsetMs * 1_000_000L;
    return Span.newBuilder()
        .setTraceId(id(traceHex))
        .setSpanId(id(spanHex))
        .setName(name)
        .setKind(Span.SpanKind.SPAN_KIND_INTERNAL)
        .setStartTimeUnixNano(start)
        .setEndTimeUnixNano(start + 5_000_000L);
  }

  static ResourceSpans resource(String service, Span.Builder... spans) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder()
        .setScope(InstrumentationScope.newBuilder().setName("io.opentelemetry.kafka-clients-2.6").setVersion("2.10.0"));
    for (Span.Builder span : spans) {
      scope.addSpans(span);
    }
    return ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(attr("service.name", service)))
        .addScopeSpans(scope)
        .build();
  }

  static ExportTraceServiceRequest request(ResourceSpans... resources) {
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    for (ResourceSpans resource : resources) {
      request.addResourceSpans(resource);
    }
    return request.build();
  }
}
