package io.tracestitch.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import io.tracestitch.topology.ingest.OtlpJson;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Reads replay input files into records with timestamps. Span files hold one OTLP JSON
 * {@code ExportTraceServiceRequest} per line, as the Collector's file exporter writes them, or (".pb")
 * length-delimited OTLP protobuf requests. Event files hold one JSON record per line:
 * {@code {"topic", "key", "timestamp", "headers", "value"}}. A line that cannot be read becomes a
 * {@link Malformed} entry instead of ending the run.
 */
public final class ReplayInputs {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ReplayInputs() {}

  /** A record to feed: a span batch (topic null) or an event. */
  public record Input(String topic, byte[] key, RecordHeaders headers, byte[] value, long timestampMs,
      String origin) {}

  /** A line that could not be used, with the reason. */
  public record Malformed(String file, long line, String reason, String text) {}

  /** What a set of files held. */
  public record Read(List<Input> spans, List<Input> events, List<Malformed> malformed) {}

  public static Read read(List<Path> spanFiles, List<Path> eventFiles) throws IOException {
    List<Input> spans = new ArrayList<>();
    List<Input> events = new ArrayList<>();
    List<Malformed> malformed = new ArrayList<>();
    for (Path file : spanFiles) {
      if (file.getFileName().toString().endsWith(".pb")) {
        readDelimitedProto(file, spans, malformed);
      } else {
        readJsonLines(file, spans, malformed);
      }
    }
    for (Path file : eventFiles) {
      readEvents(file, events, malformed);
    }
    return new Read(spans, events, malformed);
  }

  private static void readJsonLines(Path file, List<Input> out, List<Malformed> malformed) throws IOException {
    long lineNo = 0;
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        // The line goes to the topology as it is (otlp_json); only its time is read here.
        long timestamp;
        try {
          timestamp = latestEndMs(JSON.readTree(line));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          malformed.add(new Malformed(file.toString(), lineNo, "Not a JSON line: " + e.getOriginalMessage(), line));
          continue;
        }
        out.add(new Input(null, null, new RecordHeaders(), line.getBytes(StandardCharsets.UTF_8), timestamp,
            file + ":" + lineNo));
      }
    }
  }

  private static void readDelimitedProto(Path file, List<Input> out, List<Malformed> malformed) throws IOException {
    long n = 0;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      while (true) {
        n++;
        ExportTraceServiceRequest request;
        try {
          request = ExportTraceServiceRequest.parseDelimitedFrom(in);
        } catch (IOException e) {
          malformed.add(new Malformed(file.toString(), n, "Not a length-delimited OTLP request: " + e.getMessage(), ""));
          return;
        }
        if (request == null) {
          return;
        }
        out.add(new Input(null, null, new RecordHeaders(), OtlpJson.encode(request),
            latestEndMs(request), file + "#" + n));
      }
    }
  }

  private static void readEvents(Path file, List<Input> out, List<Malformed> malformed) throws IOException {
    long lineNo = 0;
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        try {
          out.add(event(JSON.readTree(line), file + ":" + lineNo));
        } catch (IOException | IllegalArgumentException e) {
          String reason = e instanceof IOException io && io instanceof com.fasterxml.jackson.core.JsonProcessingException jp
              ? "Not a JSON line: " + jp.getOriginalMessage() : e.getMessage();
          malformed.add(new Malformed(file.toString(), lineNo, reason, line));
        }
      }
    }
  }

  private static Input event(JsonNode node, String origin) throws IOException {
    if (!node.isObject()) {
      throw new IllegalArgumentException("An event line must be a JSON object with topic, timestamp and value.");
    }
    String topic = text(node.get("topic"));
    if (topic == null || topic.isBlank()) {
      throw new IllegalArgumentException("The event has no \"topic\"; every line needs the topic it was read from.");
    }
    RecordHeaders headers = new RecordHeaders();
    JsonNode h = node.get("headers");
    if (h != null && h.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = h.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        headers.add(f.getKey(), f.getValue().asText().getBytes(StandardCharsets.UTF_8));
      }
    }
    JsonNode value = node.get("value");
    byte[] bytes = value == null || value.isNull() ? null
        : value.isTextual() ? value.asText().getBytes(StandardCharsets.UTF_8) : JSON.writeValueAsBytes(value);
    String key = text(node.get("key"));
    return new Input(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), headers, bytes,
        timestamp(node.get("timestamp")), origin);
  }

  private static long timestamp(JsonNode node) {
    if (node == null || node.isNull()) {
      throw new IllegalArgumentException("The event has no \"timestamp\" (epoch milliseconds or ISO-8601).");
    }
    if (node.isNumber()) {
      return node.asLong();
    }
    try {
      return Instant.parse(node.asText()).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("The timestamp \"" + node.asText()
          + "\" is neither epoch milliseconds nor ISO-8601 (e.g. 2026-01-01T00:00:00Z).");
    }
  }

  private static String text(JsonNode node) {
    return node == null || node.isNull() ? null : node.asText();
  }

  /** When the Collector would have written this batch: as its last span ended. */
  private static long latestEndMs(JsonNode request) {
    long latest = 0;
    for (JsonNode rs : request.path("resourceSpans")) {
      for (JsonNode ss : rs.path("scopeSpans")) {
        for (JsonNode span : ss.path("spans")) {
          latest = Math.max(latest, span.path("endTimeUnixNano").asLong(0) / 1_000_000);
        }
      }
    }
    return latest;
  }

  private static long latestEndMs(ExportTraceServiceRequest request) {
    long latest = 0;
    for (ResourceSpans rs : request.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span span : ss.getSpansList()) {
          latest = Math.max(latest, span.getEndTimeUnixNano() / 1_000_000);
        }
      }
    }
    return latest;
  }
}
