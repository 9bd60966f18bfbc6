package io.tracestitch.serdes;

import java.util.Arrays;
import java.util.Locale;

/** The wire formats tracestitch can write its public records in. */
public enum OutputFormat {
  /** Avro single-object encoding with the shipped schema history; needs no registry. */
  AVRO,
  /** The Confluent Schema Registry wire format (magic byte, schema id, Avro binary). */
  REGISTRY,
  /** Plain JSON with the Avro field names. */
  JSON;

  /** The embedded default. */
  public static final OutputFormat DEFAULT = AVRO;

  /**
   * Reads a format name in any case.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static OutputFormat parse(String text) {
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Unknown output format '" + text + "'; use one of "
          + Arrays.toString(values()).toLowerCase(Locale.ROOT) + ".", e);
    }
  }
}
