package io.tracestitch.app;

import io.tracestitch.avro.Alert;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.config.TracestitchConfig;
import io.tracestitch.http.ApiContext;
import io.tracestitch.http.HttpServer;
import io.tracestitch.http.Restorations;
import io.tracestitch.kafka.EmbeddedKafkaBroker;
import io.tracestitch.serdes.AlertPayloads;
import io.tracestitch.serdes.RecordSerdes;
import io.tracestitch.telemetry.Telemetry;
import io.tracestitch.topology.StitchCounters;
import io.tracestitch.topology.StitchSerdes;
import io.tracestitch.topology.StitchTopology;
import io.tracestitch.topology.alert.AdminConsumerOffsets;
import io.tracestitch.topology.alert.AlertSettings;
import io.tracestitch.topology.workflow.GraphListener;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running processor: the embedded broker when no Kafka address is configured, the topics it
 * writes, the HTTP server with its metrics, and the Kafka Streams instance, started in that order and
 * closed in the reverse one. {@link #close()} is what SIGTERM runs: Streams commits and flushes state
 * before the broker goes.
 */
public final class TracestitchApp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TracestitchApp.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final TracestitchConfig config;
  private final StitchCounters counters = new StitchCounters();
  private final StreamThreadFailures threadFailures = new StreamThreadFailures(counters, Clock.systemUTC());
  private final List<GraphListener> listeners;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private EmbeddedKafkaBroker broker;
  private KafkaStreams streams;
  private AdminConsumerOffsets offsets;
  private SourceEndWatch sourceEnds;
  private HttpServer http;
  private Telemetry telemetry;
  private Restorations restorations = new Restorations();
  private String bootstrapServers;
  private Path stateDir;

  public TracestitchApp(TracestitchConfig config, List<GraphListener> listeners) {
    this.config = config;
    this.listeners = List.copyOf(listeners);
  }

  /**
   * Also tells the listener of every restoration of an active task's state (after readiness has
   * counted it), for example to log progress. Call before {@link #start()}.
   */
  public TracestitchApp observeRestorations(StateRestoreListener listener) {
    restorations = new Restorations(listener);
    return this;
  }

  /** Starts everything and returns once Kafka Streams is starting; {@link #awaitStop()} blocks until closed. */
  public TracestitchApp start() {
    if (config.embedded()) {
      String dir = config.getString(TracestitchConfig.EMBEDDED_DATA_DIR);
      broker = EmbeddedKafkaBroker.start(dir.isEmpty() ? null : Path.of(dir));
      bootstrapServers = broker.bootstrapServers();
    } else {
      bootstrapServers = String.join(",", config.getList(TracestitchConfig.BOOTSTRAP_SERVERS));
    }
    if (config.getBoolean(TracestitchConfig.TOPICS_CREATE)) {
      createTopics(TopicPlan.of(config, config.embedded()));
    }
    // Bound before Streams exists: with http.port=0 the real port is what application.server must advertise.
    http = HttpServer.bind(config.getInt(TracestitchConfig.HTTP_PORT));
    Properties props = streamsProperties(http.port());
    HostInfo self = HostInfo.buildFromEndpoint(props.getProperty(StreamsConfig.APPLICATION_SERVER_CONFIG));
    telemetry = Telemetry.start(counters, self.host() + ":" + self.port(),
        config.getString(TracestitchConfig.METRICS_OTLP_ENDPOINT),
        Duration.ofMillis(config.getLong(TracestitchConfig.METRICS_OTLP_INTERVAL_MS)));
    AlertSettings alerting = config.stitchSettings().alerts();
    // Its own thread reads the offsets; the alert stage only takes what is ready.
    offsets = new AdminConsumerOffsets(Admin.create(config.kafkaProperties(bootstrapServers)), alerting.offsetsRefresh(),
        alerting.offsetsTimeout(), Clock.systemUTC());
    List<GraphListener> graphListeners = new ArrayList<>(listeners);
    graphListeners.add(telemetry.graphListener());
    // Tells the clocks of the stages that read by records (ingest, alerts) quiet input from input out of reach.
    sourceEnds = SourceEndWatch.start(config.kafkaProperties(bootstrapServers),
        config.processingGuarantee(), config.stitchSettings().punctuationInterval());
    Topology topology = StitchTopology.build(config.stitchSettings(), serdes(props), counters, graphListeners, offsets,
        sourceEnds);
    log.info("Topology:\n{}", topology.describe());
    streams = new KafkaStreams(topology, props, sourceEnds);
    // The last resort: a failed thread is replaced, unless it keeps failing at the same place (then reported).
    streams.setUncaughtExceptionHandler(threadFailures);
    // Before start, or the first restorations would go unseen and /readyz could say ready too early.
    streams.setGlobalStateRestoreListener(restorations);
    telemetry.observe(streams, restorations, storeNames(topology));
    telemetry.observeReadToEnd(sourceEnds::unconfirmedForMs);
    http.serve(new ApiContext(streams, restorations, telemetry::prometheusText, config.stitchSettings(), self,
        Duration.ofMillis(config.getLong(TracestitchConfig.HTTP_PEER_TIMEOUT_MS)), Clock.systemUTC(), threadFailures,
        telemetry.completeness()::services));
    streams.start();
    log.info("HTTP on port {} (/healthz, /readyz, /metrics, /api); other instances reach this one at {}.",
        http.port(), self);
    log.info("tracestitch is reading spans from '{}' and events from {} on {}; graphs go to '{}', dead letters to '{}'.",
        config.stitchSettings().spansTopic(), eventSource(), bootstrapServers, config.stitchSettings().graphsTopic(),
        config.stitchSettings().deadLetterTopic());
    return this;
  }

  private Properties streamsProperties(int httpPort) {
    Properties props = new Properties();
    // Defaults that suit this application; anything the user sets (kafkaProperties) wins.
    // A record no stage can use goes to the dead-letter topic and the stream goes on (RecordFailures).
    RecordFailures.install(props, config.stitchSettings(), counters);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(config.commitIntervalMs()));
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.processingGuarantee());
    // A graph of workflow.max.spans spans is several MB (about 220 bytes a span); the graph topic is created
    // to take that much (TopicPlan), and a record that is still too large is dropped with an explanation.
    Properties kafka = config.kafkaProperties(bootstrapServers);
    if (!kafka.containsKey(ProducerConfig.MAX_REQUEST_SIZE_CONFIG)) {
      // Only when unset: a producer.-prefixed default would override the user's plain max.request.size.
      props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
          Integer.toString(TopicPlan.GRAPH_MAX_BYTES));
    }
    props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, OversizedRecordHandler.class.getName());
    props.put(OversizedRecordHandler.COUNTERS_CONFIG, counters);
    if (config.embedded()) {
      props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "1");
    }
    long rocksDbBytes = config.getLong(TracestitchConfig.ROCKSDB_MEMORY_BYTES);
    if (rocksDbBytes > 0) {
      props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, RocksDbMemoryBudget.class.getName());
      props.put(RocksDbMemoryBudget.BYTES_CONFIG, Long.toString(rocksDbBytes));
    }
    props.putAll(kafka);
    props.put(StreamsConfig.APPLICATION_SERVER_CONFIG,
        advertisedServer(props.get(StreamsConfig.APPLICATION_SERVER_CONFIG), httpPort));
    if (!props.containsKey(StreamsConfig.STATE_DIR_CONFIG)) {
      try {
        stateDir = Files.createTempDirectory("tracestitch-state");
      } catch (java.io.IOException e) {
        throw new IllegalStateException("Could not create a state directory; set state.dir to a writable directory.", e);
      }
      props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    }
    return props;
  }

  /**
   * The address the other instances forward queries to: application.server as configured, with port
   * 0 replaced by the bound port; unset, this host's name and the HTTP port (right for one instance,
   * and for several whose host names resolve to each other).
   */
  private static String advertisedServer(Object configured, int httpPort) {
    String server = configured == null ? "" : configured.toString().trim();
    if (server.isEmpty()) {
      return localHostName() + ":" + httpPort;
    }
    return server.endsWith(":0") ? server.substring(0, server.length() - 1) + httpPort : server;
  }

  private static String localHostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  private static Set<String> storeNames(Topology topology) {
    Set<String> names = new TreeSet<>();
    for (TopologyDescription.Subtopology sub : topology.describe().subtopologies()) {
      for (TopologyDescription.Node node : sub.nodes()) {
        if (node instanceof TopologyDescription.Processor processor) {
          names.addAll(processor.stores());
        }
      }
    }
    return names;
  }

  private StitchSerdes serdes(Properties props) {
    Serde<WorkflowGraph> format = RecordSerdes.forFormat(config.outputFormat(), WorkflowGraph.class, config.serdeConfig());
    Serde<WorkflowGraph> graph = Serdes.serdeFrom(graphSizeLimit(format.serializer(), props), format.deserializer());
    String alertFormat = config.getString(TracestitchConfig.ALERT_FORMAT);
    Serde<Alert> alert = alertFormat.isEmpty()
        ? RecordSerdes.forFormat(config.outputFormat(), Alert.class, config.serdeConfig())
        : AlertPayloads.serde(AlertPayloads.Style.parse(alertFormat),
            config.getPassword(TracestitchConfig.ALERT_PAGERDUTY_ROUTING_KEY).value());
    return StitchSerdes.withOutput(graph, alert);
  }

  /**
   * The largest graph record both the producer and the graph topic take, less room for the batch's own header:
   * the smaller of producer.max.request.size and the topic's max.message.bytes (read from the broker; a topic
   * someone created by hand keeps Kafka's 1 MB default).
   */
  private <T> GraphSizeLimit<T> graphSizeLimit(org.apache.kafka.common.serialization.Serializer<T> inner,
      Properties props) {
    Object producerMax = props.getOrDefault(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
        props.getOrDefault(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1024 * 1024));
    int limit = Integer.parseInt(producerMax.toString().trim());
    String why = "producer.max.request.size allows (" + limit + ")";
    String topic = config.stitchSettings().graphsTopic();
    try (Admin admin = Admin.create(config.kafkaProperties(bootstrapServers))) {
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      ConfigEntry entry = admin.describeConfigs(List.of(resource)).all().get(30, java.util.concurrent.TimeUnit.SECONDS)
          .get(resource).get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
      if (entry != null && entry.value() != null && Integer.parseInt(entry.value()) < limit) {
        limit = Integer.parseInt(entry.value());
        why = "topic '" + topic + "' takes (max.message.bytes " + limit + ")";
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
      log.warn("Could not read max.message.bytes of the graph topic '{}' ({}); graphs are limited to {} bytes, what "
          + "producer.max.request.size allows.", topic, e.getMessage(), limit);
    }
    // Room for the record batch's header and the record's key and framing.
    int maxGraphBytes = Math.max(1, limit - 1024);
    log.info("Graphs larger than {} bytes are dropped and counted (records.too_large): the {}, less 1 KiB of framing.",
        maxGraphBytes, why);
    return new GraphSizeLimit<>(inner, maxGraphBytes, why + ", less 1 KiB of framing");
  }

  private void createTopics(TopicPlan plan) {
    try (Admin admin = Admin.create(config.kafkaProperties(bootstrapServers))) {
      List<NewTopic> topics = new ArrayList<>();
      plan.partitions().forEach((name, partitions) -> topics.add(new NewTopic(name, java.util.Optional.of(partitions),
          java.util.Optional.empty()).configs(plan.configs().getOrDefault(name, java.util.Map.of()))));
      for (var entry : admin.createTopics(topics).values().entrySet()) {
        try {
          entry.getValue().get();
          log.info("Created topic '{}'.", entry.getKey());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("Could not create the topic '" + entry.getKey() + "': "
                + e.getCause().getMessage() + " Create it yourself or give tracestitch the right to (topics.create).",
                e.getCause());
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topics.", e);
    }
  }

  private String eventSource() {
    var s = config.stitchSettings();
    return s.eventTopicPattern() != null ? "topics matching /" + s.eventTopicPattern() + "/" : s.eventTopics().toString();
  }

  public KafkaStreams streams() {
    return streams;
  }

  public StitchCounters counters() {
    return counters;
  }

  /** What the uncaught-exception handler has seen of failing stream threads. */
  public io.tracestitch.http.StreamThreadReport streamThreads() {
    return threadFailures.get();
  }

  public TracestitchConfig config() {
    return config;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The port the HTTP server listens on (the chosen one when http.port is 0). */
  public int httpPort() {
    return http.port();
  }

  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  @Override
  public void close() {
    try {
      if (streams != null) {
        log.info("Stopping: committing offsets and flushing state before exit.");
        // A dynamic member leaves the group so its partitions move at once, not after the session timeout;
        // a static member (group.instance.id) stays, so a restarting pod takes its own partitions back.
        boolean staticMember = config.originals().containsKey("group.instance.id")
            || config.originals().containsKey("main.consumer.group.instance.id");
        streams.close(org.apache.kafka.streams.CloseOptions.timeout(CLOSE_TIMEOUT).withGroupMembershipOperation(
            staticMember ? org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP
                : org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
      }
    } finally {
      stopQuietly("the HTTP server", http);
      stopQuietly("the metrics", telemetry);
      if (sourceEnds != null) {
        sourceEnds.close();
      }
      if (offsets != null) {
        offsets.close();
      }
      if (broker != null) {
        broker.close();
      }
      if (stateDir != null) {
        deleteQuietly(stateDir);
      }
      stopped.countDown();
    }
  }

  private static void stopQuietly(String what, AutoCloseable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception e) {
      // Shutting down either way: the rest must still close.
      log.warn("Could not stop {} cleanly.", what, e);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException ignored) {
      // A temp directory left behind is harmless at exit.
    }
  }
}
