package io.tracestitch.demo;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How to run the checkout simulation.
 *
 * @param bootstrapServers the Kafka cluster the services talk through
 * @param clientSecurity SASL/SSL settings every client of the services needs; empty on a plain cluster
 * @param topics the span and event topics
 * @param ordersPerSecond how many checkouts the gateway receives per second
 * @param faults which misbehaviours are injected
 * @param spanExportDelay the services' batch span processor delay: short, so the demo is lively
 * @param topicPartitions partitions of the topics the simulation has to create itself
 */
public record SimulationSettings(String bootstrapServers, Map<String, Object> clientSecurity, CheckoutTopics topics,
    double ordersPerSecond, Faults faults, Duration spanExportDelay, int topicPartitions) {
  public static final double MAX_ORDERS_PER_SECOND = 200;

  public SimulationSettings {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(faults, "faults");
    clientSecurity = Map.copyOf(clientSecurity);
    requireValidRate(ordersPerSecond);
    if (spanExportDelay.isNegative() || spanExportDelay.isZero()) {
      throw new IllegalArgumentException("The span export delay must be positive, not " + spanExportDelay + ".");
    }
    if (topicPartitions < 1) {
      throw new IllegalArgumentException("Topics need at least one partition, not " + topicPartitions + ".");
    }
  }

  /** @throws IllegalArgumentException unless the rate is above 0 and at most {@link #MAX_ORDERS_PER_SECOND} */
  public static void requireValidRate(double ordersPerSecond) {
    if (!(ordersPerSecond > 0 && ordersPerSecond <= MAX_ORDERS_PER_SECOND)) {
      throw new IllegalArgumentException("The order rate must be above 0 and at most " + MAX_ORDERS_PER_SECOND
          + " orders per second, not " + ordersPerSecond + ".");
    }
  }

  /** 500 ms export delay and 3 partitions per topic the simulation creates. */
  public static SimulationSettings of(String bootstrapServers, CheckoutTopics topics, double ordersPerSecond,
      Faults faults) {
    return new SimulationSettings(bootstrapServers, Map.of(), topics, ordersPerSecond, faults,
        Duration.ofMillis(500), 3);
  }

  public SimulationSettings withClientSecurity(Map<String, Object> security) {
    return new SimulationSettings(bootstrapServers, security, topics, ordersPerSecond, faults, spanExportDelay,
        topicPartitions);
  }
}
