package io.tracestitch.topology.ingest;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.HexFormat;
import java.util.StringJoiner;

/**
 * Reads OTLP {@link AnyValue}s as the type the caller needs, whatever type the instrumentation chose: the same
 * attribute arrives as a string from one SDK and as an int from another (a Kafka partition, an offset).
 */
final class AnyValues {
  private AnyValues() {}

  /** The value as text, or null when it has none; arrays and maps are rendered so they can still be shown. */
  static String text(AnyValue value) {
    if (value == null) {
      return null;
    }
    return switch (value.getValueCase()) {
      case STRING_VALUE -> value.getStringValue();
      case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
      case INT_VALUE -> Long.toString(value.getIntValue());
      case DOUBLE_VALUE -> doubleText(value.getDoubleValue());
      case BYTES_VALUE -> HexFormat.of().formatHex(value.getBytesValue().toByteArray());
      case ARRAY_VALUE -> {
        StringJoiner joined = new StringJoiner(", ", "[", "]");
        value.getArrayValue().getValuesList().forEach(v -> joined.add(String.valueOf(text(v))));
        yield joined.toString();
      }
      case KVLIST_VALUE -> {
        StringJoiner joined = new StringJoiner(", ", "{", "}");
        for (KeyValue entry : value.getKvlistValue().getValuesList()) {
          joined.add(entry.getKey() + "=" + text(entry.getValue()));
        }
        yield joined.toString();
      }
      // A string-table index only means something inside a profiles dictionary, never in a trace.
      case STRING_VALUE_STRINDEX, VALUE_NOT_SET -> null;
    };
  }

  /** The value as a whole number, or null when it is not one (3.0 and "3" are; 3.5 and "three" are not). */
  static Long integer(AnyValue value) {
    if (value == null) {
      return null;
    }
    switch (value.getValueCase()) {
      case INT_VALUE:
        return value.getIntValue();
      case DOUBLE_VALUE: {
        double d = value.getDoubleValue();
        return d == Math.rint(d) && Math.abs(d) < 0x1p63 ? (long) d : null;
      }
      case STRING_VALUE:
        try {
          return Long.parseLong(value.getStringValue().trim());
        } catch (NumberFormatException notANumber) {
          return null;
        }
      default:
        return null;
    }
  }

  // Integral doubles print without ".0" so an offset sent as 42.0 reads like one sent as 42.
  private static String doubleText(double d) {
    if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 0x1p53) {
      return Long.toString((long) d);
    }
    return Double.toString(d);
  }
}
