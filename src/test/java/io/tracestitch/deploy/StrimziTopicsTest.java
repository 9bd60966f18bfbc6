package io.tracestitch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tracestitch.app.TopicPlan;
import io.tracestitch.config.TracestitchConfig;
import io.tracestitch.topology.StitchCounters;
import io.tracestitch.topology.StitchSerdes;
import io.tracestitch.topology.StitchTopology;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The strimzi-topics overlay declares every topic tracestitch would otherwise create, exactly as it
 * would create it: the topics of TopicPlan, and the changelog of every state store of the real
 * topology, each with the partitions of the routing topic its sub-topology reads. When the code
 * gains a topic or a store, this fails and names the KafkaTopic to add.
 */
class StrimziTopicsTest {
  @TempDir
  Path tmp;

  private final Deployment strimzi = Deployment.render("overlays/strimzi-topics");

  @Test
  void shouldTellTracestitchNotToCreateTopics() {
    TracestitchConfig config = strimzi.effectiveConfig(tmp);

    assertThat(config.getBoolean(TracestitchConfig.TOPICS_CREATE)).isFalse();
    assertThat(Deployment.render("overlays/production").effectiveConfig(tmp)
        .getBoolean(TracestitchConfig.TOPICS_CREATE)).isTrue();
  }

  @Test
  void shouldDeclareEveryTopicTracestitchWritesWithItsPartitionsAndConfigs() {
    TopicPlan plan = TopicPlan.of(strimzi.effectiveConfig(tmp), false);
    Map<String, String> expected = new TreeMap<>();
    plan.partitions().forEach((topic, partitions) ->
        expected.put(topic, partitions + " partitions " + new TreeMap<>(plan.configs().getOrDefault(topic, Map.of()))));

    Map<String, String> declared = new TreeMap<>();
    declaredTopics().forEach((name, spec) -> {
      if (plan.partitions().containsKey(name)) {
        declared.put(name, spec.path("partitions").asInt() + " partitions " + configs(spec));
      }
    });

    assertThat(declared).isEqualTo(expected);
  }

  @Test
  void shouldDeclareTheChangelogOfEveryStateStoreWithItsSubTopologysPartitions() {
    TracestitchConfig config = strimzi.effectiveConfig(tmp);
    TopicPlan plan = TopicPlan.of(config, false);
    Map<String, Integer> expected = new TreeMap<>();

    TopologyDescription description = StitchTopology.build(config.stitchSettings(), StitchSerdes.avro(),
        new StitchCounters(), List.of()).describe();
    for (TopologyDescription.Subtopology sub : description.subtopologies()) {
      List<String> sources = sub.nodes().stream().filter(n -> n instanceof TopologyDescription.Source)
          .flatMap(n -> ((TopologyDescription.Source) n).topicSet().stream()).toList();
      sub.nodes().stream().filter(n -> n instanceof TopologyDescription.Processor)
          .flatMap(n -> ((TopologyDescription.Processor) n).stores().stream())
          .filter(store -> !StitchTopology.UNLOGGED_STORES.contains(store))
          .forEach(store -> {
            // A store has a task per partition of its sub-topology's input: one of tracestitch's own topics.
            assertThat(sources).as("inputs of the sub-topology of " + store).isNotEmpty()
                .allSatisfy(s -> assertThat(plan.partitions()).containsKey(s));
            expected.put(config.getString(TracestitchConfig.APPLICATION_ID) + "-" + store + "-changelog",
                plan.partitions().get(sources.get(0)));
          });
    }
    Map<String, Integer> declared = new TreeMap<>();
    declaredTopics().forEach((name, spec) -> {
      if (name.endsWith("-changelog")) {
        declared.put(name, spec.path("partitions").asInt());
        assertThat(configs(spec)).as(name).containsEntry("cleanup.policy", "compact");
      }
    });

    assertThat(expected).isNotEmpty();
    assertThat(declared).isEqualTo(expected);
    // Nothing declared that tracestitch neither writes nor keeps state in.
    assertThat(declaredTopics().keySet()).allSatisfy(name -> assertThat(
        plan.partitions().containsKey(name) || expected.containsKey(name)).as(name).isTrue());
  }

  @Test
  void shouldNameTheStrimziClusterOnEveryTopic() {
    assertThat(strimzi.ofKind("KafkaTopic")).isNotEmpty().allSatisfy(topic -> {
      assertThat(topic.path("metadata").path("labels").path("strimzi.io/cluster").asText()).isNotBlank();
      assertThat(topic.path("spec").path("replicas").asInt()).isGreaterThanOrEqualTo(3);
    });
  }

  /** Spec of each KafkaTopic by the Kafka topic it names. */
  private Map<String, JsonNode> declaredTopics() {
    Map<String, JsonNode> topics = new TreeMap<>();
    for (JsonNode topic : strimzi.ofKind("KafkaTopic")) {
      String name = topic.path("spec").path("topicName").asText(topic.path("metadata").path("name").asText());
      assertThat(topics.put(name, topic.path("spec"))).as("KafkaTopic " + name + " declared once").isNull();
    }
    return topics;
  }

  private static Map<String, String> configs(JsonNode spec) {
    Map<String, String> configs = new TreeMap<>();
    spec.path("config").properties().forEach(e -> configs.put(e.getKey(), e.getValue().asText()));
    return configs;
  }
}
