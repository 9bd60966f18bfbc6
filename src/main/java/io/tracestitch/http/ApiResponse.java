package io.tracestitch.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;

/** What a route answers: status, content type and body bytes. Immutable. */
record ApiResponse(int status, String contentType, byte[] body) {
  static final String JSON = "application/json";

  static ApiResponse json(int status, JsonNode body) {
    return new ApiResponse(status, JSON, Json.bytes(body));
  }

  static ApiResponse error(int status, String sentence) {
    return json(status, Json.object().put("error", sentence));
  }

  static ApiResponse text(int status, String contentType, String body) {
    return new ApiResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  JsonNode bodyJson() {
    return Json.parse(body);
  }

  boolean ok() {
    return status == 200;
  }
}
