package io.tracestitch.app;

import io.tracestitch.config.TracestitchConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * tracestitch instances each in a JVM of its own, started the way an operator starts one
 * ({@code java -cp ... io.tracestitch.cli.Main run --set ...}), so a test can kill one with SIGKILL:
 * no shutdown hook, no commit, no flush, exactly like a crashed pod. {@link #close()} kills whatever is
 * still running and deletes the state directories and logs.
 */
final class StitcherProcesses implements AutoCloseable {
  private final Map<String, String> settings;
  private final Path work;
  private final List<Process> started = new ArrayList<>();

  StitcherProcesses(Map<String, String> settings) throws IOException {
    this.settings = Map.copyOf(settings);
    this.work = Files.createTempDirectory("tracestitch-instances-");
  }

  /**
   * Starts instance number {@link #count()} + 1 with a state directory no one has used, so it
   * rebuilds every store it is given from the changelogs.
   */
  Process launch() throws IOException {
    int instance = started.size() + 1;
    Path stateDir = Files.createDirectories(work.resolve("state-" + instance));
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // Two shared cores: a small heap, one GC thread and C1 only keep the instance from starving the broker.
        "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"),
        "io.tracestitch.cli.Main", "run"));
    settings.forEach((k, v) -> command.addAll(List.of("--set", k + "=" + v)));
    command.addAll(List.of("--set", "state.dir=" + stateDir));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log(instance).toFile());
    // Settings must come from --set alone, not from a TRACESTITCH_* variable of whoever runs the build.
    builder.environment().keySet().removeIf(k -> k.startsWith(TracestitchConfig.ENV_PREFIX));
    Process process = builder.start();
    started.add(process);
    return process;
  }

  int count() {
    return started.size();
  }

  /** The instance started last. */
  Process last() {
    return started.get(started.size() - 1);
  }

  /** SIGKILL, and waits until the JVM is gone. */
  void kill(Process process) throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("A killed tracestitch JVM was still alive 30 s after SIGKILL.");
    }
  }

  /** SIGTERM: the shutdown hook closes Kafka Streams, which commits what it has done. */
  void stop(Process process) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(40, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("A tracestitch instance did not stop within 40 s of SIGTERM.\n" + tail(process));
    }
  }

  /** Fails with the end of the instance's log if it exited on its own. */
  void assertAlive(Process process) {
    if (!process.isAlive()) {
      throw new AssertionError("A tracestitch instance exited by itself with code " + process.exitValue() + ".\n"
          + tail(process));
    }
  }

  /** The instance has joined the group and been given partitions. */
  void awaitStableGroup(Admin admin, String group, Process process) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      assertAlive(process);
      try {
        var description = admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group);
        if (description.groupState() == GroupState.STABLE && !description.members().isEmpty()
            && !description.members().iterator().next().assignment().topicPartitions().isEmpty()) {
          return;
        }
      } catch (ExecutionException e) {
        // The group only exists once the instance's consumer has first joined.
        if (!(e.getCause() instanceof GroupIdNotFoundException)) {
          throw e;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("No instance joined group " + group + " within 60 s.\n" + tail(process));
  }

  /** The last lines of the instance's output. */
  String tail(Process process) {
    Path log = log(started.indexOf(process) + 1);
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log at " + log + ": " + e + ")";
    }
  }

  private Path log(int instance) {
    return work.resolve("instance-" + instance + ".log");
  }

  @Override
  public void close() throws IOException, InterruptedException {
    for (Process p : started) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
    try (Stream<Path> paths = Files.walk(work)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
