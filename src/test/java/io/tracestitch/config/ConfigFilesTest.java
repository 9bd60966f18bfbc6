package io.tracestitch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which settings file {@code run} reads: what a container started with no arguments, with a mounted
 * file, or with {@code --config} gets.
 */
class ConfigFilesTest {
  @TempDir
  Path dir;

  @Test
  void shouldReadNoFileAndRunOnTheEmbeddedBrokerWhenNoneIsNamedAndNoneIsMounted() {
    Path absent = dir.resolve("tracestitch.properties");

    Path file = ConfigFiles.resolve(null, absent);
    TracestitchConfig config = TracestitchConfig.load(ConfigFiles.read(file), Map.of(), Map.of());

    assertThat(file).isNull();
    assertThat(config.embedded()).isTrue();
  }

  @Test
  void shouldLetEnvironmentVariablesNameTheClusterWhenNoFileIsThere() {
    Path file = ConfigFiles.resolve(null, dir.resolve("tracestitch.properties"));
    TracestitchConfig config = TracestitchConfig.load(ConfigFiles.read(file),
        Map.of("TRACESTITCH_BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092"), Map.of());

    assertThat(config.embedded()).isFalse();
    assertThat(config.getList(TracestitchConfig.BOOTSTRAP_SERVERS)).containsExactly("kafka-1:9092", "kafka-2:9092");
  }

  @Test
  void shouldReadTheMountedFileAtTheDefaultPlaceWhenNoneIsNamed() throws IOException {
    Path mounted = Files.writeString(dir.resolve("tracestitch.properties"),
        "bootstrap.servers=kafka:9092\nspans.topic=from-mounted-file\n");

    Path file = ConfigFiles.resolve(null, mounted);
    TracestitchConfig config = TracestitchConfig.load(ConfigFiles.read(file), Map.of(), Map.of());

    assertThat(file).isEqualTo(mounted);
    assertThat(config.embedded()).isFalse();
    assertThat(config.stitchSettings().spansTopic()).isEqualTo("from-mounted-file");
  }

  @Test
  void shouldLetEnvironmentVariablesOverrideTheMountedFile() throws IOException {
    Path mounted = Files.writeString(dir.resolve("tracestitch.properties"), "spans.topic=from-mounted-file\n");

    TracestitchConfig config = TracestitchConfig.load(ConfigFiles.read(ConfigFiles.resolve(null, mounted)),
        Map.of("TRACESTITCH_SPANS_TOPIC", "from-env"), Map.of());

    assertThat(config.stitchSettings().spansTopic()).isEqualTo("from-env");
  }

  @Test
  void shouldReadTheNamedFileRatherThanTheMountedOne() throws IOException {
    Path mounted = Files.writeString(dir.resolve("tracestitch.properties"), "spans.topic=from-mounted-file\n");
    Path named = Files.writeString(dir.resolve("mine.yaml"), "spans:\n  topic: from-named-file\n");

    Path file = ConfigFiles.resolve(named, mounted);

    assertThat(file).isEqualTo(named);
    assertThat(ConfigFiles.read(file)).containsEntry("spans.topic", "from-named-file");
  }

  @Test
  void shouldFailClearlyWhenTheNamedFileIsMissingEvenIfTheDefaultOneIsThere() throws IOException {
    Path mounted = Files.writeString(dir.resolve("tracestitch.properties"), "spans.topic=from-mounted-file\n");
    Path missing = dir.resolve("typo.properties");

    Path file = ConfigFiles.resolve(missing, mounted);

    assertThat(file).isEqualTo(missing);
    assertThatThrownBy(() -> ConfigFiles.read(file)).isInstanceOf(ConfigException.class)
        .hasMessage("The configuration file " + missing + " does not exist or cannot be read; check the path "
            + "given to --config and that the file is readable by this process's user.");
  }

  @Test
  void shouldNotSkipSomethingMountedAtTheDefaultPlaceThatCannotBeRead() throws IOException {
    // A directory where the file should be (a ConfigMap mounted one level too deep): an error, not silence.
    Path notAFile = Files.createDirectory(dir.resolve("tracestitch.properties"));

    Path file = ConfigFiles.resolve(null, notAFile);

    assertThat(file).isEqualTo(notAFile);
    assertThatThrownBy(() -> ConfigFiles.read(file)).isInstanceOf(ConfigException.class)
        .hasMessageContaining(notAFile.toString());
  }
}
