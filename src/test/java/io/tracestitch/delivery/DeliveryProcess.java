package io.tracestitch.delivery;

import io.tracestitch.config.TracestitchConfig;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * deliver-alerts in a JVM of its own, started as an operator starts it ({@code java -cp ... io.tracestitch.cli.Main
 * deliver-alerts --set ...}), so a test can kill it with SIGKILL: no shutdown hook, no last commit, exactly like a
 * crashed pod. Its output goes to a log file the test can show when something goes wrong.
 */
final class DeliveryProcess implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final Path log;
  private final int port;

  private DeliveryProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** Starts it and waits until /readyz says every target's loop has joined its group. */
  static DeliveryProcess start(Map<String, String> settings, Path log) throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // Two shared cores: a small heap, one GC thread and C1 only keep it from starving the broker.
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), "io.tracestitch.cli.Main", "deliver-alerts"));
    settings.forEach((k, v) -> {
      if (!k.equals(TracestitchConfig.HTTP_PORT)) {
        command.addAll(List.of("--set", k + "=" + v));
      }
    });
    command.addAll(List.of("--set", TracestitchConfig.HTTP_PORT + "=" + port));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    // Settings come from --set alone, not from a TRACESTITCH_* variable of whoever runs the build.
    builder.environment().keySet().removeIf(k -> k.startsWith(TracestitchConfig.ENV_PREFIX));
    DeliveryProcess started = new DeliveryProcess(builder.start(), log, port);
    started.awaitReady();
    return started;
  }

  /** SIGKILL, and waits until the JVM is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("A killed deliver-alerts JVM was still alive 30 s after SIGKILL.");
    }
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private void awaitReady() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("deliver-alerts exited with " + process.exitValue() + ":\n" + logTail());
      }
      try {
        HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + "/readyz")).timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (ready.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // Still starting.
      }
      Thread.sleep(200);
    }
    throw new AssertionError("deliver-alerts was not ready within 90 s:\n" + logTail());
  }

  @Override
  public void close() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }
}
