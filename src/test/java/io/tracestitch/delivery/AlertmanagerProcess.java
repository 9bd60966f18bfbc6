package io.tracestitch.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Alertmanager (Debian's {@code prometheus-alertmanager}, installed by {@code .ci/test-deps}) on a free
 * loopback port, with a generated configuration, a temporary storage path and clustering off, stopped by its
 * process (SIGTERM) and its folder deleted on {@link #close()}.
 */
final class AlertmanagerProcess implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private final Process process;
  private final Path dir;
  private final int port;

  private AlertmanagerProcess(Process process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.port = port;
  }

  /** @param resolveTimeout how long a firing alert posted without an endsAt stays active */
  static AlertmanagerProcess start(Duration resolveTimeout) throws Exception {
    if (!Files.isExecutable(BINARY)) {
      throw new AssertionError(BINARY + " is missing: the alert delivery tests run a real Alertmanager from Debian's "
          + "prometheus-alertmanager package; install it with .ci/test-deps (as root).");
    }
    Path dir = Files.createTempDirectory("tracestitch-alertmanager-");
    Path config = dir.resolve("alertmanager.yml");
    Files.writeString(config, "global:\n  resolve_timeout: " + resolveTimeout.toMillis() + "ms\n"
        + "route:\n  receiver: nobody\n  group_wait: 1s\n  group_interval: 1s\n  repeat_interval: 1h\n"
        + "receivers:\n  - name: nobody\n");
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Process process = new ProcessBuilder(BINARY.toString(), "--config.file=" + config,
        "--storage.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
        "--cluster.listen-address=", "--log.level=warn")
        .redirectErrorStream(true).redirectOutput(dir.resolve("alertmanager.log").toFile()).start();
    AlertmanagerProcess alertmanager = new AlertmanagerProcess(process, dir, port);
    alertmanager.awaitReady();
    return alertmanager;
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** GET /api/v2/alerts: the alerts Alertmanager holds active (resolved ones are not listed). */
  List<JsonNode> alerts() throws IOException, InterruptedException {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(url().resolve("/api/v2/alerts"))
        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new AssertionError("Alertmanager answered " + response.statusCode() + " to GET /api/v2/alerts: "
          + response.body());
    }
    List<JsonNode> alerts = new ArrayList<>();
    JSON.readTree(response.body()).forEach(alerts::add);
    return alerts;
  }

  /** The active alerts whose labels include all of these. */
  List<JsonNode> active(Map<String, String> labels) throws IOException, InterruptedException {
    List<JsonNode> matching = new ArrayList<>();
    for (JsonNode alert : alerts()) {
      boolean all = labels.entrySet().stream()
          .allMatch(l -> l.getValue().equals(alert.path("labels").path(l.getKey()).asText(null)));
      if (all && "active".equals(alert.path("status").path("state").asText())) {
        matching.add(alert);
      }
    }
    return matching;
  }

  String log() {
    try {
      return Files.readString(dir.resolve("alertmanager.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private void awaitReady() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("Alertmanager exited with " + process.exitValue() + ":\n" + log());
      }
      try {
        HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(url().resolve("/-/ready"))
            .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (ready.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // Still starting.
      }
      Thread.sleep(100);
    }
    throw new AssertionError("Alertmanager was not ready within 30 s:\n" + log());
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
