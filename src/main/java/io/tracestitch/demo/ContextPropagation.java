package io.tracestitch.demo;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Carries W3C trace context ({@code traceparent}, {@code tracestate}) across the simulated process
 * boundaries: Kafka record headers (UTF-8, as the OpenTelemetry Kafka instrumentation writes them) and the
 * request headers of the gateway's synchronous call to order.
 */
final class ContextPropagation {
  private static final TextMapPropagator W3C = W3CTraceContextPropagator.getInstance();

  private static final TextMapSetter<Headers> HEADER_SETTER = (headers, key, value) -> {
    headers.remove(key);
    headers.add(key, value.getBytes(StandardCharsets.UTF_8));
  };

  private static final TextMapGetter<Headers> HEADER_GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Headers headers) {
      List<String> keys = new ArrayList<>();
      for (Header header : headers) {
        keys.add(header.key());
      }
      return keys;
    }

    @Override
    public String get(Headers headers, String key) {
      Header header = headers == null ? null : headers.lastHeader(key);
      return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
  };

  private static final TextMapSetter<Map<String, String>> MAP_SETTER = Map::put;

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

  private ContextPropagation() {}

  static void inject(Context context, Headers headers) {
    W3C.inject(context, headers, HEADER_SETTER);
  }

  static Context extract(Headers headers) {
    return W3C.extract(Context.root(), headers, HEADER_GETTER);
  }

  static void inject(Context context, Map<String, String> requestHeaders) {
    W3C.inject(context, requestHeaders, MAP_SETTER);
  }

  static Context extract(Map<String, String> requestHeaders) {
    return W3C.extract(Context.root(), requestHeaders, MAP_GETTER);
  }
}
