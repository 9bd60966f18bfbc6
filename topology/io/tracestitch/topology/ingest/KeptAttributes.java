package io.tracestitch.topology.ingest;

import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses the span attributes worth carrying into a workflow graph. Everything else is dropped on purpose:
 * spans are stored per workflow, and their size is what the changelog pays for.
 */
final class KeptAttributes {
  private final List<String> exactKeys;
  private final List<String> prefixes;
  private final int maxAttributes;

  KeptAttributes(List<String> keptAttributes, int maxAttributes) {
    this.exactKeys = keptAttributes.stream().filter(k -> !k.endsWith(".*")).toList();
    this.prefixes = keptAttributes.stream()
        .filter(k -> k.endsWith(".*"))
        .map(k -> k.substring(0, k.length() - 1))
        .toList();
    this.maxAttributes = maxAttributes;
  }

  /** The kept attributes in the span's own order; more than the maximum, or a value too long, marks the cut. */
  Map<String, String> select(Attributes attributes, TextLimit limit) {
    Map<String, String> kept = new LinkedHashMap<>();
    for (KeyValue entry : attributes.entries()) {
      String key = entry.getKey();
      if (!wanted(key) || kept.containsKey(key)) {
        continue;
      }
      String value = AnyValues.text(entry.getValue());
      if (value == null) {
        continue;
      }
      if (kept.size() == maxAttributes) {
        limit.markCut();
        break;
      }
      kept.put(limit.apply(key), limit.apply(value));
    }
    return kept;
  }

  private boolean wanted(String key) {
    if (exactKeys.contains(key)) {
      return true;
    }
    for (String prefix : prefixes) {
      if (key.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }
}
