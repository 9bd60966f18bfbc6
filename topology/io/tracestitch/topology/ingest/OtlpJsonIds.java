package io.tracestitch.topology.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Bridges OTLP/JSON and the protobuf JSON mapping, which differ only in how ids are written: OTLP/JSON writes
 * trace and span ids as hex strings, protobuf's {@code JsonFormat} expects base64 for every bytes field. Only
 * the id fields of spans and their links are touched, under both the lowerCamelCase and the snake_case names.
 */
final class OtlpJsonIds {
  private static final List<String> RESOURCE_SPANS = List.of("resourceSpans", "resource_spans");
  private static final List<String> SCOPE_SPANS = List.of("scopeSpans", "scope_spans");
  private static final List<String> SPAN_IDS = List.of(
      "traceId", "trace_id", "spanId", "span_id", "parentSpanId", "parent_span_id");
  private static final List<String> LINK_IDS = List.of("traceId", "trace_id", "spanId", "span_id");

  private OtlpJsonIds() {}

  /** A span taken out of the tree because an id of its own was not hex; nodes are the unconverted originals. */
  record NonHexSpan(ObjectNode resourceSpans, ObjectNode scopeSpans, ObjectNode span, String message) {}

  /**
   * Rewrites the hex ids of an OTLP/JSON tree as base64, in place. A span whose own id is not hex is removed
   * (and returned) so the rest of the batch still parses; a link with a non-hex id is dropped, as an invalid
   * link would be after decoding.
   */
  static List<NonHexSpan> hexToBase64(ObjectNode root) {
    List<NonHexSpan> removed = new ArrayList<>();
    for (ObjectNode resourceSpans : objects(root, RESOURCE_SPANS)) {
      for (ObjectNode scopeSpans : objects(resourceSpans, SCOPE_SPANS)) {
        JsonNode spans = scopeSpans.get("spans");
        if (!(spans instanceof ArrayNode spanArray)) {
          continue;
        }
        for (int i = spanArray.size() - 1; i >= 0; i--) {
          if (!(spanArray.get(i) instanceof ObjectNode span)) {
            continue;
          }
          String problem = nonHexId(span, SPAN_IDS);
          if (problem != null) {
            spanArray.remove(i);
            removed.add(0, new NonHexSpan(resourceSpans, scopeSpans, span, "Span '" + span.path("name").asText()
                + "' has " + problem + ", but OTLP/JSON writes ids as hex strings."));
            continue;
          }
          rewriteLinks(span);
          rewrite(span, SPAN_IDS, OtlpJsonIds::hexAsBase64);
        }
      }
    }
    return removed;
  }

  /** The inverse, for requests printed by {@code JsonFormat}: every id is valid base64 there. */
  static void base64ToHex(ObjectNode root) {
    for (ObjectNode resourceSpans : objects(root, RESOURCE_SPANS)) {
      for (ObjectNode scopeSpans : objects(resourceSpans, SCOPE_SPANS)) {
        for (ObjectNode span : objects(scopeSpans, List.of("spans"))) {
          rewrite(span, SPAN_IDS, OtlpJsonIds::base64AsHex);
          for (ObjectNode link : objects(span, List.of("links"))) {
            rewrite(link, LINK_IDS, OtlpJsonIds::base64AsHex);
          }
        }
      }
    }
  }

  private static void rewriteLinks(ObjectNode span) {
    if (!(span.get("links") instanceof ArrayNode links)) {
      return;
    }
    for (int i = links.size() - 1; i >= 0; i--) {
      if (!(links.get(i) instanceof ObjectNode link)) {
        continue;
      }
      if (nonHexId(link, LINK_IDS) != null) {
        links.remove(i);
      } else {
        rewrite(link, LINK_IDS, OtlpJsonIds::hexAsBase64);
      }
    }
  }

  /** A description of the first id field that is neither hex text nor null, or null when all are fine. */
  private static String nonHexId(ObjectNode node, List<String> fields) {
    for (String field : fields) {
      JsonNode value = node.get(field);
      if (value == null || value.isNull()) {
        continue;
      }
      if (!value.isTextual() || !isHex(value.textValue())) {
        return "the " + field + " " + value + ", which is not a hex string";
      }
    }
    return null;
  }

  private static void rewrite(ObjectNode node, List<String> fields, UnaryOperator<String> conversion) {
    for (String field : fields) {
      JsonNode value = node.get(field);
      if (value != null && value.isTextual()) {
        node.put(field, conversion.apply(value.textValue()));
      }
    }
  }

  private static boolean isHex(String text) {
    if (text.length() % 2 != 0) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        return false;
      }
    }
    return true;
  }

  private static String hexAsBase64(String hex) {
    return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
  }

  private static String base64AsHex(String base64) {
    return HexFormat.of().formatHex(Base64.getDecoder().decode(base64));
  }

  private static List<ObjectNode> objects(JsonNode parent, List<String> names) {
    List<ObjectNode> objects = new ArrayList<>();
    for (String name : names) {
      JsonNode array = parent.get(name);
      if (array instanceof ArrayNode) {
        array.forEach(element -> {
          if (element instanceof ObjectNode object) {
            objects.add(object);
          }
        });
      }
    }
    return objects;
  }
}
