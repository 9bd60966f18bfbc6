package io.tracestitch.testing;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds OTLP export requests the way the Collector's Kafka exporter writes them, for tests. */
public final class Otlp {
  private final Map<String, List<Span>> spansByService = new LinkedHashMap<>();

  public static Otlp batch() {
    return new Otlp();
  }

  public static String traceId(int n) {
    return String.format("%032x", n);
  }

  public static String spanId(int n) {
    return String.format("%016x", n);
  }

  public SpanSpec span(String service, String traceId, String spanId, String parentSpanId, String name,
      Span.SpanKind kind, long startMs, long endMs) {
    return new SpanSpec(this, service, traceId, spanId, parentSpanId, name, kind, startMs, endMs);
  }

  void add(String service, Span span) {
    spansByService.computeIfAbsent(service, k -> new ArrayList<>()).add(span);
  }

  public ExportTraceServiceRequest request() {
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    spansByService.forEach((service, spans) -> request.addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(attr("service.name", service))
            .addAttributes(attr("service.version", "1.4.2")))
        .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(spans))));
    return request.build();
  }

  public byte[] toProto() {
    return request().toByteArray();
  }

  static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  static KeyValue attr(String key, long value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
  }

  public static ByteString bytesOf(String hex) {
    return bytes(hex);
  }

  static ByteString bytes(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }

  /** One span under construction; {@link #done()} adds it to its batch. */
  public static final class SpanSpec {
    private final Otlp batch;
    private final String service;
    private final Span.Builder span;

    SpanSpec(Otlp batch, String service, String traceId, String spanId, String parentSpanId, String name,
        Span.SpanKind kind, long startMs, long endMs) {
      this.batch = batch;
      this.service = service;
      this.span = Span.newBuilder().setTraceId(bytes(traceId)).setSpanId(bytes(spanId)).setName(name).setKind(kind)
          .setStartTimeUnixNano(startMs * 1_000_000L).setEndTimeUnixNano(endMs * 1_000_000L).setFlags(0x101);
      if (parentSpanId != null) {
        span.setParentSpanId(bytes(parentSpanId));
      }
    }

    public SpanSpec attr(String key, String value) {
      span.addAttributes(Otlp.attr(key, value));
      return this;
    }

    public SpanSpec attr(String key, long value) {
      span.addAttributes(Otlp.attr(key, value));
      return this;
    }

    /** A span of the current messaging conventions: destination, operation, consumer group. */
    public SpanSpec messaging(String destination, String operation, String consumerGroup) {
      attr("messaging.system", "kafka");
      attr("messaging.destination.name", destination);
      attr("messaging.operation.type", operation);
      if (consumerGroup != null) {
        attr("messaging.consumer.group.name", consumerGroup);
      }
      return this;
    }

    public SpanSpec link(String traceId, String spanId) {
      span.addLinks(Span.Link.newBuilder().setTraceId(bytes(traceId)).setSpanId(bytes(spanId)));
      return this;
    }

    public SpanSpec error(String message) {
      span.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage(message));
      span.addEvents(Span.Event.newBuilder().setName("exception").setTimeUnixNano(span.getEndTimeUnixNano())
          .addAttributes(Otlp.attr("exception.type", "java.io.IOException"))
          .addAttributes(Otlp.attr("exception.message", message)));
      return this;
    }

    public SpanSpec ok() {
      span.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_OK));
      return this;
    }

    public Otlp done() {
      batch.add(service, span.build());
      return batch;
    }
  }
}
