package io.tracestitch.replay;

import io.tracestitch.avro.Alert;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.topology.StitchCounters;
import io.tracestitch.topology.ReadToEnd;
import io.tracestitch.topology.StitchSerdes;
import io.tracestitch.topology.StitchSettings;
import io.tracestitch.topology.StitchTopology;
import io.tracestitch.topology.alert.ConsumerOffsets;
import io.tracestitch.topology.workflow.GraphListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Runs the stitching topology deterministically, without a broker, on Kafka's own test driver: the
 * records' timestamps are the clock. Offline replay and the topology tests both use it, so a file
 * replayed gives the same graphs as the same records in a test.
 *
 * <p>Feed records in timestamp order; {@link #finish()} then moves time past every deadline so every
 * workflow is published and leaves the stores. Not thread-safe.
 */
public final class ReplayDriver implements AutoCloseable {
  private final StitchSettings settings;
  private final StitchCounters counters = new StitchCounters();
  private final TopologyTestDriver driver;
  private final Path stateDir;
  private final TestInputTopic<byte[], byte[]> spans;
  private final TestOutputTopic<String, WorkflowGraph> graphs;
  private final TestOutputTopic<byte[], byte[]> deadLetters;
  private final TestOutputTopic<String, Alert> alerts;
  private final List<TestRecord<String, Alert>> alertLog = new ArrayList<>();
  private final List<TestRecord<String, WorkflowGraph>> graphLog = new ArrayList<>();
  private final List<TestRecord<byte[], byte[]>> deadLetterLog = new ArrayList<>();
  private long wallMs;

  private static final int MAX_STEPS_PER_ADVANCE = 600;

  public ReplayDriver(StitchSettings settings, StitchSerdes serdes, Instant start, List<GraphListener> listeners) {
    this(settings, serdes, start, listeners, null);
  }

  /** @param stateParent where to put the (temporary) state directory; null for the system's temp directory */
  public ReplayDriver(StitchSettings settings, StitchSerdes serdes, Instant start, List<GraphListener> listeners,
      Path stateParent) {
    this(settings, serdes, start, listeners, stateParent, ConsumerOffsets.NONE);
  }

  /**
   * @param offsets where consumer groups stand, for the alert stage's offset check; {@link ConsumerOffsets#NONE} in
   *     replay (there is no cluster to ask), a model of the groups in a scenario
   */
  public ReplayDriver(StitchSettings settings, StitchSerdes serdes, Instant start, List<GraphListener> listeners,
      Path stateParent, ConsumerOffsets offsets) {
    this(settings, serdes, start, listeners, stateParent, offsets, ReadToEnd.NOT_WATCHED_ANYWHERE);
  }

  /**
   * @param readToEnd how far the source partitions are read: {@link ReadToEnd#NOT_WATCHED_ANYWHERE} in replay (every
   *     record is there), a model of a processor cut off from its input in a scenario
   */
  public ReplayDriver(StitchSettings settings, StitchSerdes serdes, Instant start, List<GraphListener> listeners,
      Path stateParent, ConsumerOffsets offsets, ReadToEnd readToEnd) {
    this.settings = settings;
    this.wallMs = start.toEpochMilli();
    try {
      this.stateDir = stateParent == null ? Files.createTempDirectory("tracestitch-replay")
          : Files.createTempDirectory(stateParent, ".tracestitch-replay-state");
    } catch (java.io.IOException e) {
      throw new IllegalStateException("Could not create a temporary state directory for replay: " + e.getMessage(), e);
    }
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.internalTopicPrefix());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "replay:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, this.stateDir.toString());
    // No global stores here; saying so keeps Kafka's forward-compatibility warning out of replay output.
    props.put("processing.exception.handler.global.enabled", "true");
    // The driver commits after every record; the stages' clocks expect their ticks within a commit interval.
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "0");
    // The application's exception handlers: a record no stage can use is dead-lettered here as it would be live.
    io.tracestitch.app.RecordFailures.install(props, settings, counters);
    // The application's RocksDB budget (its default, rocksdb.memory.bytes): replay's stores are bounded as live.
    props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, io.tracestitch.app.RocksDbMemoryBudget.class.getName());
    this.driver = new TopologyTestDriver(StitchTopology.build(settings, serdes, counters, listeners, offsets,
        readToEnd), props, start);
    this.spans = driver.createInputTopic(settings.spansTopic(), new ByteArraySerializer(), new ByteArraySerializer());
    this.graphs = driver.createOutputTopic(settings.graphsTopic(), new StringDeserializer(),
        serdes.graph().deserializer());
    this.deadLetters = driver.createOutputTopic(settings.deadLetterTopic(), new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    this.alerts = driver.createOutputTopic(settings.alertsTopic(), new StringDeserializer(),
        serdes.alert().deserializer());
  }

  public ReplayDriver(StitchSettings settings, Instant start) {
    this(settings, StitchSerdes.avro(), start, List.of());
  }

  /** One record of the span topic, as the Collector's exporter would have written it at {@code timestampMs}. */
  public void pipeSpans(byte[] key, byte[] value, long timestampMs) {
    advanceTo(timestampMs);
    spans.pipeInput(new TestRecord<>(key, value, new RecordHeaders(), Instant.ofEpochMilli(timestampMs)));
    drain();
  }

  /** One record of a business-event topic. */
  public void pipeEvent(String topic, byte[] key, Headers headers, byte[] value, long timestampMs) {
    advanceTo(timestampMs);
    TestInputTopic<byte[], byte[]> input =
        driver.createInputTopic(topic, new ByteArraySerializer(), new ByteArraySerializer());
    input.pipeInput(new TestRecord<>(key, value, headers == null ? new RecordHeaders() : headers,
        Instant.ofEpochMilli(timestampMs)));
    drain();
  }

  /**
   * Moves the wall clock forward (never back), firing the punctuators as a live processor would: once per
   * punctuation interval, so the stages' clock ticks flow between them as they do live. A long quiet stretch
   * is crossed in at most {@value #MAX_STEPS_PER_ADVANCE} steps: the stages' clocks catch up within a few of
   * them, and only deadlines inside the stretch are then met a step late.
   */
  public void advanceTo(long timestampMs) {
    long step = Math.max(settings.punctuationInterval().toMillis(), (timestampMs - wallMs) / MAX_STEPS_PER_ADVANCE);
    while (timestampMs > wallMs) {
      long next = Math.min(timestampMs, wallMs + step);
      driver.advanceWallClockTime(Duration.ofMillis(next - wallMs));
      wallMs = next;
      drain();
    }
  }

  public void advanceBy(Duration duration) {
    advanceTo(wallMs + duration.toMillis());
  }

  /**
   * The end of the input: moves time past every hold, gap, maximum duration and retention, in steps
   * no longer than the shortest of them, so every workflow is published and every store emptied.
   */
  public void finish() {
    Duration step = List.of(settings.traceHold(), settings.inactivityGap()).stream()
        .min(Comparator.naturalOrder()).orElseThrow();
    long end = wallMs + settings.traceHold().plus(settings.maxDuration()).plus(settings.retention())
        .plus(settings.inactivityGap()).multipliedBy(2).toMillis();
    while (wallMs < end) {
      advanceBy(step);
    }
  }

  public List<TestRecord<String, WorkflowGraph>> graphRecords() {
    drain();
    return List.copyOf(graphLog);
  }

  /** The published graphs, every revision, in publication order (withdrawn ones not included). */
  public List<WorkflowGraph> graphs() {
    return graphRecords().stream().map(TestRecord::value).filter(g -> g != null).toList();
  }

  /** Every alert record sent (TRIGGER, re-sends, RESOLVE), in order. */
  public List<Alert> alerts() {
    drain();
    return alertLog.stream().map(TestRecord::value).toList();
  }

  public List<TestRecord<byte[], byte[]>> deadLetters() {
    drain();
    return List.copyOf(deadLetterLog);
  }

  /**
   * Drops every record produced so far: the graphs, alerts and dead letters collected here, and everything Kafka's
   * test driver keeps of the other topics. That driver keeps every record sent to every topic until someone reads
   * it, the routing topics and the stores' changelogs included, which replay never reads: a long run that has no
   * use for them calls this as it goes, so that its memory follows the state and not the input. What was dropped
   * cannot be read afterwards.
   */
  public void discardOutput() {
    for (String topic : driver.producedTopicNames()) {
      driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer()).readRecordsToList();
    }
    graphLog.clear();
    deadLetterLog.clear();
    alertLog.clear();
  }

  public StitchCounters counters() {
    return counters;
  }

  public TopologyTestDriver driver() {
    return driver;
  }

  public long wallMs() {
    return wallMs;
  }

  private void drain() {
    graphLog.addAll(graphs.readRecordsToList());
    deadLetterLog.addAll(deadLetters.readRecordsToList());
    alertLog.addAll(alerts.readRecordsToList());
  }

  @Override
  public void close() {
    try {
      driver.close();
    } finally {
      deleteQuietly(stateDir);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException ignored) {
      // A leftover temp directory is harmless; failing replay over it would not be.
    }
  }
}
