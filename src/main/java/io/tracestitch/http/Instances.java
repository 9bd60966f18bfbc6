package io.tracestitch.http;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Where state lives among the instances of this application, from Kafka Streams' own metadata: the
 * instance holding a key's active task, every instance there is, and which input partitions each
 * one's active tasks read.
 */
final class Instances {
  private static final Serializer<String> KEYS = new StringSerializer();

  /** Where a key's store partition is active. */
  record Location(HostInfo host, int partition, boolean local) {}

  private final KafkaStreams streams;
  private final HostInfo self;

  Instances(KafkaStreams streams, HostInfo self) {
    this.streams = streams;
    this.self = self;
  }

  HostInfo self() {
    return self;
  }

  /**
   * The instance whose active task stores the key.
   *
   * @param what the key as a reader would name it ("workflow 'order-1'"), for the error sentence
   * @throws ApiException 503 while no instance is known to hold it (rebalancing, starting)
   */
  Location locate(String store, String key, String what) {
    KeyQueryMetadata metadata = streams.queryMetadataForKey(store, key, KEYS);
    if (metadata == null || KeyQueryMetadata.NOT_AVAILABLE.equals(metadata) || metadata.activeHost() == null
        || metadata.activeHost().port() < 0) {
      throw ApiException.unavailable("No instance is known to hold " + what + " right now (Kafka Streams is "
          + streams.state() + "); try again shortly.");
    }
    return new Location(metadata.activeHost(), metadata.partition(), metadata.activeHost().equals(self));
  }

  /**
   * Every instance of this application, this one included when it has joined.
   *
   * @throws ApiException 503 while the instances are not known yet
   */
  List<HostInfo> all() {
    Set<HostInfo> hosts = new LinkedHashSet<>();
    for (StreamsMetadata instance : streams.metadataForAllStreamsClients()) {
      hosts.add(instance.hostInfo());
    }
    if (hosts.isEmpty()) {
      throw ApiException.unavailable("The instances of this application are not known yet (Kafka Streams is "
          + streams.state() + "); try again shortly.");
    }
    return List.copyOf(hosts);
  }

  /**
   * Checks that the instances' answers together read every partition of the topic whose tasks hold
   * the store a list comes from, so a partition moving between instances makes the list fail (503)
   * instead of silently leaving its entries out.
   */
  void requireCovered(String topic, Set<Integer> covered, String what) {
    Set<Integer> expected = new TreeSet<>();
    for (StreamsMetadata instance : streams.metadataForAllStreamsClients()) {
      for (TopicPartition partition : instance.topicPartitions()) {
        if (partition.topic().equals(topic)) {
          expected.add(partition.partition());
        }
      }
    }
    if (expected.isEmpty()) {
      throw ApiException.unavailable("No instance has the tasks of topic '" + topic + "' right now (Kafka Streams is "
          + streams.state() + "); try again shortly.");
    }
    expected.removeAll(covered);
    if (!expected.isEmpty()) {
      throw ApiException.unavailable("The " + what + " of partition(s) " + expected + " of '" + topic
          + "' are being moved or restored and cannot be read right now; try again shortly.");
    }
  }

  /** The partitions of the topic that this instance's active tasks read. */
  static Set<Integer> localPartitions(KafkaStreams streams, String topic) {
    Set<Integer> partitions = new TreeSet<>();
    for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
      for (TaskMetadata task : thread.activeTasks()) {
        for (TopicPartition partition : task.topicPartitions()) {
          if (partition.topic().equals(topic)) {
            partitions.add(partition.partition());
          }
        }
      }
    }
    return partitions;
  }
}
