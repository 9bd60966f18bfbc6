package io.tracestitch.topology.ingest;

import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.TraceId;
import java.util.Locale;
import java.util.regex.Pattern;

/** Normalises ids written as text by hand-rolled propagation into W3C ids, or rejects them. */
final class W3cIds {
  private static final Pattern UUID =
      Pattern.compile("\\p{XDigit}{8}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{12}");

  private W3cIds() {}

  /**
   * 32 hex digits in either case, or a UUID (which is 16 bytes too, so it can be a W3C trace id once its dashes
   * are gone), as lowercase hex; null for anything else, all zeros included.
   */
  static String traceId(String text) {
    if (text == null) {
      return null;
    }
    String candidate = text.trim();
    if (UUID.matcher(candidate).matches()) {
      candidate = candidate.replace("-", "");
    }
    candidate = candidate.toLowerCase(Locale.ROOT);
    return TraceId.isValid(candidate) ? candidate : null;
  }

  /** 16 hex digits as lowercase hex; null for anything else. A UUID is 16 bytes and cannot be a span id. */
  static String spanId(String text) {
    if (text == null) {
      return null;
    }
    String candidate = text.trim().toLowerCase(Locale.ROOT);
    return SpanId.isValid(candidate) ? candidate : null;
  }
}
