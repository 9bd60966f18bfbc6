package io.tracestitch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tracestitch.config.TracestitchConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The sample Collector configuration feeds tracestitch before tail sampling: a traces pipeline of its own ends
 * in the Kafka exporter, writing the span topic and encoding tracestitch reads by default, with no sampling
 * processor in it; tail sampling stays on the backend's pipeline only.
 */
class CollectorConfigTest {
  static final JsonNode CONFIG = YamlDocuments.readOne(Path.of("deploy/otel-collector/collector.yaml"));

  @Test
  void aTracesPipelineSendsEverySpanToKafkaWithoutSampling() {
    JsonNode pipelines = CONFIG.path("service").path("pipelines");
    List<String> toKafka = new ArrayList<>();
    pipelines.fields().forEachRemaining(p -> {
      if (p.getKey().startsWith("traces") && names(p.getValue().path("exporters")).contains("kafka")) {
        toKafka.add(p.getKey());
        assertThat(names(p.getValue().path("processors"))).as(p.getKey() + " must not sample")
            .noneMatch(n -> n.startsWith("tail_sampling") || n.startsWith("probabilistic_sampler"));
        assertThat(names(p.getValue().path("receivers"))).contains("otlp");
      }
    });
    assertThat(toKafka).as("one traces pipeline ends in the Kafka exporter").hasSize(1);
  }

  @Test
  void tailSamplingRunsOnTheOtherPipelineAndKeepsErrors() {
    JsonNode pipelines = CONFIG.path("service").path("pipelines");
    List<String> sampling = new ArrayList<>();
    pipelines.fields().forEachRemaining(p -> {
      if (names(p.getValue().path("processors")).contains("tail_sampling")) {
        sampling.add(p.getKey());
        assertThat(names(p.getValue().path("exporters"))).doesNotContain("kafka");
      }
    });
    assertThat(sampling).hasSize(1);
    assertThat(CONFIG.path("processors").path("tail_sampling").path("policies").findValuesAsText("type"))
        .contains("status_code", "probabilistic");
  }

  @Test
  void theKafkaExporterWritesWhatTracestitchReadsByDefault() {
    JsonNode traces = CONFIG.path("exporters").path("kafka").path("traces");
    TracestitchConfig defaults = TracestitchConfig.load(java.util.Map.of(), java.util.Map.of(), java.util.Map.of());
    assertThat(traces.path("topic").asText()).isEqualTo(defaults.stitchSettings().spansTopic());
    assertThat(traces.path("encoding").asText()).isEqualTo("otlp_proto");
  }

  private static List<String> names(JsonNode array) {
    List<String> names = new ArrayList<>();
    array.forEach(n -> names.add(n.asText()));
    return names;
  }
}
