package io.tracestitch.serdes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tracestitch.avro.Alert;
import io.tracestitch.avro.WorkflowGraph;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class AvroJsonSerdeTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Serde<WorkflowGraph> graphs = new AvroJsonSerde<>(WorkflowGraph.class);
  private final Serde<Alert> alerts = new AvroJsonSerde<>(Alert.class);

  @Test
  void workflowGraphSurvivesARoundTrip() {
    WorkflowGraph graph = SampleRecords.workflowGraph();

    byte[] bytes = graphs.serializer().serialize("workflow-graphs", graph);

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
    assertThat(alerts.serializer().serialize("trace-alerts", null)).isNull();
    assertThat(alerts.deserializer().deserialize("trace-alerts", null)).isNull();
  }

  @Test
  void alertJsonUsesAvroFieldNamesPlainUnionsEnumSymbolsAndMapObjects() throws Exception {
    JsonNode json = MAPPER.readTree(alerts.serializer().serialize("trace-alerts", SampleRecords.alert()));

    // "class" is the Avro name; the generated Java accessor is getClass$.
    assertThat(json.get("class").asText()).isEqualTo("silent_failure");
    assertThat(json.has("class$")).isFalse();
    assertThat(json.get("group").isTextual()).isTrue();
    assertThat(json.get("group").asText()).isEqualTo("payments");
    assertThat(json.get("endsAtMs").isIntegralNumber()).isTrue();
    assertThat(json.get("endsAtMs").asLong()).isEqualTo(1_700_000_390_000L);
    assertThat(json.get("component").isNull()).isTrue();
    assertThat(json.get("severity").asText()).isEqualTo("error");
    assertThat(json.get("kind").asText()).isEqualTo("SILENT_FAILURE");
    assertThat(json.get("labels").isObject()).isTrue();
    assertThat(json.get("labels").get("consumer").asText()).isEqualTo("billing");
    assertThat(json.get("links").get(0).get("href").asText()).isEqualTo("http://ui/w/order-42");
    assertThat(json.toString()).doesNotContain("{\"string\":").doesNotContain("{\"long\":");
  }

  @Test
  void workflowGraphJsonUnwrapsNestedUnions() {
    JsonNode json = AvroJson.toJson(SampleRecords.workflowGraph());

    JsonNode event = json.get("nodes").get(1);
    assertThat(event.get("partition").isInt()).isTrue();
    assertThat(event.get("partition").asInt()).isEqualTo(3);
    assertThat(event.get("offset").asLong()).isEqualTo(9_876_543_210L);
    assertThat(event.get("service").isNull()).isTrue();
    assertThat(json.get("correlationId").asText()).isEqualTo("order-42");
    assertThat(json.get("endedAtMs").isNull()).isTrue();
    assertThat(json.get("findings").get(0).get("kind").asText()).isEqualTo("SILENT_FAILURE");
  }

  @Test
  void bytesFixedAndNonFiniteFloatsHaveAJsonSpellingThatReadsBack() {
    Schema schema = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Blob\",\"fields\":["
        + "{\"name\":\"payload\",\"type\":\"bytes\"},"
        + "{\"name\":\"maybe\",\"type\":[\"null\",\"bytes\"]},"
        + "{\"name\":\"hash\",\"type\":{\"type\":\"fixed\",\"name\":\"Hash\",\"size\":4}},"
        + "{\"name\":\"ratio\",\"type\":\"double\"},"
        + "{\"name\":\"either\",\"type\":[\"null\",\"long\",\"string\"]},"
        + "{\"name\":\"other\",\"type\":[\"null\",\"long\",\"string\"]}]}");
    GenericRecord record = new GenericData.Record(schema);
    record.put("payload", ByteBuffer.wrap(new byte[] {1, 2, 3}));
    record.put("maybe", null);
    record.put("hash", new GenericData.Fixed(schema.getField("hash").schema(), new byte[] {9, 8, 7, 6}));
    record.put("ratio", Double.NaN);
    record.put("either", "12 apples");
    record.put("other", 12L);

    JsonNode json = AvroJson.toJson(record);

    assertThat(json.get("payload").asText()).isEqualTo("AQID");
    assertThat(json.get("maybe").isNull()).isTrue();
    assertThat(json.get("hash").asText()).isEqualTo("CQgHBg==");
    assertThat(json.get("ratio").asText()).isEqualTo("NaN");
    assertThat(json.get("either").asText()).isEqualTo("12 apples");
    assertThat(json.get("other").asLong()).isEqualTo(12L);
    assertThat(AvroJson.fromJson(json, schema, GenericData.get())).isEqualTo(record);
  }

  @Test
  void missingFieldsTakeTheirDefaults() {
    String json = "{\"dedupKey\":\"k\",\"kind\":\"STALLED_BRANCH\",\"action\":\"RESOLVE\","
        + "\"severity\":\"warning\",\"summary\":\"s\",\"source\":\"billing\",\"class\":\"stalled_branch\","
        + "\"count\":1,\"firstSeenMs\":5,\"lastSeenMs\":6}";

    Alert alert = alerts.deserializer().deserialize("t", json.getBytes(StandardCharsets.UTF_8));

    assertThat(alert.getSampleWorkflowIds()).isEmpty();
    assertThat(alert.getLabels()).isEmpty();
    assertThat(alert.getGroup()).isNull();
    assertThat(alert.getSequence()).isZero();
    assertThat(alert.getClass$()).isEqualTo("stalled_branch");
  }

  @Test
  void aMissingRequiredFieldIsNamedWithItsPath() {
    String json = AvroJson.toJson(SampleRecords.workflowGraph()).toString()
        .replace("\"eventNodeId\":\"event:order-42\",", "");

    assertThatThrownBy(() -> graphs.deserializer().deserialize("t", json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("WorkflowGraph.branches[0].eventNodeId")
        .hasMessageContaining("missing and has no default");
  }

  @Test
  void anUnknownEnumSymbolIsNamedWithItsPath() {
    String json = AvroJson.toJson(SampleRecords.alert()).put("severity", "apocalyptic").toString();

    assertThatThrownBy(() -> alerts.deserializer().deserialize("t", json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Alert.severity")
        .hasMessageContaining("[critical, error, warning, info]")
        .hasMessageContaining("apocalyptic");
  }

  @Test
  void aValueFittingNoUnionBranchIsRejected() {
    String json = AvroJson.toJson(SampleRecords.alert()).put("endsAtMs", "soon").toString();

    assertThatThrownBy(() -> alerts.deserializer().deserialize("t", json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Alert.endsAtMs")
        .hasMessageContaining("one of [null, long]");
  }

  @Test
  void bytesThatAreNotJsonAreRejectedWithTheReason() {
    byte[] avro = AvroSingleObjectSerde.of(Alert.class).serializer().serialize("t", SampleRecords.alert());

    assertThatThrownBy(() -> alerts.deserializer().deserialize("trace-alerts", avro))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("topic 'trace-alerts'")
        .hasMessageContaining("it is not JSON")
        .hasMessageContaining("C3 01");
  }

  @Test
  void recordsWithARequiredNullFieldCannotBeWritten() {
    Alert alert = SampleRecords.alert();
    alert.setSummary(null);

    assertThatThrownBy(() -> alerts.serializer().serialize("t", alert))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Alert.summary")
        .hasMessageContaining("expected a string but found null");
  }

  @Test
  void listsOfRecordsReadBackAsGeneratedClasses() {
    WorkflowGraph graph = AvroJson.fromJson(AvroJson.toJson(SampleRecords.workflowGraph()), WorkflowGraph.class);

    assertThat(graph.getNodes()).extracting(node -> node.getClass().getSimpleName())
        .isEqualTo(List.of("GraphNode", "GraphNode"));
  }
}
