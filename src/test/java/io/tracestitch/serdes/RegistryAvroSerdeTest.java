package io.tracestitch.serdes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracestitch.avro.Alert;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.serdes.RecordingHttpServer.Reply;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** The registry serde's own checks; its round trips run against a real registry in ApicurioRegistryIT. */
class RegistryAvroSerdeTest {

  // Never contacted: every check below fails before the serde needs the registry.
  private final RegistryAvroSerde<WorkflowGraph> graphs = new RegistryAvroSerde<>(
      WorkflowGraph.class, SchemaRegistryClient.forUrl("http://127.0.0.1:9"), true);

  @Test
  void nullStaysNullSoTombstonesPassThrough() {
    assertThat(graphs.serializer().serialize("workflow-graphs", null)).isNull();
    assertThat(graphs.deserializer().deserialize("workflow-graphs", null)).isNull();
  }

  @Test
  void bytesWithoutTheMagicByteAreRejectedWithTheReason() {
    byte[] singleObject = AvroSingleObjectSerde.of(WorkflowGraph.class).serializer()
        .serialize("workflow-graphs", SampleRecords.workflowGraph());

    assertThatThrownBy(() -> graphs.deserializer().deserialize("workflow-graphs", singleObject))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("topic 'workflow-graphs'")
        .hasMessageContaining("starts with C3 01")
        .hasMessageContaining("instead of the magic byte 00");
  }

  @Test
  void bytesShorterThanTheHeaderAreRejectedWithTheReason() {
    assertThatThrownBy(() -> graphs.deserializer().deserialize("workflow-graphs", new byte[] {0, 0, 1}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("3-byte value")
        .hasMessageContaining("shorter than the 5-byte header");
  }

  @Test
  void anUnreachableRegistryIsReportedWithTheSchemaId() {
    byte[] bytes = {0, 0, 0, 1, 2, 42};

    assertThatThrownBy(() -> graphs.deserializer().deserialize("workflow-graphs", bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("writer schema id 258 could not be fetched")
        .hasMessageContaining("Could not reach the schema registry");
  }

  @Test
  void withoutConfigurationTheSerdeSaysWhatToSet() {
    RegistryAvroSerde<Alert> unconfigured = new RegistryAvroSerde<>(Alert.class);

    assertThatThrownBy(() -> unconfigured.serializer().serialize("trace-alerts", SampleRecords.alert()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("schema.registry.url");
    assertThatThrownBy(() -> unconfigured.configure(Map.of(), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("set schema.registry.url");
  }

  @Test
  void withAutoRegisterOffAnUnregisteredSchemaIsNotRegistered() throws Exception {
    String notFound = "{\"error_code\":40401,\"message\":\"Subject 'trace-alerts-value' not found.\"}";
    try (RecordingHttpServer registry = RecordingHttpServer.http(request -> new Reply(404, notFound))) {
      RegistryAvroSerde<Alert> alerts = new RegistryAvroSerde<>(Alert.class);
      alerts.configure(Map.of(RegistryConfig.URL, registry.url("http"),
          RegistryConfig.AUTO_REGISTER, false), false);

      assertThatThrownBy(() -> alerts.serializer().serialize("trace-alerts", SampleRecords.alert()))
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("not registered under subject 'trace-alerts-value'")
          .hasMessageContaining("auto.register.schemas is false");
      assertThat(registry.requests()).singleElement()
          .satisfies(request -> assertThat(request.path()).isEqualTo("/subjects/trace-alerts-value"));
    }
  }

  @Test
  void keySerdesFileTheirSchemaUnderTheKeySubject() throws Exception {
    try (RecordingHttpServer registry = RecordingHttpServer.http(request -> new Reply(200, "{\"id\":3}"))) {
      RegistryAvroSerde<Alert> keys = new RegistryAvroSerde<>(Alert.class);
      keys.configure(Map.of(RegistryConfig.URL, registry.url("http")), true);

      byte[] bytes = keys.serializer().serialize("trace-alerts", SampleRecords.alert());

      assertThat(bytes).startsWith(0, 0, 0, 0, 3);
      assertThat(registry.requests().get(0).path()).isEqualTo("/subjects/trace-alerts-key/versions");
    }
  }
}
