package io.tracestitch.serdes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tracestitch.avro.Alert;
import io.tracestitch.avro.WorkflowGraph;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class AvroSingleObjectSerdeTest {

  private final Serde<WorkflowGraph> graphs = AvroSingleObjectSerde.of(WorkflowGraph.class);
  private final Serde<Alert> alerts = AvroSingleObjectSerde.of(Alert.class);

  @Test
  void workflowGraphSurvivesARoundTrip() {
    WorkflowGraph graph = SampleRecords.workflowGraph();

    byte[] bytes = graphs.serializer().serialize("workflow-graphs", graph);

    assertThat(bytes).startsWith(0xC3, 0x01);
    assertThat(graphs.deserializer().deserialize("workflow-graphs", bytes)).isEqualTo(graph);
  }

  @Test
  void alertSurvivesARoundTrip() {
    Alert alert = SampleRecords.alert();

    byte[] bytes = alerts.serializer().serialize("trace-alerts", alert);

    assertThat(alerts.deserializer().deserialize("trace-alerts", bytes)).isEqualTo(alert);
  }

  @Test
  void nullStaysNullSoTombstonesPassThrough() {
    assertThat(graphs.serializer().serialize("workflow-graphs", null)).isNull();
    assertThat(graphs.deserializer().deserialize("workflow-graphs", null)).isNull();
  }

  @Test
  void recordsWrittenWithTheShippedV1SchemaDecodeWithTheCurrentReader() throws IOException {
    assertV1EncodedRecordDecodes(WorkflowGraph.class, SampleRecords.workflowGraph(), graphs);
    assertV1EncodedRecordDecodes(Alert.class, SampleRecords.alert(), alerts);
  }

  @Test
  void anOlderVersionDecodesOnlyBecauseTheSchemaStoreHoldsIt() throws IOException {
    // An older release that did not have the mergedFrom field yet (it has a default).
    Schema older = withoutField(SchemaHistory.shippedVersions("WorkflowGraph").get(0), "mergedFrom");
    WorkflowGraph graph = SampleRecords.workflowGraph();
    byte[] written = singleObject(older, asGenericRecord(graph, WorkflowGraph.getClassSchema(), older));

    WorkflowGraph decoded = new AvroSingleObjectSerde<>(WorkflowGraph.class, List.of(older))
        .deserializer().deserialize("workflow-graphs", written);

    assertThat(decoded.getMergedFrom()).isEmpty();
    assertThat(decoded.getWorkflowId()).isEqualTo(graph.getWorkflowId());
    assertThat(decoded.getNodes()).isEqualTo(graph.getNodes());
    assertThatThrownBy(() -> new AvroSingleObjectSerde<>(WorkflowGraph.class, List.of())
            .deserializer().deserialize("workflow-graphs", written))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("fingerprint")
        .hasMessageContaining("0 shipped version(s) of io.tracestitch.avro.WorkflowGraph")
        .hasMessageContaining("schema-history/WorkflowGraph/");
  }

  @Test
  void bytesOfAnotherFormatAreRejectedWithTheReason() {
    byte[] json = "{\"workflowId\":\"x\"}".getBytes();

    assertThatThrownBy(() -> graphs.deserializer().deserialize("workflow-graphs", json))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("topic 'workflow-graphs'")
        .hasMessageContaining("does not start with Avro's single-object marker C3 01")
        .hasMessageContaining("7B 22 77 6F");
  }

  @Test
  void emptyBytesAreRejectedWithTheReason() {
    assertThatThrownBy(() -> graphs.deserializer().deserialize("workflow-graphs", new byte[0]))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("0-byte value")
        .hasMessageContaining("single-object marker");
  }

  @Test
  void aTruncatedBodyIsRejectedWithTheReason() {
    byte[] bytes = graphs.serializer().serialize("t", SampleRecords.workflowGraph());
    byte[] truncated = Arrays.copyOf(bytes, bytes.length / 2);

    assertThatThrownBy(() -> graphs.deserializer().deserialize("t", truncated))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Avro body is truncated or corrupt");
  }

  @Test
  void aCorruptBodyIsRejectedWithTheReason() {
    byte[] bytes = graphs.serializer().serialize("t", SampleRecords.workflowGraph());
    // The first body byte is the zig-zag length of workflowId; 0x01 reads as length -1.
    bytes[10] = 0x01;

    assertThatThrownBy(() -> graphs.deserializer().deserialize("t", bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Avro body is truncated or corrupt");
  }

  @Test
  void trailingBytesAreRejectedRatherThanIgnored() {
    byte[] bytes = graphs.serializer().serialize("t", SampleRecords.workflowGraph());
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);

    assertThatThrownBy(() -> graphs.deserializer().deserialize("t", longer))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("3 byte(s) are left over");
  }

  @Test
  void anUnknownFingerprintNamesTheFingerprint() {
    byte[] bytes = alerts.serializer().serialize("t", SampleRecords.alert());
    bytes[2] ^= 0x5A;
    String fingerprint = String.format("%02x", bytes[9] & 0xFF);

    assertThatThrownBy(() -> alerts.deserializer().deserialize("t", bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("writer schema fingerprint 0x" + fingerprint)
        .hasMessageContaining(SchemaHistory.shippedVersions("Alert").size() + " shipped version(s) of "
            + "io.tracestitch.avro.Alert");
  }

  private static <T extends SpecificRecord> void assertV1EncodedRecordDecodes(
      Class<T> type, T record, Serde<T> serde) throws IOException {
    Schema v1 = SchemaHistory.shippedVersions(type.getSimpleName()).get(0);
    GenericRecord asWrittenByV1 = asGenericRecord(record, record.getSchema(), v1);
    byte[] written = singleObject(v1, asWrittenByV1);

    assertThat(serde.deserializer().deserialize("topic", written)).isEqualTo(record);
  }

  private static byte[] singleObject(Schema writer, GenericRecord record) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer).encode(record, out);
    return out.toByteArray();
  }

  /** The record as generic data of another (compatible) schema, through Avro's own resolution. */
  private static GenericRecord asGenericRecord(SpecificRecord record, Schema current, Schema target)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<SpecificRecord>(current).write(record, encoder);
    encoder.flush();
    return new GenericDatumReader<GenericRecord>(current, target)
        .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
  }

  static Schema withoutField(Schema schema, String field) throws IOException {
    ObjectNode json = (ObjectNode) new ObjectMapper().readTree(schema.toString());
    ArrayNode fields = (ArrayNode) json.get("fields");
    for (int i = 0; i < fields.size(); i++) {
      if (fields.get(i).get("name").asText().equals(field)) {
        fields.remove(i);
        return new Schema.Parser().parse(json.toString());
      }
    }
    throw new IllegalArgumentException("No field " + field + " in " + schema.getFullName());
  }
}
