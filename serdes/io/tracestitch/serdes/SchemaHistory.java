package io.tracestitch.serdes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * The schema versions of one record that earlier releases wrote, kept as classpath resources
 * {@code /schema-history/<RecordName>/v1.avsc}, {@code v2.avsc}, ...
 *
 * <p>Versions are numbered without gaps, so loading stops at the first missing number; a resource
 * directory cannot be listed portably from inside a jar.
 */
public final class SchemaHistory {

  /** The classpath folder that holds one sub-folder per record name. */
  public static final String ROOT = "/schema-history";

  private SchemaHistory() {}

  /**
   * Loads every shipped version of the named record, oldest first; empty when none was shipped.
   *
   * @throws IllegalStateException when a shipped file is not a valid, self-contained schema
   */
  public static List<Schema> shippedVersions(String recordName) {
    List<Schema> versions = new ArrayList<>();
    for (int version = 1; ; version++) {
      String resource = resourcePath(recordName, version);
      try (InputStream in = SchemaHistory.class.getResourceAsStream(resource)) {
        if (in == null) {
          return List.copyOf(versions);
        }
        // A fresh parser per file: every version defines the same names, and each file must
        // stand alone so it still parses after the schemas/ folder has moved on.
        versions.add(new Schema.Parser().parse(in));
      } catch (SchemaParseException e) {
        throw new IllegalStateException(
            "The shipped schema " + resource + " does not parse (" + e.getMessage()
                + "); restore it from the release that shipped it, it must not be edited.",
            e);
      } catch (IOException e) {
        throw new UncheckedIOException("Could not read the shipped schema " + resource + ".", e);
      }
    }
  }

  /** The classpath resource of one version, e.g. {@code /schema-history/Alert/v1.avsc}. */
  public static String resourcePath(String recordName, int version) {
    return ROOT + "/" + recordName + "/v" + version + ".avsc";
  }
}
