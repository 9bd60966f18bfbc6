package io.tracestitch.topology.ingest;

import com.fasterxml.jackson.core.JsonPointer;
import java.util.ArrayList;
import java.util.List;

/** Validation shared by the settings records, so a bad configuration fails at start-up, not on the first record. */
final class SettingsValidation {
  private SettingsValidation() {}

  /** An immutable copy without blanks; a missing list means "none", which is easier to configure than to forbid. */
  static List<String> names(String setting, List<String> values) {
    if (values == null) {
      return List.of();
    }
    List<String> copy = new ArrayList<>(values.size());
    for (String value : values) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(setting + " contains a blank entry: " + values);
      }
      copy.add(value.trim());
    }
    return List.copyOf(copy);
  }

  static List<String> pointers(String setting, List<String> values) {
    List<String> copy = names(setting, values);
    for (String pointer : copy) {
      try {
        JsonPointer.compile(pointer);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(setting + " holds '" + pointer
            + "', which is not a JSON pointer (RFC 6901, e.g. /metadata/correlation_id): " + e.getMessage(), e);
      }
    }
    return copy;
  }
}
