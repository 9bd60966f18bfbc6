package io.tracestitch.serdes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracestitch.avro.Alert;
import io.tracestitch.avro.WorkflowGraph;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

class RecordSerdesTest {

  @Test
  void eachFormatGetsItsSerde() {
    assertThat(RecordSerdes.forFormat(OutputFormat.AVRO, WorkflowGraph.class, Map.of()))
        .isInstanceOf(AvroSingleObjectSerde.class);
    assertThat(RecordSerdes.forFormat(OutputFormat.JSON, WorkflowGraph.class, Map.of()))
        .isInstanceOf(AvroJsonSerde.class);
    assertThat(RecordSerdes.forFormat(OutputFormat.REGISTRY, Alert.class,
            Map.of(RegistryConfig.URL, "http://127.0.0.1:8081")))
        .isInstanceOf(RegistryAvroSerde.class);
  }

  @Test
  void theDefaultFormatIsSingleObjectAvro() {
    assertThat(OutputFormat.DEFAULT).isEqualTo(OutputFormat.AVRO);
  }

  @Test
  void registryFormatWithoutAUrlSaysWhatToSet() {
    assertThatThrownBy(() -> RecordSerdes.forFormat(OutputFormat.REGISTRY, Alert.class, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("set schema.registry.url");
  }

  @Test
  void formatNamesParseInAnyCaseAndUnknownOnesListTheChoices() {
    assertThat(OutputFormat.parse(" json ")).isEqualTo(OutputFormat.JSON);
    assertThatThrownBy(() -> OutputFormat.parse("protobuf"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'protobuf'")
        .hasMessageContaining("[avro, registry, json]");
  }

  @Test
  void aSerdeClassNameIsInstantiatedAndConfigured() {
    Serde<Object> serde = RecordSerdes.forClassName(ConfigRecordingSerde.class.getName(),
        Map.of("schema.registry.url", "http://r:8081"), true);

    assertThat(serde).isInstanceOf(ConfigRecordingSerde.class);
    ConfigRecordingSerde recording = (ConfigRecordingSerde) (Object) serde;
    assertThat(recording.configs).containsEntry("schema.registry.url", "http://r:8081");
    assertThat(recording.isKey).isTrue();
  }

  @Test
  void aKafkaSerdeClassNameWorks() {
    Serde<String> strings = RecordSerdes.forClassName(
        Serdes.StringSerde.class.getName(), Map.of(), false);

    byte[] bytes = strings.serializer().serialize("t", "hello");
    assertThat(strings.deserializer().deserialize("t", bytes)).isEqualTo("hello");
  }

  @Test
  void aMissingClassSaysToAddItsJar() {
    assertThatThrownBy(() -> RecordSerdes.forClassName(
            "io.confluent.kafka.streams.serdes.avro.SpecificAvroSerde", Map.of(), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("io.confluent.kafka.streams.serdes.avro.SpecificAvroSerde is not on the classpath");
  }

  @Test
  void aClassThatIsNotASerdeIsRejected() {
    assertThatThrownBy(() -> RecordSerdes.forClassName("java.lang.StringBuilder", Map.of(), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("java.lang.StringBuilder is not a Kafka Serde");
  }

  @Test
  void aSerdeWithoutANoArgumentConstructorIsRejected() {
    assertThatThrownBy(() -> RecordSerdes.forClassName(AvroJsonSerde.class.getName(), Map.of(), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("has no public no-argument constructor");
  }

  /** Remembers how it was configured. Public with a public constructor, as a user's serde is. */
  public static final class ConfigRecordingSerde implements Serde<Object> {
    Map<String, Object> configs;
    boolean isKey;

    public ConfigRecordingSerde() {}

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
      this.configs = Map.copyOf(configs);
      this.isKey = isKey;
    }

    @Override
    public org.apache.kafka.common.serialization.Serializer<Object> serializer() {
      throw new UnsupportedOperationException("only configuration is checked");
    }

    @Override
    public org.apache.kafka.common.serialization.Deserializer<Object> deserializer() {
      throw new UnsupportedOperationException("only configuration is checked");
    }
  }
}
