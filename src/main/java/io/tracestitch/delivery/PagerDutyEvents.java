package io.tracestitch.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tracestitch.avro.Alert;
import io.tracestitch.serdes.AlertPayloads;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The Events API v2 request for an alert, within the limits PagerDuty documents: {@code dedup_key} at most 255
 * characters, {@code payload.summary} at most 1024, the whole event at most 512 KB. The processor already keeps
 * keys and summaries short; what can grow is {@code custom_details} (error texts, diagnoses), so when the event is
 * too large the longest detail values are cut first, each ending in a note of how much was kept, and
 * {@code tracestitch_truncated} names them. Missing optional fields are left out rather than sent as null.
 */
final class PagerDutyEvents {
  static final int MAX_DEDUP_KEY_CHARS = 255;
  static final int MAX_SUMMARY_CHARS = 1024;
  /** Under 512 KB however PagerDuty counts a kilobyte, with room to spare for its own framing. */
  static final int MAX_EVENT_BYTES = 500_000;
  private static final int SHORTEST_CUT_CHARS = 64;
  private static final ObjectMapper JSON = new ObjectMapper();

  private PagerDutyEvents() {}

  static byte[] of(Alert alert, String routingKey) {
    ObjectNode event = AlertPayloads.pagerDuty(alert, routingKey);
    event.put("dedup_key", dedupKey(alert.getDedupKey()));
    JsonNode payload = event.get("payload");
    if (payload instanceof ObjectNode p) {
      removeNulls(p);
      p.put("summary", cut(p.path("summary").asText(""), MAX_SUMMARY_CHARS));
      if (p.path("source").asText("").isBlank()) {
        p.put("source", "tracestitch");
      }
    }
    byte[] bytes = bytes(event);
    if (bytes.length > MAX_EVENT_BYTES && payload instanceof ObjectNode p
        && p.get("custom_details") instanceof ObjectNode details) {
      bytes = fit(event, details, bytes.length);
    }
    return bytes;
  }

  /** The key as it is, or when longer than PagerDuty takes, a readable prefix ending in a hash of the whole. */
  static String dedupKey(String key) {
    if (key.length() <= MAX_DEDUP_KEY_CHARS) {
      return key;
    }
    return key.substring(0, MAX_DEDUP_KEY_CHARS - 17) + "#" + sha256(key).substring(0, 16);
  }

  static String cut(String text, int maxChars) {
    if (text.length() <= maxChars) {
      return text;
    }
    int end = maxChars - 1;
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end) + "…";
  }

  private static byte[] fit(ObjectNode event, ObjectNode details, int size) {
    List<String> cutKeys = new ArrayList<>();
    byte[] bytes = null;
    while (size > MAX_EVENT_BYTES) {
      Map.Entry<String, JsonNode> longest = longestText(details, cutKeys);
      if (longest == null) {
        // Every value is as short as it gets (thousands of details): keep only the note.
        details.removeAll();
        details.put("tracestitch_truncated", "every detail: the event was over PagerDuty's 512 KB");
        return bytes(event);
      }
      String text = longest.getValue().asText();
      String note = "… [cut by tracestitch to fit PagerDuty's 512 KB: %d of " + text.length() + " characters kept]";
      // Each character removed removes at least one byte, so this many characters always make room.
      int keep = Math.max(SHORTEST_CUT_CHARS, text.length() - (size - MAX_EVENT_BYTES) - note.length() - 16);
      if (keep < text.length() && Character.isHighSurrogate(text.charAt(keep - 1))) {
        keep--;
      }
      details.put(longest.getKey(), text.substring(0, keep) + String.format(note, keep));
      cutKeys.add(longest.getKey());
      details.put("tracestitch_truncated", String.join(",", cutKeys));
      bytes = bytes(event);
      size = bytes.length;
    }
    return bytes;
  }

  private static Map.Entry<String, JsonNode> longestText(ObjectNode details, List<String> alreadyCut) {
    Map.Entry<String, JsonNode> longest = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = details.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getValue().isTextual() && !alreadyCut.contains(field.getKey())
          && !field.getKey().equals("tracestitch_truncated")
          && field.getValue().asText().length() > SHORTEST_CUT_CHARS
          && (longest == null || field.getValue().asText().length() > longest.getValue().asText().length())) {
        longest = field;
      }
    }
    return longest;
  }

  private static void removeNulls(ObjectNode node) {
    node.properties().removeIf(field -> field.getValue().isNull());
  }

  private static byte[] bytes(ObjectNode event) {
    try {
      return JSON.writeValueAsBytes(event);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Could not write a PagerDuty event as JSON.", e);
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java runtime has SHA-256.", e);
    }
  }
}
