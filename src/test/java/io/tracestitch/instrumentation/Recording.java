package io.tracestitch.instrumentation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.tracestitch.demo.OtlpRequestsAccess;
import io.tracestitch.topology.ingest.OtlpJson;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * What one recorded run produced: the spans the services' SDKs exported and the event records on the topic,
 * written as replay input (the same files {@code tracestitch replay} reads and the held-out corpora use).
 */
record Recording(List<SpanData> spans, List<ConsumerRecord<byte[], byte[]>> events) {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A service's SDK exports what ended within its batch delay together, as the batch span processor does. */
  private static final long EXPORT_WINDOW_NANOS = 1_000_000_000L;

  static final String SPANS_FILE = "spans.otlp.jsonl";
  static final String EVENTS_FILE = "events.ndjson";

  /** Writes {@value #SPANS_FILE} (one OTLP/JSON request per export) and {@value #EVENTS_FILE} into the folder. */
  Path write(Path dir) throws IOException {
    Files.createDirectories(dir);
    try (BufferedWriter out = Files.newBufferedWriter(dir.resolve(SPANS_FILE), StandardCharsets.UTF_8)) {
      for (List<SpanData> export : exports()) {
        out.write(new String(OtlpJson.encode(OtlpRequestsAccess.of(export)), StandardCharsets.UTF_8));
        out.newLine();
      }
    }
    try (BufferedWriter out = Files.newBufferedWriter(dir.resolve(EVENTS_FILE), StandardCharsets.UTF_8)) {
      for (ConsumerRecord<byte[], byte[]> record : events) {
        ObjectNode line = JSON.createObjectNode();
        line.put("topic", record.topic());
        line.put("key", record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8));
        line.put("timestamp", record.timestamp());
        ObjectNode headers = line.putObject("headers");
        for (Header h : record.headers()) {
          headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
        }
        line.put("value", new String(record.value(), StandardCharsets.UTF_8));
        out.write(JSON.writeValueAsString(line));
        out.newLine();
      }
    }
    return dir;
  }

  /** Per service, the spans in the order they ended, cut into one export per window. */
  private List<List<SpanData>> exports() {
    Map<String, List<SpanData>> byService = new LinkedHashMap<>();
    for (SpanData s : spans) {
      String service = s.getResource().getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey(
          "service.name"));
      byService.computeIfAbsent(service, k -> new ArrayList<>()).add(s);
    }
    List<List<SpanData>> exports = new ArrayList<>();
    for (List<SpanData> serviceSpans : byService.values()) {
      serviceSpans.sort(Comparator.comparingLong(SpanData::getEndEpochNanos));
      List<SpanData> current = new ArrayList<>();
      long windowEnd = Long.MIN_VALUE;
      for (SpanData s : serviceSpans) {
        if (s.getEndEpochNanos() > windowEnd) {
          if (!current.isEmpty()) {
            exports.add(current);
          }
          current = new ArrayList<>();
          windowEnd = s.getEndEpochNanos() + EXPORT_WINDOW_NANOS;
        }
        current.add(s);
      }
      if (!current.isEmpty()) {
        exports.add(current);
      }
    }
    return exports;
  }
}
