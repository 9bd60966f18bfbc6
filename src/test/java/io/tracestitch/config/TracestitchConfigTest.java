package io.tracestitch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TracestitchConfigTest {

  @Test
  void readmeSettingsTableIsTheOneGeneratedFromTheConfigDefinition() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    String start = "<!-- settings:start -->\n";
    String end = "<!-- settings:end -->";
    String documented = readme.substring(readme.indexOf(start) + start.length(), readme.indexOf(end));
    String generated = TracestitchConfig.markdownTable();
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "settings-table.md"), generated);
    assertThat(documented).as("README settings table; the generated one is in target/settings-table.md")
        .isEqualTo(generated);
  }

  @Test
  void environmentVariablesOverrideTheFileAndExplicitSettingsOverrideBoth() {
    TracestitchConfig config = TracestitchConfig.load(
        Map.of("workflow.inactivity.gap.ms", "1000", "spans.topic", "from-file"),
        Map.of("TRACESTITCH_WORKFLOW_INACTIVITY_GAP_MS", "2000", "TRACESTITCH_SPANS_TOPIC", "from-env", "HOME", "/root"),
        Map.of("spans.topic", "from-flag"));
    assertThat(config.stitchSettings().inactivityGap()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.stitchSettings().spansTopic()).isEqualTo("from-flag");
  }

  @Test
  void kafkaSettingsPassThroughUnchanged() {
    TracestitchConfig config = TracestitchConfig.load(Map.of("security.protocol", "SASL_SSL",
        "sasl.mechanism", "SCRAM-SHA-512", "processing.guarantee", "exactly_once_v2"),
        Map.of("TRACESTITCH_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required;"),
        Map.of());
    var props = config.kafkaProperties("broker:9092");
    assertThat(props).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("processing.guarantee", "exactly_once_v2")
        .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;")
        .containsEntry("bootstrap.servers", "broker:9092").doesNotContainKey("spans.topic");
  }

  @Test
  void aWrongSettingFailsAtStartWithASentenceNamingIt() {
    assertThatThrownBy(() -> TracestitchConfig.load(Map.of("spans.encoding", "zipkin"), Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("spans.encoding").hasMessageContaining("zipkin");
    assertThatThrownBy(() -> TracestitchConfig.load(Map.of("workflow.inactivity.gap.ms", "soon"), Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("workflow.inactivity.gap.ms");
    assertThatThrownBy(() -> TracestitchConfig.load(Map.of("events.topic.pattern", "orders.(["), Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("not a valid regular expression");
  }

  @Test
  void yamlFilesSpellDottedKeysByNesting(@TempDir Path dir) throws Exception {
    Path yaml = dir.resolve("tracestitch.yaml");
    Files.writeString(yaml, "workflow:\n  inactivity.gap.ms: 45000\nevents:\n  topics: [orders, payments]\n");
    TracestitchConfig config = TracestitchConfig.load(ConfigFiles.read(yaml), Map.of(), Map.of());
    assertThat(config.stitchSettings().inactivityGap()).isEqualTo(Duration.ofSeconds(45));
    assertThat(config.stitchSettings().eventTopics()).containsExactly("orders", "payments");
  }
}
