package io.tracestitch.serdes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracestitch.avro.Alert;
import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.GraphFinding;
import io.tracestitch.avro.Severity;
import io.tracestitch.avro.WorkflowGraph;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kinds added after v1 (ERROR_ORIGIN, REPEATED_CALLS, SLOW_STEP) against readers of v1, record by record, the
 * way a consumer holding the v1 schema resolves what the current release writes (the writer's schema comes from
 * the registry, or from the single-object fingerprint).
 */
class FindingKindsCompatibilityTest {

  @BeforeAll
  static void trustTheGeneratedRecords() {
    AvroTrust.trustGeneratedRecords();
  }

  @Test
  void aV1ReaderReadsAGraphCarryingTheNewFindingsAndSeesItsOldFindingsUnchanged() throws IOException {
    WorkflowGraph graph = SampleRecords.workflowGraph();
    graph.setAllFindings(List.of(
        finding(AlertKind.SILENT_FAILURE, "billing", "billing failed twice while checkout reported success"),
        finding(AlertKind.ERROR_ORIGIN, "payment", "payment did not answer in 30 s → order failed → gateway 504"),
        finding(AlertKind.REPEATED_CALLS, "loyalty", "loyalty award-points made 40 sequential calls"),
        finding(AlertKind.SLOW_STEP, "inventory", "inventory SELECT stock took 2.0 s, usually 60 ms (p99 120 ms)")));

    GenericRecord read = readAs(SchemaHistory.shippedVersions("WorkflowGraph").get(0), graph);

    assertThat(read.getSchema().getField("allFindings")).as("v1 has no such field: it is skipped").isNull();
    List<?> findings = (List<?>) read.get("findings");
    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(((GenericRecord) f).get("kind")).hasToString("SILENT_FAILURE");
      assertThat(((GenericRecord) f).get("consumer")).hasToString("billing");
    });
    assertThat(read.get("workflowId")).hasToString(graph.getWorkflowId());
  }

  @Test
  void aV1AlertReaderReadsAlertsOfTheKindsItKnowsAndRejectsAPromotedOneByName() throws IOException {
    Schema v1 = SchemaHistory.shippedVersions("Alert").get(0);
    Alert silent = SampleRecords.alert();

    assertThat(readAs(v1, silent).get("kind")).hasToString("SILENT_FAILURE");

    Alert promoted = Alert.newBuilder(silent).setKind(AlertKind.SLOW_STEP).setSeverity(Severity.warning)
        .setClass$("slow_step").build();
    assertThatThrownBy(() -> readAs(v1, promoted)).isInstanceOf(AvroTypeException.class)
        .hasMessageContaining("SLOW_STEP");
  }

  @Test
  void aV2AlertReaderReadsATelemetryMissingWarningAsUnknownAndAV1ReaderRejectsItByName() throws IOException {
    Alert warning = Alert.newBuilder(SampleRecords.alert()).setKind(AlertKind.TELEMETRY_MISSING)
        .setSeverity(Severity.warning).setClass$("telemetry_missing").build();

    GenericRecord read = readAs(SchemaHistory.shippedVersions("Alert").get(1), warning);
    assertThat(read.get("kind")).hasToString("UNKNOWN");
    assertThat(read.get("severity")).hasToString("warning");
    assertThat(read.get("dedupKey")).hasToString(warning.getDedupKey());
    assertThatThrownBy(() -> readAs(SchemaHistory.shippedVersions("Alert").get(0), warning))
        .isInstanceOf(AvroTypeException.class).hasMessageContaining("TELEMETRY_MISSING");
  }

  @Test
  void aReaderOfTheCurrentVersionReadsAKindAddedLaterAsUnknown() throws IOException {
    Schema current = Alert.getClassSchema();
    Schema later = new Schema.Parser().parse(current.toString().replace("\"TELEMETRY_MISSING\"]",
        "\"TELEMETRY_MISSING\",\"LATER_KIND\"]"));
    GenericRecord written = readAs(later, SampleRecords.alert());
    written.put("kind", new org.apache.avro.generic.GenericData.EnumSymbol(later.getField("kind").schema(),
        "LATER_KIND"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new org.apache.avro.generic.GenericDatumWriter<GenericRecord>(later).write(written, encoder);
    encoder.flush();

    GenericRecord read = new GenericDatumReader<GenericRecord>(later, current)
        .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    assertThat(read.get("kind")).hasToString("UNKNOWN");
  }

  private static GraphFinding finding(AlertKind kind, String service, String detail) {
    return GraphFinding.newBuilder().setKind(kind).setService(service).setDetail(detail).build();
  }

  private static GenericRecord readAs(Schema reader, SpecificRecordBase record) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<SpecificRecordBase>(record.getSchema()).write(record, encoder);
    encoder.flush();
    return new GenericDatumReader<GenericRecord>(record.getSchema(), reader)
        .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
  }
}
