package io.tracestitch.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the checkout's topics that do not exist yet. The simulated services own their topics; on a real
 * cluster nobody else would create them, and Kafka Streams refuses to start on missing source topics.
 */
public final class SimulationTopics {
  private static final Logger log = LoggerFactory.getLogger(SimulationTopics.class);
  private static final long TIMEOUT_SECONDS = 30;

  private SimulationTopics() {}

  /** Topics that exist already are left as they are, whatever their partitions. */
  public static void ensure(SimulationSettings settings) {
    KafkaClients clients = new KafkaClients(settings.bootstrapServers(), settings.clientSecurity());
    try (Admin admin = Admin.create(clients.admin())) {
      Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (String topic : settings.topics().all()) {
        if (!existing.contains(topic)) {
          missing.add(new NewTopic(topic, Optional.of(settings.topicPartitions()), Optional.empty()));
        }
      }
      for (var created : admin.createTopics(missing).values().entrySet()) {
        try {
          created.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
          log.info("Created the checkout topic '{}'.", created.getKey());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("Could not create the checkout topic '" + created.getKey() + "': "
                + e.getCause().getMessage(), e.getCause());
          }
        }
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Could not list the topics of the cluster at " + settings.bootstrapServers()
          + ": " + (e instanceof ExecutionException ? e.getCause() : e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating the checkout topics.", e);
    }
  }
}
