package io.tracestitch.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * PagerDuty's Events API v2 as its documentation describes it (developer.pagerduty.com, "Send an Alert Event",
 * "Events API v2 Overview"), on a loopback port, since the real one cannot be reached from here:
 * <ul>
 *   <li>{@code POST /v2/enqueue} with a JSON event; 202 {@code {"status":"success","message":"Event processed",
 *       "dedup_key":...}} when it is valid, 400 {@code {"status":"invalid event","message":"Event object is
 *       invalid","errors":[...]}} when it is not: {@code routing_key} (the 32-character integration key) and
 *       {@code event_action} (trigger, acknowledge, resolve) required; {@code dedup_key} at most 255 characters,
 *       required to acknowledge or resolve; a trigger's {@code payload} with {@code summary} (at most 1024
 *       characters), {@code source} and {@code severity} (critical, error, warning, info) required, the optional
 *       fields of their documented types ({@code timestamp} ISO 8601, {@code custom_details} an object, links with
 *       an {@code href}); the whole event at most 512 KB.</li>
 *   <li>De-duplication: a trigger opens an alert for its dedup key or, when one is open, is added to it; a resolve
 *       closes the open alert, or is dropped when none is open; a trigger after a resolve opens a new alert.</li>
 *   <li>Injected failures, chosen per request number: 429 (rate limited), 500/502/503, or a connection closed
 *       without an answer; and a 400 for dedup keys a test names, as for an event PagerDuty refuses.</li>
 * </ul>
 * Everything it took is kept for the test to inspect. Thread-safe.
 */
final class FakePagerDuty implements AutoCloseable {
  static final int MAX_EVENT_BYTES = 512_000;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> SEVERITIES = Set.of("critical", "error", "warning", "info");
  private static final Set<String> ACTIONS = Set.of("trigger", "acknowledge", "resolve");

  /** What to do with one request instead of handling it. */
  enum Fault { NONE, TOO_MANY_REQUESTS, SERVER_ERROR, BAD_GATEWAY, UNAVAILABLE, DROP_CONNECTION }

  /** An event PagerDuty took, with what it did with it. */
  record Event(int request, long atMs, String action, String dedupKey, JsonNode body, String effect) {
    String detail(String name) {
      return body.path("payload").path("custom_details").path(name).asText(null);
    }
  }

  /** One alert PagerDuty opened for a dedup key. */
  record OpenedAlert(String dedupKey, int number, List<Event> events, boolean resolved) {}

  private final HttpServer server;
  private final String routingKey;
  private final AtomicInteger requests = new AtomicInteger();
  private final Map<Fault, AtomicInteger> injected = new HashMap<>();
  private final List<Event> accepted = new ArrayList<>();
  private final Map<String, List<OpenedAlert>> alerts = new HashMap<>();
  private final List<String> rejections = new ArrayList<>();
  private volatile IntFunction<Fault> faults = n -> Fault.NONE;
  private volatile Set<String> refusedKeys = Set.of();
  private volatile long latencyMs;

  private FakePagerDuty(String routingKey) throws IOException {
    this.routingKey = routingKey;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  static FakePagerDuty start(String routingKey) throws IOException {
    return new FakePagerDuty(routingKey);
  }

  URI enqueueUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v2/enqueue");
  }

  /** Chooses a fault for each request by its number (from 1). */
  FakePagerDuty faults(IntFunction<Fault> byRequestNumber) {
    this.faults = byRequestNumber;
    return this;
  }

  /** Valid events with these dedup keys are answered 400, as events PagerDuty refuses. */
  FakePagerDuty refuse(Set<String> dedupKeys) {
    this.refusedKeys = Set.copyOf(dedupKeys);
    return this;
  }

  /** Each answer takes this long. */
  FakePagerDuty latency(long millis) {
    this.latencyMs = millis;
    return this;
  }

  int requests() {
    return requests.get();
  }

  int injected(Fault fault) {
    synchronized (this) {
      return injected.getOrDefault(fault, new AtomicInteger()).get();
    }
  }

  synchronized List<Event> accepted() {
    return List.copyOf(accepted);
  }

  synchronized List<String> rejections() {
    return List.copyOf(rejections);
  }

  /** The alerts opened for the key, in order; the last one is what an on-call engineer sees now. */
  synchronized List<OpenedAlert> alerts(String dedupKey) {
    return List.copyOf(alerts.getOrDefault(dedupKey, List.of()));
  }

  synchronized Map<String, List<OpenedAlert>> allAlerts() {
    Map<String, List<OpenedAlert>> copy = new HashMap<>();
    alerts.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    return copy;
  }

  private void handle(HttpExchange exchange) throws IOException {
    int number = requests.incrementAndGet();
    byte[] body = exchange.getRequestBody().readAllBytes();
    sleep(latencyMs);
    if (!exchange.getRequestURI().getPath().equals("/v2/enqueue")) {
      answer(exchange, 404, "{\"status\":\"not found\"}");
      return;
    }
    if (!exchange.getRequestMethod().equals("POST")) {
      answer(exchange, 405, "{\"status\":\"method not allowed\"}");
      return;
    }
    Fault fault = faults.apply(number);
    synchronized (this) {
      injected.computeIfAbsent(fault, f -> new AtomicInteger()).incrementAndGet();
    }
    switch (fault) {
      case TOO_MANY_REQUESTS -> answer(exchange, 429, "{\"status\":\"throttle event\",\"message\":\"Requests for "
          + "this service are arriving too quickly. Please retry later.\"}");
      case SERVER_ERROR -> answer(exchange, 500, "{\"status\":\"error\"}");
      case BAD_GATEWAY -> answer(exchange, 502, "<html>Bad Gateway</html>");
      case UNAVAILABLE -> answer(exchange, 503, "{\"status\":\"unavailable\"}");
      case DROP_CONNECTION -> exchange.close();
      case NONE -> enqueue(exchange, number, body);
    }
  }

  private void enqueue(HttpExchange exchange, int number, byte[] bytes) throws IOException {
    List<String> errors = new ArrayList<>();
    JsonNode event = null;
    if (bytes.length > MAX_EVENT_BYTES) {
      errors.add("Event is " + bytes.length + " bytes; events are limited to 512 KB");
    } else {
      try {
        event = JSON.readTree(bytes);
      } catch (IOException e) {
        errors.add("Could not parse the request body as JSON");
      }
    }
    if (event != null) {
      errors.addAll(problems(event, routingKey));
    }
    String dedupKey = event == null ? null : event.path("dedup_key").asText(null);
    if (errors.isEmpty() && dedupKey != null && refusedKeys.contains(dedupKey)) {
      errors.add("'" + dedupKey + "' is refused by this test");
    }
    if (!errors.isEmpty()) {
      ObjectNode answer = JSON.createObjectNode().put("status", "invalid event").put("message", "Event object is invalid");
      errors.forEach(answer.putArray("errors")::add);
      synchronized (this) {
        rejections.add(String.join("; ", errors));
      }
      answer(exchange, 400, answer.toString());
      return;
    }
    String action = event.get("event_action").asText();
    String key = dedupKey != null ? dedupKey : UUID.randomUUID().toString();
    synchronized (this) {
      List<OpenedAlert> forKey = alerts.computeIfAbsent(key, k -> new ArrayList<>());
      OpenedAlert open = forKey.isEmpty() || forKey.get(forKey.size() - 1).resolved() ? null : forKey.get(forKey.size() - 1);
      String effect;
      Event taken;
      switch (action) {
        case "trigger" -> {
          if (open == null) {
            effect = "opened";
            taken = new Event(number, System.currentTimeMillis(), action, key, event, effect);
            forKey.add(new OpenedAlert(key, forKey.size() + 1, List.of(taken), false));
          } else {
            effect = "deduplicated";
            taken = new Event(number, System.currentTimeMillis(), action, key, event, effect);
            forKey.set(forKey.size() - 1, with(open, taken, false));
          }
        }
        case "resolve" -> {
          effect = open == null ? "dropped" : "resolved";
          taken = new Event(number, System.currentTimeMillis(), action, key, event, effect);
          if (open != null) {
            forKey.set(forKey.size() - 1, with(open, taken, true));
          }
        }
        default -> {
          effect = open == null ? "dropped" : "acknowledged";
          taken = new Event(number, System.currentTimeMillis(), action, key, event, effect);
        }
      }
      accepted.add(taken);
    }
    answer(exchange, 202, JSON.createObjectNode().put("status", "success").put("message", "Event processed")
        .put("dedup_key", key).toString());
  }

  private static OpenedAlert with(OpenedAlert alert, Event event, boolean resolved) {
    List<Event> events = new ArrayList<>(alert.events());
    events.add(event);
    return new OpenedAlert(alert.dedupKey(), alert.number(), List.copyOf(events), resolved);
  }

  /** What the Events API v2 documentation says makes an event invalid. */
  static List<String> problems(JsonNode event, String expectedRoutingKey) {
    List<String> errors = new ArrayList<>();
    if (!event.isObject()) {
      return List.of("The event must be a JSON object");
    }
    JsonNode routing = event.get("routing_key");
    if (routing == null || !routing.isTextual() || routing.asText().length() != 32) {
      errors.add("'routing_key' must be the 32-character integration key");
    } else if (expectedRoutingKey != null && !routing.asText().equals(expectedRoutingKey)) {
      errors.add("'routing_key' is not an integration key of this account");
    }
    JsonNode action = event.get("event_action");
    if (action == null || !action.isTextual() || !ACTIONS.contains(action.asText())) {
      errors.add("'event_action' must be one of trigger, acknowledge, resolve");
    }
    JsonNode dedup = event.get("dedup_key");
    if (dedup != null && (!dedup.isTextual() || dedup.asText().length() > 255)) {
      errors.add("'dedup_key' must be a string of at most 255 characters");
    }
    if (action != null && !"trigger".equals(action.asText()) && dedup == null) {
      errors.add("'dedup_key' is required to " + action.asText());
    }
    if (action != null && "trigger".equals(action.asText())) {
      JsonNode payload = event.get("payload");
      if (payload == null || !payload.isObject()) {
        errors.add("'payload' is required for a trigger");
      } else {
        requiredText(payload, "summary", 1024, errors);
        requiredText(payload, "source", Integer.MAX_VALUE, errors);
        JsonNode severity = payload.get("severity");
        if (severity == null || !severity.isTextual() || !SEVERITIES.contains(severity.asText())) {
          errors.add("'payload.severity' must be one of critical, error, warning, info");
        }
        for (String optional : List.of("component", "group", "class")) {
          if (payload.has(optional) && !payload.get(optional).isTextual()) {
            errors.add("'payload." + optional + "' must be a string");
          }
        }
        if (payload.has("timestamp")) {
          try {
            OffsetDateTime.parse(payload.get("timestamp").asText());
          } catch (DateTimeParseException e) {
            errors.add("'payload.timestamp' must be an ISO 8601 timestamp");
          }
        }
        if (payload.has("custom_details") && !payload.get("custom_details").isObject()) {
          errors.add("'payload.custom_details' must be an object");
        }
      }
      JsonNode links = event.get("links");
      if (links != null && (!links.isArray() || !allHave(links, "href"))) {
        errors.add("'links' must be a list of objects with an 'href'");
      }
      JsonNode images = event.get("images");
      if (images != null && (!images.isArray() || !allHave(images, "src"))) {
        errors.add("'images' must be a list of objects with a 'src'");
      }
    }
    return errors;
  }

  private static void requiredText(JsonNode payload, String field, int maxChars, List<String> errors) {
    JsonNode value = payload.get(field);
    if (value == null || !value.isTextual() || value.asText().isEmpty()) {
      errors.add("'payload." + field + "' is required");
    } else if (value.asText().length() > maxChars) {
      errors.add("'payload." + field + "' is longer than " + maxChars + " characters");
    }
  }

  private static boolean allHave(JsonNode list, String field) {
    for (JsonNode item : list) {
      if (!item.isObject() || !item.path(field).isTextual()) {
        return false;
      }
    }
    return true;
  }

  private static void answer(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void sleep(long millis) {
    if (millis > 0) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
