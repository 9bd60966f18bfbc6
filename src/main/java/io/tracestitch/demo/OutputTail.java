package io.tracestitch.demo;

import io.tracestitch.avro.Alert;
import io.tracestitch.avro.WorkflowGraph;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the graph and alert topics from the moment it starts and prints each new workflow and alert as one
 * line. A plain consumer without a group: it reads every partition and commits nothing. A tombstone on the
 * graph topic (a workflow merged into another) is skipped.
 */
public final class OutputTail implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OutputTail.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
  private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String graphsTopic;
  private final Deserializer<WorkflowGraph> graphs;
  private final Deserializer<Alert> alerts;
  private final Consumer<String> printer;
  private final Thread thread;
  private volatile boolean running = true;

  private OutputTail(Map<String, Object> clientConfig, String graphsTopic, Deserializer<WorkflowGraph> graphs,
      Deserializer<Alert> alerts, Consumer<String> printer) {
    this.consumer = new KafkaConsumer<>(clientConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.graphsTopic = graphsTopic;
    this.graphs = graphs;
    this.alerts = alerts;
    this.printer = printer;
    this.thread = new Thread(this::run, "demo-output");
    this.thread.setDaemon(true);
  }

  /**
   * Starts at the current end of both topics, so only what is published from now on is printed.
   *
   * @param clientConfig bootstrap servers and any security settings
   */
  public static OutputTail start(Map<String, Object> clientConfig, String graphsTopic,
      Deserializer<WorkflowGraph> graphs, String alertsTopic, Deserializer<Alert> alerts, Consumer<String> printer) {
    Map<String, Object> config = new java.util.HashMap<>(clientConfig);
    config.put(CommonClientConfigs.CLIENT_ID_CONFIG, "tracestitch-demo-output");
    OutputTail tail = new OutputTail(config, graphsTopic, graphs, alerts, printer);
    try {
      List<TopicPartition> partitions = new ArrayList<>(tail.partitionsOf(graphsTopic));
      partitions.addAll(tail.partitionsOf(alertsTopic));
      tail.consumer.assign(partitions);
      tail.consumer.seekToEnd(partitions);
      // seekToEnd is lazy: asking for positions pins "the end" to now, before any order is placed.
      partitions.forEach(tail.consumer::position);
    } catch (RuntimeException e) {
      tail.consumer.close();
      throw e;
    }
    tail.thread.start();
    return tail;
  }

  private List<TopicPartition> partitionsOf(String topic) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, METADATA_TIMEOUT);
    if (infos == null || infos.isEmpty()) {
      log.warn("The topic '{}' does not exist, so nothing published there is shown.", topic);
      return List.of();
    }
    return infos.stream().map(info -> new TopicPartition(topic, info.partition())).toList();
  }

  private void run() {
    try {
      while (running) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL_TIMEOUT)) {
          print(record);
        }
      }
    } catch (WakeupException e) {
      // close() asked to stop.
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  private void print(ConsumerRecord<byte[], byte[]> record) {
    if (record.value() == null) {
      return;
    }
    try {
      if (record.topic().equals(graphsTopic)) {
        printer.accept(WorkflowLine.of(graphs.deserialize(record.topic(), record.headers(), record.value())));
      } else {
        printer.accept(AlertLine.of(alerts.deserialize(record.topic(), record.headers(), record.value())));
      }
    } catch (RuntimeException e) {
      log.warn("A record on '{}' could not be read as tracestitch output and is not shown: {}", record.topic(),
          e.toString());
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(Duration.ofSeconds(10).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
