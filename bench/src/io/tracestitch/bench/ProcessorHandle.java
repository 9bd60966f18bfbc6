package io.tracestitch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The harness's side of a processor JVM ({@link ProcessorMain}): starts it, sends it jobs, reads its answers. */
final class ProcessorHandle implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNode EXITED = JSON.createObjectNode().put("type", "exited");

  private final Process process;
  private final Writer stdin;
  private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
  private final long pid;
  private final List<String> jvmArgs;

  private ProcessorHandle(Process process, List<String> jvmArgs) throws IOException, InterruptedException {
    this.process = process;
    this.jvmArgs = jvmArgs;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          if (line.startsWith(ProcessorMain.PREFIX)) {
            messages.add(JSON.readTree(line.substring(ProcessorMain.PREFIX.length())));
          }
        }
      } catch (IOException e) {
        // The process went away; the EXITED marker below tells whoever waits.
      }
      messages.add(EXITED);
    }, "bench-processor-reader");
    reader.setDaemon(true);
    reader.start();
    JsonNode hello = await("hello", Duration.ofSeconds(60));
    this.pid = hello.path("pid").asLong();
  }

  /**
   * @param jvmArgs heap size and the like, recorded in the results
   * @param log where the processor's own log (stderr) goes
   */
  static ProcessorHandle start(String bootstrap, List<String> jvmArgs, Path log, Path logbackConfig)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    command.add("-Dbench.bootstrap=" + bootstrap);
    command.add("-Dlogback.configurationFile=" + logbackConfig);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ProcessorMain.class.getName());
    Process process = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    return new ProcessorHandle(process, jvmArgs);
  }

  long pid() {
    return pid;
  }

  List<String> jvmArgs() {
    return jvmArgs;
  }

  /** Sends a job; the answer is read with {@link #await}. */
  void submit(Job job) throws IOException {
    ObjectNode command = JSON.createObjectNode().put("cmd", "run");
    command.set("job", JSON.valueToTree(job));
    send(command);
  }

  /** Runs a job that needs no conversation and returns its result. */
  JsonNode run(Job job, Duration timeout) throws IOException, InterruptedException {
    submit(job);
    return await("result", timeout);
  }

  void command(String name) throws IOException {
    send(JSON.createObjectNode().put("cmd", name));
  }

  private void send(JsonNode command) throws IOException {
    stdin.write(JSON.writeValueAsString(command));
    stdin.write('\n');
    stdin.flush();
  }

  /** The next message of the given type; earlier messages of other types are dropped. */
  JsonNode await(String type, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      JsonNode message = messages.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
      if (message == null) {
        throw new IllegalStateException("The processor JVM (pid " + pid + ") sent no '" + type + "' within "
            + timeout.toSeconds() + " s.");
      }
      if (message == EXITED) {
        messages.add(EXITED);
        throw new IllegalStateException("The processor JVM (pid " + pid + ") exited while the harness waited for '"
            + type + "'; see its log.");
      }
      if (type.equals(message.path("type").asText())) {
        return message;
      }
    }
  }

  boolean alive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        command("exit");
      }
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (IOException | InterruptedException e) {
      process.destroyForcibly();
    }
  }
}
