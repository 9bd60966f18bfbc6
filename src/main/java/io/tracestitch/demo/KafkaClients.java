package io.tracestitch.demo;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Client settings of the simulated services: where the brokers are, any security settings (SASL/SSL) the
 * processor was given, and what each kind of client needs on top.
 */
final class KafkaClients {
  private final String bootstrapServers;
  private final Map<String, Object> security;

  KafkaClients(String bootstrapServers, Map<String, ?> security) {
    this.bootstrapServers = bootstrapServers;
    this.security = Map.copyOf(security);
  }

  Map<String, Object> producer(String clientId) {
    Map<String, Object> config = common(clientId);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return config;
  }

  /**
   * A consumer of a group that commits by hand after handling, so a record is committed only once its handling
   * is decided, and that starts at the earliest offset so orders placed before it joined are still handled.
   */
  Map<String, Object> consumer(String group, String clientId) {
    Map<String, Object> config = common(clientId);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
    return config;
  }

  Map<String, Object> admin() {
    return common("checkout-simulation-admin");
  }

  private Map<String, Object> common(String clientId) {
    Map<String, Object> config = new HashMap<>(security);
    config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
    return config;
  }
}
