package io.tracestitch.topology.ingest;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * A Kafka record's headers as text, with names compared case-insensitively: producers write {@code X-Trace-Id},
 * {@code x-trace-id} and {@code TraceParent} for the same thing. When a name repeats, the last value wins, as
 * with {@link Headers#lastHeader}.
 */
final class HeaderValues {
  private final Map<String, byte[]> byLowerCaseName = new HashMap<>();

  HeaderValues(Headers headers) {
    if (headers != null) {
      for (Header header : headers) {
        if (header.key() != null && header.value() != null) {
          byLowerCaseName.put(header.key().toLowerCase(Locale.ROOT), header.value());
        }
      }
    }
  }

  /** The header's value as trimmed, non-blank text, or null when absent, blank or not UTF-8. */
  String get(String name) {
    byte[] value = byLowerCaseName.get(name.toLowerCase(Locale.ROOT));
    if (value == null) {
      return null;
    }
    String text = Utf8.decodeOrNull(value);
    if (text == null) {
      return null;
    }
    text = text.trim();
    // Spring's JSON header mapper writes a string header as a JSON string, quotes included.
    if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
      text = text.substring(1, text.length() - 1).trim();
    }
    return text.isEmpty() ? null : text;
  }

  /** The first of the names with a value. */
  String first(List<String> names) {
    return first(names, Function.identity());
  }

  /** The first value that {@code usable} accepts (returns non-null for), as it returns it. */
  <T> T first(List<String> names, Function<String, T> usable) {
    for (String name : names) {
      String value = get(name);
      T accepted = value == null ? null : usable.apply(value);
      if (accepted != null) {
        return accepted;
      }
    }
    return null;
  }
}
