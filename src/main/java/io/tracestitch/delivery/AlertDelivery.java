package io.tracestitch.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tracestitch.config.TracestitchConfig;
import io.tracestitch.http.HealthStatus;
import io.tracestitch.http.HttpServer;
import io.tracestitch.telemetry.Telemetry;
import io.tracestitch.topology.StitchCounters;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.random.RandomGenerator;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code deliver-alerts}: the alert topic delivered to Alertmanager and PagerDuty, one {@link DeliveryLoop} (and
 * consumer group) per target, with {@code /healthz}, {@code /readyz} and {@code /metrics} on the HTTP port.
 * Started in that order and closed in the reverse one; {@link #close()} is what SIGTERM runs: each loop finishes
 * its request in flight, commits what it settled and leaves its group.
 *
 * <p>Ready means every loop has joined its group and no target has failed every try for longer than
 * {@code delivery.unready.after.ms}. Alive means every loop's thread still runs.
 */
public final class AlertDelivery implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AlertDelivery.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TracestitchConfig config;
  private final Clock clock;
  private final List<DeliveryLoop> loops = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final List<TargetHealth> targets = new ArrayList<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private DeliverySettings settings;
  private HttpServer http;
  private Telemetry telemetry;
  private DeadLetterWriter deadLetters;

  public AlertDelivery(TracestitchConfig config) {
    this(config, Clock.systemUTC());
  }

  AlertDelivery(TracestitchConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  /**
   * Starts the HTTP server and one loop per target, and returns.
   *
   * @throws org.apache.kafka.common.config.ConfigException when a setting deliver-alerts needs is missing or wrong
   */
  public AlertDelivery start() {
    settings = config.deliverySettings();
    String bootstrap = String.join(",", config.getList(TracestitchConfig.BOOTSTRAP_SERVERS));
    String alertsTopic = config.getString(TracestitchConfig.ALERTS_TOPIC);
    http = HttpServer.bind(config.getInt(TracestitchConfig.HTTP_PORT));
    telemetry = Telemetry.start(new StitchCounters(), localHostName() + ":" + http.port(),
        config.getString(TracestitchConfig.METRICS_OTLP_ENDPOINT),
        Duration.ofMillis(config.getLong(TracestitchConfig.METRICS_OTLP_INTERVAL_MS)));
    Map<String, Object> clients = clientSettings(bootstrap);
    deadLetters = new DeadLetterWriter(new KafkaProducer<>(producerSettings(clients), new ByteArraySerializer(),
        new ByteArraySerializer()), config.getString(TracestitchConfig.DLQ_TOPIC));
    AlertDecoder decoder = new AlertDecoder(config.outputFormat(), config.serdeConfig());
    settings.targets().forEach(target -> targets.add(new TargetHealth(target)));
    DeliveryMetrics metrics = new DeliveryMetrics(telemetry.meter(), targets, clock);
    for (TargetHealth health : targets) {
      DeliverySettings.Target target = health.target();
      TargetProtocol protocol = target == DeliverySettings.Target.ALERTMANAGER
          ? new AlertmanagerProtocol(settings) : new PagerDutyProtocol(settings);
      AlertHistory history = new AlertHistory(() -> new KafkaConsumer<>(readerSettings(clients, target),
          new ByteArrayDeserializer(), new ByteArrayDeserializer()), decoder, clock);
      DeliveryLoop loop = new DeliveryLoop(protocol, new TargetClient(uriOf(target), settings.requestTimeout(), clock),
          new KafkaConsumer<>(consumerSettings(clients, target), new ByteArrayDeserializer(),
              new ByteArrayDeserializer()),
          alertsTopic, decoder, history, deadLetters, loops.isEmpty(),
          new Backoff(settings.retryInitial(), settings.retryMax(), RandomGenerator.getDefault()), metrics, health,
          clock);
      loops.add(loop);
      Thread thread = new Thread(loop, "tracestitch-delivery-" + target.settingName());
      threads.add(thread);
      thread.start();
      log.info("Delivering '{}' to {} at {} (consumer group {}).", alertsTopic, target.settingName(), uriOf(target),
          settings.groupOf(target));
    }
    http.serveProbes(this::live, this::ready, telemetry::prometheusText);
    log.info("HTTP on port {} (/healthz, /readyz, /metrics); dead letters go to '{}'.", http.port(),
        config.getString(TracestitchConfig.DLQ_TOPIC));
    return this;
  }

  /** The port the HTTP server listens on (the chosen one when http.port is 0). */
  public int httpPort() {
    return http.port();
  }

  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  HealthStatus live() {
    ObjectNode body = JSON.createObjectNode();
    List<String> stoppedLoops = new ArrayList<>();
    for (int i = 0; i < threads.size(); i++) {
      if (!threads.get(i).isAlive()) {
        stoppedLoops.add(targets.get(i).target().settingName());
      }
    }
    if (stoppedLoops.isEmpty()) {
      return new HealthStatus(true, body.put("status", "alive"));
    }
    return new HealthStatus(false, body.put("status", "failed").put("reason", "The delivery to " + stoppedLoops
        + " stopped and does not come back by itself; restart deliver-alerts."));
  }

  HealthStatus ready() {
    long now = clock.millis();
    ObjectNode body = JSON.createObjectNode();
    ArrayNode list = body.putArray("targets");
    List<String> problems = new ArrayList<>();
    for (TargetHealth health : targets) {
      String name = health.target().settingName();
      ObjectNode node = list.addObject().put("target", name).put("joined", health.hasJoined())
          .put("partitions", health.partitions()).put("pending", health.pending()).put("firing", health.firing())
          .put("failingForMs", health.failingForMs(now));
      if (health.failing()) {
        node.put("lastProblem", health.lastProblem());
      }
      if (!health.hasJoined()) {
        problems.add(name + " has not joined its consumer group " + settings.groupOf(health.target()) + " yet");
      } else if (health.failing() && health.failingForMs(now) >= settings.unreadyAfter().toMillis()) {
        problems.add(name + " has failed every try for " + health.failingForMs(now) / 1000 + " s (last: "
            + health.lastProblem() + "); its alerts wait in Kafka until it answers");
      }
    }
    if (problems.isEmpty()) {
      return new HealthStatus(true, body.put("status", "ready"));
    }
    return new HealthStatus(false, body.put("status", "not ready").put("reason", String.join("; ", problems) + "."));
  }

  private URI uriOf(DeliverySettings.Target target) {
    if (target == DeliverySettings.Target.PAGERDUTY) {
      return settings.pagerDutyUrl();
    }
    String base = settings.alertmanagerUrl().toString();
    return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/api/v2/alerts");
  }

  /** The Kafka client settings the user gave (security, timeouts), without the Streams-only ones. */
  private Map<String, Object> clientSettings(String bootstrap) {
    Map<String, Object> values = new HashMap<>();
    config.kafkaProperties(bootstrap).forEach((k, v) -> values.put(k.toString(), v));
    return values;
  }

  private Map<String, Object> consumerSettings(Map<String, Object> clients, DeliverySettings.Target target) {
    Map<String, Object> consumer = only(clients, ConsumerConfig.configNames());
    // Static membership is per pod and per group; two loops in one process must not share an instance id.
    consumer.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    consumer.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupOf(target));
    consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // The processor writes alerts in transactions: an aborted one must never page.
    consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
    // Only for a committed offset compaction or retention has removed; a new group starts at the end (DeliveryLoop).
    consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumer.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "tracestitch-delivery-" + target.settingName());
    return consumer;
  }

  private Map<String, Object> readerSettings(Map<String, Object> clients, DeliverySettings.Target target) {
    Map<String, Object> reader = consumerSettings(clients, target);
    reader.remove(ConsumerConfig.GROUP_ID_CONFIG);
    reader.put(ConsumerConfig.CLIENT_ID_CONFIG, "tracestitch-delivery-" + target.settingName() + "-history");
    return reader;
  }

  private static Map<String, Object> producerSettings(Map<String, Object> clients) {
    Map<String, Object> producer = only(clients, ProducerConfig.configNames());
    producer.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
    producer.put(ProducerConfig.ACKS_CONFIG, "all");
    producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producer.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "tracestitch-delivery-dlq");
    return producer;
  }

  private static Map<String, Object> only(Map<String, Object> values, Set<String> names) {
    Map<String, Object> kept = new HashMap<>();
    values.forEach((k, v) -> {
      if (names.contains(k)) {
        kept.put(k, v);
      }
    });
    return kept;
  }

  private static String localHostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  @Override
  public void close() {
    try {
      loops.forEach(DeliveryLoop::close);
      for (Thread thread : threads) {
        try {
          thread.join(CLOSE_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
        if (thread.isAlive()) {
          log.warn("{} did not stop within {} s; what it settled since its last commit is delivered again.",
              thread.getName(), CLOSE_TIMEOUT.toSeconds());
        }
      }
    } finally {
      closeQuietly("the dead-letter producer", deadLetters);
      closeQuietly("the HTTP server", http);
      closeQuietly("the metrics", telemetry);
      stopped.countDown();
    }
  }

  private static void closeQuietly(String what, AutoCloseable closeable) {
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
}
