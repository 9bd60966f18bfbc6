package io.tracestitch.topology.ingest;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads W3C {@code traceparent} and {@code baggage} values with OpenTelemetry's own propagators, so the
 * edge cases of the specifications (versions, flags, percent-encoding, properties) are theirs, not ours.
 */
final class W3cPropagation {
  private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  private W3cPropagation() {}

  /**
   * The context of a traceparent value, or null when the propagator finds none. Any flags byte is accepted
   * ({@code 03} sets the random-trace-id bit next to sampled); sampled is bit 0.
   */
  static TraceContext traceparent(String traceparent) {
    return traceparent(traceparent, null);
  }

  static TraceContext traceparent(String traceparent, String tracestate) {
    if (traceparent == null) {
      return null;
    }
    Map<String, String> carrier = new HashMap<>();
    // The specification asks for lowercase hex; forgiving upper case costs nothing and rescues hand-made values.
    carrier.put("traceparent", traceparent.trim().toLowerCase(Locale.ROOT));
    if (tracestate != null) {
      carrier.put("tracestate", tracestate);
    }
    Context context = W3CTraceContextPropagator.getInstance().extract(Context.root(), carrier, MAP_GETTER);
    SpanContext span = Span.fromContext(context).getSpanContext();
    if (!span.isValid()) {
      return null;
    }
    return new TraceContext(span.getTraceId(), span.getSpanId(), span.isSampled());
  }

  /** The first of the keys present in a baggage header value, or null. */
  static String baggageEntry(String baggage, List<String> keys) {
    if (baggage == null || keys.isEmpty()) {
      return null;
    }
    Context context = W3CBaggagePropagator.getInstance().extract(Context.root(), Map.of("baggage", baggage),
        MAP_GETTER);
    Baggage entries = Baggage.fromContext(context);
    for (String key : keys) {
      String value = entries.getEntryValue(key);
      if (value != null && !value.isBlank()) {
        return value.trim();
      }
    }
    return null;
  }
}
