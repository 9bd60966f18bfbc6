package io.tracestitch.demo;

import com.google.protobuf.ByteString;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.SpanFlags;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finished SDK spans as one OTLP {@link ExportTraceServiceRequest}: spans grouped by resource, then by
 * instrumentation scope, as the OTLP exporters and the Collector lay a batch out.
 */
final class OtlpExportRequests {
  private OtlpExportRequests() {}

  static ExportTraceServiceRequest of(Collection<SpanData> spans) {
    Map<Resource, Map<InstrumentationScopeInfo, List<Span>>> grouped = new LinkedHashMap<>();
    for (SpanData span : spans) {
      grouped.computeIfAbsent(span.getResource(), r -> new LinkedHashMap<>())
          .computeIfAbsent(span.getInstrumentationScopeInfo(), s -> new ArrayList<>())
          .add(span(span));
    }
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    grouped.forEach((resource, byScope) -> {
      ResourceSpans.Builder resourceSpans = ResourceSpans.newBuilder()
          .setResource(io.opentelemetry.proto.resource.v1.Resource.newBuilder()
              .addAllAttributes(OtlpValues.of(resource.getAttributes())))
          .setSchemaUrl(nullToEmpty(resource.getSchemaUrl()));
      byScope.forEach((scope, scopeSpans) -> resourceSpans.addScopeSpans(ScopeSpans.newBuilder()
          .setScope(InstrumentationScope.newBuilder()
              .setName(scope.getName())
              .setVersion(nullToEmpty(scope.getVersion()))
              .addAllAttributes(OtlpValues.of(scope.getAttributes())))
          .setSchemaUrl(nullToEmpty(scope.getSchemaUrl()))
          .addAllSpans(scopeSpans)));
      request.addResourceSpans(resourceSpans);
    });
    return request.build();
  }

  private static Span span(SpanData data) {
    Span.Builder span = Span.newBuilder()
        .setTraceId(ByteString.copyFrom(data.getSpanContext().getTraceIdBytes()))
        .setSpanId(ByteString.copyFrom(data.getSpanContext().getSpanIdBytes()))
        .setTraceState(traceState(data.getSpanContext()))
        .setFlags(flags(data.getSpanContext(), data.getParentSpanContext()))
        .setName(data.getName())
        .setKind(kind(data.getKind()))
        .setStartTimeUnixNano(data.getStartEpochNanos())
        .setEndTimeUnixNano(data.getEndEpochNanos())
        .addAllAttributes(OtlpValues.of(data.getAttributes()))
        .setDroppedAttributesCount(data.getTotalAttributeCount() - data.getAttributes().size())
        .setDroppedEventsCount(data.getTotalRecordedEvents() - data.getEvents().size())
        .setDroppedLinksCount(data.getTotalRecordedLinks() - data.getLinks().size())
        .setStatus(status(data));
    if (data.getParentSpanContext().isValid()) {
      span.setParentSpanId(ByteString.copyFrom(data.getParentSpanContext().getSpanIdBytes()));
    }
    for (EventData event : data.getEvents()) {
      span.addEvents(Span.Event.newBuilder()
          .setTimeUnixNano(event.getEpochNanos())
          .setName(event.getName())
          .addAllAttributes(OtlpValues.of(event.getAttributes()))
          .setDroppedAttributesCount(event.getDroppedAttributesCount()));
    }
    for (LinkData link : data.getLinks()) {
      span.addLinks(Span.Link.newBuilder()
          .setTraceId(ByteString.copyFrom(link.getSpanContext().getTraceIdBytes()))
          .setSpanId(ByteString.copyFrom(link.getSpanContext().getSpanIdBytes()))
          .setTraceState(traceState(link.getSpanContext()))
          .setFlags(flags(link.getSpanContext(), link.getSpanContext()))
          .addAllAttributes(OtlpValues.of(link.getAttributes()))
          .setDroppedAttributesCount(link.getTotalAttributeCount() - link.getAttributes().size()));
    }
    return span.build();
  }

  /** The W3C trace flags, plus whether the parent (or linked) context came from another process. */
  private static int flags(SpanContext own, SpanContext remoteCandidate) {
    int flags = own.getTraceFlags().asByte() & SpanFlags.SPAN_FLAGS_TRACE_FLAGS_MASK_VALUE;
    flags |= SpanFlags.SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK_VALUE;
    if (remoteCandidate.isValid() && remoteCandidate.isRemote()) {
      flags |= SpanFlags.SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK_VALUE;
    }
    return flags;
  }

  private static String traceState(SpanContext context) {
    StringBuilder w3c = new StringBuilder();
    context.getTraceState().forEach((key, value) -> {
      if (w3c.length() > 0) {
        w3c.append(',');
      }
      w3c.append(key).append('=').append(value);
    });
    return w3c.toString();
  }

  private static Span.SpanKind kind(io.opentelemetry.api.trace.SpanKind kind) {
    switch (kind) {
      case SERVER:
        return Span.SpanKind.SPAN_KIND_SERVER;
      case CLIENT:
        return Span.SpanKind.SPAN_KIND_CLIENT;
      case PRODUCER:
        return Span.SpanKind.SPAN_KIND_PRODUCER;
      case CONSUMER:
        return Span.SpanKind.SPAN_KIND_CONSUMER;
      case INTERNAL:
        return Span.SpanKind.SPAN_KIND_INTERNAL;
      default:
        return Span.SpanKind.SPAN_KIND_UNSPECIFIED;
    }
  }

  private static Status status(SpanData data) {
    Status.Builder status = Status.newBuilder().setMessage(nullToEmpty(data.getStatus().getDescription()));
    switch (data.getStatus().getStatusCode()) {
      case OK:
        return status.setCode(Status.StatusCode.STATUS_CODE_OK).build();
      case ERROR:
        return status.setCode(Status.StatusCode.STATUS_CODE_ERROR).build();
      default:
        return status.setCode(Status.StatusCode.STATUS_CODE_UNSET).build();
    }
  }

  private static String nullToEmpty(String text) {
    return text == null ? "" : text;
  }
}
