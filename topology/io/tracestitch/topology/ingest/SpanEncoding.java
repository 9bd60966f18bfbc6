package io.tracestitch.topology.ingest;

import java.util.Locale;

/** How the OpenTelemetry Collector's Kafka exporter encoded the span records (its {@code encoding} setting). */
public enum SpanEncoding {
  /** Binary protobuf {@code ExportTraceServiceRequest}: the exporter's default. */
  OTLP_PROTO,
  /** OTLP/JSON: the protobuf JSON mapping, except that ids are hex strings and enums integers. */
  OTLP_JSON;

  /**
   * Reads the encoding under the collector's own names, so a configuration can be copied from the
   * exporter's. Case, surrounding blanks and a dash instead of the underscore are forgiven.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static SpanEncoding parse(String text) {
    if (text != null) {
      String normalised = text.trim().toLowerCase(Locale.ROOT).replace('-', '_');
      for (SpanEncoding encoding : values()) {
        if (encoding.name().toLowerCase(Locale.ROOT).equals(normalised)) {
          return encoding;
        }
      }
    }
    throw new IllegalArgumentException("Unknown span encoding '" + text
        + "': expected otlp_proto or otlp_json (the OpenTelemetry Collector Kafka exporter's encoding).");
  }
}
