package io.tracestitch.app;

import io.tracestitch.config.TracestitchConfig;
import io.tracestitch.topology.StitchSettings;
import io.tracestitch.topology.StitchTopology;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The topics tracestitch writes, with their partitions and settings: the two routing topics (always
 * ours), the graph and alert topics (compacted: a key's latest record is its current state) and the
 * dead-letter topic. The input topics belong to the users' services and are only created for the
 * embedded broker, where nothing else would.
 */
public record TopicPlan(Map<String, Integer> partitions, Map<String, Map<String, String>> configs) {
  /**
   * The largest graph record the graph topic takes and the producer sends: a 20,000-span graph (the default
   * workflow.max.spans) is about 4.4 MB, over Kafka's 1 MB default.
   */
  public static final int GRAPH_MAX_BYTES = 8 * 1024 * 1024;

  public static TopicPlan of(TracestitchConfig config, boolean includeInputs) {
    StitchSettings s = config.stitchSettings();
    int n = config.getInt(TracestitchConfig.INTERNAL_TOPIC_PARTITIONS);
    Map<String, Integer> partitions = new LinkedHashMap<>(StitchTopology.internalTopics(s, n));
    Map<String, Map<String, String>> configs = new LinkedHashMap<>();
    // Routing records are consumed within seconds; a day covers any outage worth surviving.
    StitchTopology.internalTopics(s, n).keySet().forEach(t -> configs.put(t, Map.of("retention.ms", "86400000")));
    partitions.put(s.graphsTopic(), n);
    configs.put(s.graphsTopic(), Map.of("cleanup.policy", "compact,delete", "retention.ms", "604800000",
        "max.message.bytes", Integer.toString(GRAPH_MAX_BYTES)));
    partitions.put(s.alertsTopic(), n);
    configs.put(s.alertsTopic(), Map.of("cleanup.policy", "compact"));
    partitions.put(s.deadLetterTopic(), n);
    if (includeInputs) {
      partitions.putIfAbsent(s.spansTopic(), n);
      s.eventTopics().forEach(t -> partitions.putIfAbsent(t, n));
    }
    return new TopicPlan(partitions, configs);
  }
}
