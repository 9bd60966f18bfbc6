package io.tracestitch.deploy;

import io.tracestitch.config.TracestitchConfig;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** The setting names tracestitch actually reads: its own, and those of Kafka Streams and its clients. */
final class KnownSettings {
  /** Streams' client prefixes, each with the names valid after it. */
  private static final Map<String, Set<String>> PREFIXED = Map.of(
      StreamsConfig.MAIN_CONSUMER_PREFIX, ConsumerConfig.configNames(),
      StreamsConfig.RESTORE_CONSUMER_PREFIX, ConsumerConfig.configNames(),
      StreamsConfig.GLOBAL_CONSUMER_PREFIX, ConsumerConfig.configNames(),
      StreamsConfig.CONSUMER_PREFIX, ConsumerConfig.configNames(),
      StreamsConfig.PRODUCER_PREFIX, ProducerConfig.configNames(),
      StreamsConfig.ADMIN_CLIENT_PREFIX, AdminClientConfig.configNames());

  private KnownSettings() {}

  static boolean isKnown(String key) {
    if (TracestitchConfig.DEFINITION.names().contains(key)
        || StreamsConfig.configDef().names().contains(key)
        || ConsumerConfig.configNames().contains(key)
        || ProducerConfig.configNames().contains(key)
        || AdminClientConfig.configNames().contains(key)) {
      return true;
    }
    return PREFIXED.entrySet().stream()
        .anyMatch(p -> key.startsWith(p.getKey()) && p.getValue().contains(key.substring(p.getKey().length())));
  }

  /**
   * The key an environment variable sets, by tracestitch's own rule (TRACESTITCH_X_Y sets x.y), found
   * by letting the application load it; null for a variable without the prefix.
   */
  static String keyOfEnvironmentVariable(String name, String value) {
    if (!name.startsWith(TracestitchConfig.ENV_PREFIX)) {
      return null;
    }
    TracestitchConfig loaded = TracestitchConfig.load(Map.of(), Map.of(name, value), Map.of());
    return loaded.originals().keySet().stream().findFirst()
        .orElseThrow(() -> new AssertionError("TracestitchConfig takes no setting from " + name));
  }
}
