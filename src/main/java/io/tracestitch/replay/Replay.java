package io.tracestitch.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tracestitch.avro.Alert;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.serdes.AvroJson;
import io.tracestitch.topology.StitchSerdes;
import io.tracestitch.topology.StitchSettings;
import io.tracestitch.topology.deadletter.DeadLetters;
import io.tracestitch.topology.ingest.SpanEncoding;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Offline replay: the stitching topology over files, writing {@code workflow-graphs.ndjson},
 * {@code trace-alerts.ndjson} and {@code dlq.ndjson}. The records' own timestamps are the clock; at the
 * end of the input time moves past every deadline, so every workflow is published.
 */
public final class Replay {
  public static final String GRAPHS_FILE = "workflow-graphs.ndjson";
  public static final String ALERTS_FILE = "trace-alerts.ndjson";
  public static final String DLQ_FILE = "dlq.ndjson";

  private static final ObjectMapper JSON = new ObjectMapper();

  private Replay() {}

  /** What a run produced, for the command's summary line. */
  public record Summary(int inputRecords, int graphs, int alerts, int deadLettered) {}

  public static Summary run(StitchSettings configured, List<Path> spanFiles, List<Path> eventFiles, Path outDir)
      throws IOException {
    ReplayInputs.Read read = ReplayInputs.read(spanFiles, eventFiles);
    // Span lines are OTLP/JSON whatever the live topic uses; events are read from whichever topics they name.
    List<String> eventTopics = read.events().stream().map(ReplayInputs.Input::topic).distinct().toList();
    StitchSettings settings = configured.withSpanEncoding(SpanEncoding.OTLP_JSON).withEventTopics(eventTopics);
    List<ReplayInputs.Input> all = new ArrayList<>(read.spans());
    all.addAll(read.events());
    all.sort(Comparator.comparingLong(ReplayInputs.Input::timestampMs));
    long start = all.isEmpty() ? 0 : all.get(0).timestampMs();

    Files.createDirectories(outDir);
    // The state directory sits in the output directory (and is removed after): an OS temp dir draws a warning.
    try (ReplayDriver driver = new ReplayDriver(settings, StitchSerdes.avro(), Instant.ofEpochMilli(start), List.of(),
        outDir)) {
      for (ReplayInputs.Input input : all) {
        if (input.topic() == null) {
          driver.pipeSpans(input.key(), input.value(), input.timestampMs());
        } else {
          driver.pipeEvent(input.topic(), input.key(), input.headers(), input.value(), input.timestampMs());
        }
      }
      driver.finish();
      int graphs = writeGraphs(driver.graphRecords(), outDir.resolve(GRAPHS_FILE));
      int dead = writeDeadLetters(driver.deadLetters(), read.malformed(), outDir.resolve(DLQ_FILE));
      int alerts = writeAlerts(lifecycle(driver.alerts()), outDir.resolve(ALERTS_FILE));
      return new Summary(all.size() + read.malformed().size(), graphs, alerts, dead);
    }
  }

  private static int writeGraphs(List<TestRecord<String, WorkflowGraph>> records, Path file) throws IOException {
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (TestRecord<String, WorkflowGraph> r : records) {
        ObjectNode line;
        if (r.value() == null) {
          // A tombstone: this workflow turned out to be part of another and its graph is withdrawn.
          line = JSON.createObjectNode().put("workflowId", r.key()).put("withdrawn", true);
        } else {
          line = AvroJson.toJson(r.value());
        }
        out.write(JSON.writeValueAsString(line));
        out.newLine();
      }
    }
    return records.size();
  }

  /**
   * Each alert's lifecycle: the TRIGGER that opens it and the RESOLVE that closes it (with the final count).
   * The re-sends between them keep paging systems informed live; in a file they would only repeat.
   */
  public static List<Alert> lifecycle(List<Alert> sent) {
    return sent.stream().filter(a -> a.getAction() == io.tracestitch.avro.AlertAction.RESOLVE || a.getSequence() == 1)
        .toList();
  }

  private static int writeAlerts(List<Alert> alerts, Path file) throws IOException {
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (Alert alert : alerts) {
        out.write(JSON.writeValueAsString(AvroJson.toJson(alert)));
        out.newLine();
      }
    }
    return alerts.size();
  }

  private static int writeDeadLetters(List<TestRecord<byte[], byte[]>> records, List<ReplayInputs.Malformed> malformed,
      Path file) throws IOException {
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (ReplayInputs.Malformed m : malformed) {
        ObjectNode line = JSON.createObjectNode().put("reason", "UNDECODABLE").put("message", m.reason())
            .put("file", m.file()).put("line", m.line()).put("text", m.text());
        out.write(JSON.writeValueAsString(line));
        out.newLine();
      }
      for (TestRecord<byte[], byte[]> r : records) {
        ObjectNode line = JSON.createObjectNode();
        line.put("reason", header(r, DeadLetters.REASON)).put("message", header(r, DeadLetters.MESSAGE))
            .put("unit", header(r, DeadLetters.UNIT)).put("topic", header(r, DeadLetters.TOPIC))
            .put("partition", header(r, DeadLetters.PARTITION)).put("offset", header(r, DeadLetters.OFFSET));
        line.put("value", r.value() == null ? null : Base64.getEncoder().encodeToString(r.value()));
        out.write(JSON.writeValueAsString(line));
        out.newLine();
      }
    }
    return malformed.size() + records.size();
  }

  private static String header(TestRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
