package io.tracestitch.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.GraphNode;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.serdes.AvroSingleObjectSerde;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Everything published to a graph topic, read from the beginning with one isolation level and kept
 * as it arrives, so a test can watch publication progress and afterwards judge the whole history:
 * which (workflow, revision) pairs were published how often, and what the latest revision holds.
 * Not thread-safe: the test thread polls it.
 */
final class GraphLog implements AutoCloseable {
  /** One record of the graph topic; {@code nodeIds} is empty for a tombstone. */
  record Published(String workflowId, Integer revision, Set<String> nodeIds, int duplicateSpans,
      List<String> mergedFrom, int partition, long offset) {
    boolean tombstone() {
      return revision == null;
    }

    String pair() {
      return workflowId + "@r" + revision;
    }
  }

  private final String topic;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Deserializer<WorkflowGraph> graphs = AvroSingleObjectSerde.of(WorkflowGraph.class).deserializer();
  private final List<Published> all = new ArrayList<>();
  private List<TopicPartition> partitions;

  GraphLog(String bootstrapServers, String topic, IsolationLevel isolation) {
    this.topic = topic;
    this.consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Reads whatever has arrived, waiting at most {@code wait}. */
  GraphLog poll(Duration wait) {
    if (partitions == null) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
      if (infos == null || infos.isEmpty()) {
        return this;
      }
      partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
    }
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(wait)) {
      String key = new String(r.key(), StandardCharsets.UTF_8);
      if (r.value() == null) {
        all.add(new Published(key, null, Set.of(), 0, List.of(), r.partition(), r.offset()));
        continue;
      }
      WorkflowGraph g = graphs.deserialize(topic, r.value());
      Set<String> nodes = g.getNodes().stream().map(GraphNode::getId).collect(Collectors.toCollection(TreeSet::new));
      all.add(new Published(g.getWorkflowId(), g.getRevision(), nodes, g.getDuplicateSpans(),
          List.copyOf(g.getMergedFrom()), r.partition(), r.offset()));
    }
    return this;
  }

  /**
   * Reads up to the end the broker reports for this isolation level right now (for read_committed:
   * the last stable offset), so nothing published and committed before this call is left unread.
   */
  GraphLog drainToEnd(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (partitions == null && System.nanoTime() < deadline) {
      poll(Duration.ofMillis(100));
    }
    if (partitions == null) {
      throw new AssertionError("Topic '" + topic + "' never appeared.");
    }
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
    while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
      if (System.nanoTime() >= deadline) {
        throw new AssertionError("Could not read '" + topic + "' up to " + ends + " within " + timeout.toSeconds()
            + " s.");
      }
      poll(Duration.ofMillis(100));
    }
    return this;
  }

  List<Published> all() {
    return List.copyOf(all);
  }

  int size() {
    return all.size();
  }

  /**
   * What a reader of the (compacted) topic ends up with: each key's last record. A workflow whose last
   * record is a tombstone was withdrawn, merged into another.
   */
  Map<String, Published> finalView() {
    Map<String, Published> last = new HashMap<>();
    // A key always maps to the same partition, and each partition arrives in offset order.
    all.forEach(p -> last.put(p.workflowId(), p));
    return last;
  }

  /** How many workflows ended withdrawn. */
  long withdrawn() {
    return finalView().values().stream().filter(Published::tombstone).count();
  }

  /** The highest revision published per workflow (tombstones aside). */
  Map<String, Published> latest() {
    Map<String, Published> latest = new HashMap<>();
    for (Published p : all) {
      if (!p.tombstone()) {
        latest.merge(p.workflowId(), p, (a, b) -> b.revision() > a.revision() ? b : a);
      }
    }
    return latest;
  }

  /** (workflow, revision) pairs published more than once, with how often. */
  Map<String, Long> repeatedPairs() {
    Map<String, Long> counts = all.stream().filter(p -> !p.tombstone())
        .collect(Collectors.groupingBy(Published::pair, TreeMap::new, Collectors.counting()));
    counts.values().removeIf(c -> c == 1);
    return counts;
  }

  /** Workflows whose revisions are not exactly 1, 2, ..., highest: a publication lost in between. */
  Map<String, List<Integer>> revisionGaps() {
    Map<String, TreeSet<Integer>> revisions = new TreeMap<>();
    all.stream().filter(p -> !p.tombstone())
        .forEach(p -> revisions.computeIfAbsent(p.workflowId(), k -> new TreeSet<>()).add(p.revision()));
    Map<String, List<Integer>> gaps = new LinkedHashMap<>();
    revisions.forEach((id, revs) -> {
      if (revs.first() != 1 || revs.last() != revs.size()) {
        gaps.put(id, List.copyOf(revs));
      }
    });
    return gaps;
  }

  /**
   * Expected workflows whose final record is not their highest revision with exactly the nodes sent,
   * and other workflows not withdrawn: what is wrong with each.
   */
  Map<String, String> wrongFinalGraphs(Map<String, Set<String>> expected) {
    Map<String, Published> last = finalView();
    Map<String, Published> latest = latest();
    Map<String, String> wrong = new TreeMap<>();
    expected.forEach((id, nodes) -> {
      Published p = last.get(id);
      if (p == null) {
        wrong.put(id, "no graph");
      } else if (p.tombstone()) {
        wrong.put(id, "withdrawn");
      } else if (p.revision() != latest.get(id).revision()) {
        wrong.put(id, "ends with r" + p.revision() + " after r" + latest.get(id).revision());
      } else if (!p.nodeIds().equals(nodes)) {
        Set<String> missing = new TreeSet<>(nodes);
        missing.removeAll(p.nodeIds());
        Set<String> extra = new TreeSet<>(p.nodeIds());
        extra.removeAll(nodes);
        wrong.put(id, "r" + p.revision() + " missing " + missing + " extra " + extra);
      }
    });
    last.forEach((id, p) -> {
      if (!expected.containsKey(id) && !p.tombstone()) {
        wrong.put(id, "not a workflow that was sent, and not withdrawn: r" + p.revision() + " " + p.nodeIds());
      }
    });
    return wrong;
  }

  /** True once every expected workflow's final graph has exactly its nodes and nothing else is left. */
  boolean complete(Map<String, Set<String>> expected) {
    return wrongFinalGraphs(expected).isEmpty();
  }

  /**
   * The end state of a run in which every graph must be published once per revision: each sent
   * workflow ends with its highest revision holding exactly the nodes sent for it, revisions run 1..n
   * with none twice, and a workflow id that was never sent (a trace published on its own before the
   * record naming its workflow arrived) was withdrawn and merged into a sent one.
   */
  void assertOnceEachAndComplete(Map<String, Set<String>> expected) {
    Map<String, Published> last = finalView();
    assertThat(repeatedPairs()).as("(workflow, revision) pairs published more than once").isEmpty();
    assertThat(revisionGaps()).as("workflows whose revisions skip a number").isEmpty();
    assertThat(wrongFinalGraphs(expected)).as("workflows whose final graph is wrong").isEmpty();
    Set<String> mergedAway = last.keySet().stream().filter(id -> !expected.containsKey(id))
        .collect(Collectors.toCollection(TreeSet::new));
    Set<String> absorbed = expected.keySet().stream().map(last::get).flatMap(p -> p.mergedFrom().stream())
        .collect(Collectors.toSet());
    assertThat(absorbed).as("withdrawn workflows named by the graph they were merged into").containsAll(mergedAway);
    assertThat(all).as("graphs counting a span twice: a routing record applied twice")
        .allMatch(p -> p.duplicateSpans() == 0);
  }

  /** Records of this log absent from {@code committed}: with read_uncommitted, the aborted ones. */
  List<Published> notIn(GraphLog committed) {
    Set<String> positions = committed.all.stream().map(p -> p.partition() + "@" + p.offset())
        .collect(Collectors.toSet());
    return all.stream().filter(p -> !positions.contains(p.partition() + "@" + p.offset())).toList();
  }

  @Override
  public void close() {
    consumer.close();
  }
}
