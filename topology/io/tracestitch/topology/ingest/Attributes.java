package io.tracestitch.topology.ingest;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.List;

/**
 * Key lookups over an OTLP attribute list. The lists are short and looked up a handful of times per span, so
 * scanning beats building a map; when a key repeats (a protocol violation), the last one wins, as in the SDKs.
 */
final class Attributes {
  private final List<KeyValue> entries;

  Attributes(List<KeyValue> entries) {
    this.entries = entries;
  }

  List<KeyValue> entries() {
    return entries;
  }

  /** The value under the key, or null when absent or holding nothing. */
  AnyValue get(String key) {
    AnyValue found = null;
    for (KeyValue entry : entries) {
      if (entry.getKey().equals(key) && entry.hasValue()
          && entry.getValue().getValueCase() != AnyValue.ValueCase.VALUE_NOT_SET) {
        found = entry.getValue();
      }
    }
    return found;
  }

  /** The first of the keys whose value reads as non-blank text. */
  String firstText(List<String> keys) {
    for (String key : keys) {
      String text = AnyValues.text(get(key));
      if (text != null && !text.isBlank()) {
        return text;
      }
    }
    return null;
  }

  String firstText(String... keys) {
    return firstText(List.of(keys));
  }

  /** The first of the keys whose value reads as a whole number. */
  Long firstInteger(String... keys) {
    for (String key : keys) {
      Long number = AnyValues.integer(get(key));
      if (number != null) {
        return number;
      }
    }
    return null;
  }

  boolean anyKeyStartsWith(String prefix) {
    for (KeyValue entry : entries) {
      if (entry.getKey().startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }
}
