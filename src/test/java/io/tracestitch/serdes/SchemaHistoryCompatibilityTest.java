package io.tracestitch.serdes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaIncompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

/**
 * Guards schema evolution: every version under {@code schema-history/} must stay readable by the
 * current generated schema (backward) and able to read data the current schema writes (forward),
 * and a changed schema must be shipped as a new version before it is released.
 */
class SchemaHistoryCompatibilityTest {

  private static final List<String> RECORD_PACKAGES =
      List.of("io.tracestitch.avro", "io.tracestitch.avro.internal");

  /**
   * The one forward gap shipped on purpose (README, "Findings"): Alert v2 has the kinds that only alerts promoted
   * from findings carry (findings.&lt;kind&gt;.alert.severity, off by default). A reader of Alert v1 still reads
   * every alert of the four kinds it knows, because Avro resolves an enum symbol record by record
   * ({@code FindingKindsCompatibilityTest}), and fails on a promoted one: whoever promotes a finding first moves
   * the Avro readers of the alert topic to v2. TELEMETRY_MISSING (a warning, on by default) is in the same gap:
   * a v1 reader fails on such an alert and reads every other; a v2 reader reads it as UNKNOWN (its enum default).
   * No other symbol, and nothing else, may be missing.
   */
  private static final Set<String> PROMOTED_KINDS = Set.of("ERROR_ORIGIN", "REPEATED_CALLS", "SLOW_STEP", "UNKNOWN",
      "TELEMETRY_MISSING");
  private static final Map<String, Set<String>> ACCEPTED_MISSING_SYMBOLS = Map.of(
      "Alert v1 /fields/1/type/symbols", PROMOTED_KINDS);
  /**
   * The same gap inside the alert stage's own store: an AlertState keeps the latest FindingMessage, whose kind
   * may be a promoted one. An instance of the release before reads every alert state but those (only while a
   * rolling upgrade runs both); Avro reports it as the union branch of the nested record, which is accepted
   * only when that record's one difference is the promoted kinds.
   */
  private static final Set<String> ACCEPTED_NESTED_KIND_GAP = Set.of("AlertState v1 /fields/8/type/1");

  @Test
  void everyPublicRecordHasAShippedHistory() throws Exception {
    assertThat(historyFolders()).extracting(path -> path.getFileName().toString())
        .contains("WorkflowGraph", "Alert");
  }

  @Test
  void everyShippedVersionIsBackwardAndForwardCompatibleWithTheCurrentSchema() throws Exception {
    List<String> problems = new ArrayList<>();
    for (Path folder : historyFolders()) {
      String name = folder.getFileName().toString();
      Schema current = currentSchema(name);
      List<Schema> shipped = SchemaHistory.shippedVersions(name);
      try (Stream<Path> files = Files.list(folder)) {
        // Loading stops at the first missing number, so a gap would hide later versions.
        assertThat(shipped)
            .as("versions under schema-history/%s must be numbered v1, v2, ... without gaps", name)
            .hasSize((int) files.filter(f -> f.toString().endsWith(".avsc")).count());
      }
      for (int i = 0; i < shipped.size(); i++) {
        problems.addAll(compatibilityProblems(name + " v" + (i + 1), current, shipped.get(i)));
      }
    }
    assertThat(problems).as("schema changes that break data already written").isEmpty();
  }

  @Test
  void theNewestShippedVersionIsTheCurrentSchema() throws Exception {
    for (Path folder : historyFolders()) {
      String name = folder.getFileName().toString();
      List<Schema> shipped = SchemaHistory.shippedVersions(name);
      Schema newest = shipped.get(shipped.size() - 1);
      // Compared in parsing canonical form, the form the single-object fingerprint is taken of:
      // exactly the changes an older reader could not look up.
      assertThat(SchemaNormalization.toParsingForm(newest))
          .as("schemas/%s.avsc changed since v%d was shipped: copy the current schema"
              + " (self-contained, with imported types inlined) to src/main/resources/"
              + "schema-history/%s/v%d.avsc so later releases can read what this one writes",
              name, shipped.size(), name, shipped.size() + 1)
          .isEqualTo(SchemaNormalization.toParsingForm(currentSchema(name)));
    }
  }

  @Test
  void theAcceptedGapIsExactlyThePromotedKindsAndAnyOtherMissingSymbolIsCaught() throws Exception {
    Schema v1 = SchemaHistory.shippedVersions("Alert").get(0);
    Schema current = currentSchema("Alert");
    assertThat(compatibilityProblems("Alert v1", current, v1)).isEmpty();

    Schema oneMore = new Schema.Parser().parse(current.toString().replace("\"SLOW_STEP\",",
        "\"SLOW_STEP\",\"NEW_KIND\","));
    assertThat(compatibilityProblems("Alert v1", oneMore, v1)).singleElement().asString()
        .contains("Alert v1 cannot read what the current schema writes").contains("NEW_KIND");
  }

  @Test
  void theCheckCatchesANewFieldWithoutADefault() throws Exception {
    Schema v1 = SchemaHistory.shippedVersions("Alert").get(0);
    Schema withRequiredField = new Schema.Parser().parse(v1.toString().replaceFirst(
        "\"fields\":\\[", "\"fields\":[{\"name\":\"tenant\",\"type\":\"string\"},"));

    assertThat(compatibilityProblems("Alert v1", withRequiredField, v1))
        .singleElement().asString()
        .contains("Alert v1 cannot be read by the current schema")
        .contains("tenant");
  }

  private static List<String> compatibilityProblems(String version, Schema current, Schema old) {
    List<String> problems = new ArrayList<>();
    SchemaPairCompatibility backward = SchemaCompatibility.checkReaderWriterCompatibility(current, old);
    if (backward.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      problems.add(version + " cannot be read by the current schema: "
          + backward.getResult().getIncompatibilities());
    }
    SchemaPairCompatibility forward = SchemaCompatibility.checkReaderWriterCompatibility(old, current);
    List<Incompatibility> unexpected = forward.getResult().getIncompatibilities().stream()
        .filter(i -> !accepted(version, i)).toList();
    if (!unexpected.isEmpty()) {
      problems.add(version + " cannot read what the current schema writes: " + unexpected);
    }
    return problems;
  }

  private static boolean accepted(String version, Incompatibility incompatibility) {
    if (ACCEPTED_NESTED_KIND_GAP.contains(version + " " + incompatibility.getLocation())
        && incompatibility.getType() == SchemaIncompatibilityType.MISSING_UNION_BRANCH) {
      Schema reader = nestedRecord(incompatibility.getReaderFragment());
      Schema writer = nestedRecord(incompatibility.getWriterFragment());
      return reader != null && writer != null && SchemaCompatibility.checkReaderWriterCompatibility(reader, writer)
          .getResult().getIncompatibilities().stream().allMatch(i -> i.getType()
              == SchemaIncompatibilityType.MISSING_ENUM_SYMBOLS && PROMOTED_KINDS.containsAll(
              Arrays.asList(i.getMessage().replaceAll("^\\[|\\]$", "").split(",\\s*"))));
    }
    Set<String> allowed = ACCEPTED_MISSING_SYMBOLS.get(version + " " + incompatibility.getLocation());
    if (allowed == null || incompatibility.getType() != SchemaIncompatibilityType.MISSING_ENUM_SYMBOLS) {
      return false;
    }
    String listed = incompatibility.getMessage().replaceAll("^\\[|\\]$", "");
    return allowed.containsAll(Arrays.asList(listed.split(",\\s*")));
  }

  private static Schema nestedRecord(Schema fragment) {
    if (fragment.getType() == Schema.Type.RECORD) {
      return fragment;
    }
    if (fragment.getType() == Schema.Type.UNION) {
      return fragment.getTypes().stream().filter(t -> t.getType() == Schema.Type.RECORD).findFirst().orElse(null);
    }
    return null;
  }

  private static Schema currentSchema(String recordName) {
    for (String pkg : RECORD_PACKAGES) {
      try {
        Class<?> type = Class.forName(pkg + "." + recordName);
        return SpecificData.get().getSchema(type);
      } catch (ClassNotFoundException e) {
        // try the next package
      }
    }
    throw new AssertionError("schema-history/" + recordName + " has no generated class in "
        + RECORD_PACKAGES + "; remove the folder or restore the schema.");
  }

  private static List<Path> historyFolders() throws IOException, URISyntaxException {
    URL root = SchemaHistory.class.getResource(SchemaHistory.ROOT);
    assertThat(root).as("the schema-history resources are on the test classpath").isNotNull();
    try (Stream<Path> folders = Files.list(Path.of(root.toURI()))) {
      return folders.filter(Files::isDirectory).sorted().toList();
    }
  }
}
