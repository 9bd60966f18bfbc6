package io.tracestitch.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tracestitch.config.TracestitchConfig;
import io.tracestitch.http.PrometheusSamples;
import io.tracestitch.kafka.KafkaBrokerFixture;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * deliver-alerts in the test's JVM against the shared broker, on its own topics and groups: settings, start,
 * the HTTP endpoints a user would look at, and waiting for conditions with a deadline.
 */
final class DeliveryHarness implements AutoCloseable {
  static final String ROUTING_KEY = "R0UT1NGKEY0123456789abcdefABCDEF";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  final String prefix;
  final String alertsTopic;
  final String dlqTopic;
  private final Map<String, String> settings = new HashMap<>();
  private AlertDelivery delivery;

  DeliveryHarness(String name, int partitions) {
    this.prefix = name + "-" + Long.toHexString(System.nanoTime());
    this.alertsTopic = prefix + "-alerts";
    this.dlqTopic = prefix + "-dlq";
    KafkaBrokerFixture.shared().createTopics(Map.of(alertsTopic, partitions, dlqTopic, 1));
    settings.put(TracestitchConfig.BOOTSTRAP_SERVERS, KafkaBrokerFixture.shared().bootstrapServers());
    settings.put(TracestitchConfig.ALERTS_TOPIC, alertsTopic);
    settings.put(TracestitchConfig.DLQ_TOPIC, dlqTopic);
    settings.put(TracestitchConfig.DELIVERY_GROUP_ID, prefix);
    settings.put(TracestitchConfig.HTTP_PORT, "0");
    settings.put(TracestitchConfig.DELIVERY_RETRY_INITIAL_MS, "20");
    settings.put(TracestitchConfig.DELIVERY_RETRY_MAX_MS, "200");
    settings.put(TracestitchConfig.DELIVERY_REQUEST_TIMEOUT_MS, "5000");
  }

  DeliveryHarness set(String key, String value) {
    settings.put(key, value);
    return this;
  }

  DeliveryHarness pagerDuty(FakePagerDuty fake) {
    return set(TracestitchConfig.DELIVERY_PAGERDUTY_URL, fake.enqueueUrl().toString())
        .set(TracestitchConfig.ALERT_PAGERDUTY_ROUTING_KEY, ROUTING_KEY);
  }

  Map<String, String> settings() {
    return Map.copyOf(settings);
  }

  /** Starts and waits until every target's loop has joined its group, so nothing produced after is missed. */
  DeliveryHarness start() throws Exception {
    delivery = new AlertDelivery(TracestitchConfig.load(Map.of(), Map.of(), settings)).start();
    await("deliver-alerts ready", Duration.ofSeconds(60), () -> status("/readyz") == 200);
    return this;
  }

  int port() {
    return delivery.httpPort();
  }

  int status(String path) {
    return get(path).statusCode();
  }

  JsonNode json(String path) throws IOException {
    return JSON.readTree(get(path).body());
  }

  PrometheusSamples metrics() {
    return new PrometheusSamples(get("/metrics").body());
  }

  double count(String target, String outcome) {
    return metrics().sum("tracestitch_delivery_alerts_total", Map.of("target", target, "outcome", outcome));
  }

  private HttpResponse<String> get(String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
          .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("GET " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted", e);
    }
  }

  static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Not within " + timeout.toSeconds() + " s: " + what);
      }
      Thread.sleep(100);
    }
  }

  @Override
  public void close() {
    if (delivery != null) {
      delivery.close();
    }
  }
}
