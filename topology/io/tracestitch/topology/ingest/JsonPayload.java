package io.tracestitch.topology.ingest;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.function.Function;

/**
 * An event's payload, read as a JSON object only if it is one and only when an identity is not in the headers.
 * Events in Avro, protobuf or plain text are normal and simply have no payload identities.
 */
final class JsonPayload {
  /** Payloads past this are not parsed: the identities of such an event must come from its headers. */
  static final int MAX_PARSED_BYTES = 1 << 20;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final byte[] value;
  private JsonNode root;
  private boolean parsed;

  JsonPayload(byte[] value) {
    this.value = value;
  }

  /** The first pointer that selects a non-blank string or a number, as text. */
  String first(List<JsonPointer> pointers) {
    return first(pointers, Function.identity());
  }

  /** The first such value that {@code usable} accepts (returns non-null for), as it returns it. */
  <T> T first(List<JsonPointer> pointers, Function<String, T> usable) {
    JsonNode object = root();
    if (object == null) {
      return null;
    }
    for (JsonPointer pointer : pointers) {
      String text = text(object.at(pointer));
      T accepted = text == null ? null : usable.apply(text);
      if (accepted != null) {
        return accepted;
      }
    }
    return null;
  }

  private static String text(JsonNode node) {
    if (node.isTextual() && !node.textValue().isBlank()) {
      return node.textValue().trim();
    }
    // Numeric ids are common ({"id": 42}); booleans, objects and arrays are never an identity.
    return node.isIntegralNumber() ? node.asText() : null;
  }

  private JsonNode root() {
    if (!parsed) {
      parsed = true;
      root = parse(value);
    }
    return root;
  }

  private static JsonNode parse(byte[] value) {
    if (value == null || value.length > MAX_PARSED_BYTES || !startsLikeAnObject(value)) {
      return null;
    }
    try {
      JsonNode node = MAPPER.readTree(value);
      return node != null && node.isObject() ? node : null;
    } catch (IOException notJson) {
      return null;
    }
  }

  // Looking at the first byte spares an exception for every Avro or protobuf event.
  private static boolean startsLikeAnObject(byte[] value) {
    int i = 0;
    if (value.length >= 3 && (value[0] & 0xFF) == 0xEF && (value[1] & 0xFF) == 0xBB && (value[2] & 0xFF) == 0xBF) {
      i = 3;
    }
    for (; i < value.length; i++) {
      byte b = value[i];
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return b == '{';
      }
    }
    return false;
  }
}
