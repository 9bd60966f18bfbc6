package io.tracestitch.http;

import java.util.Map;

/**
 * One HTTP request as the routes see it: the decoded path parameters of the matched route and the
 * query parameters (the first value of each).
 */
record ApiRequest(String method, String path, Map<String, String> pathParams, Map<String, String> query) {
  /** The query flag one instance sets when it asks another: answer from your own state only. */
  static final String FORWARDED = "forwarded";

  ApiRequest {
    pathParams = Map.copyOf(pathParams);
    query = Map.copyOf(query);
  }

  String pathParam(String name) {
    String value = pathParams.get(name);
    if (value == null) {
      throw new IllegalStateException("The route has no path parameter '" + name + "'.");
    }
    return value;
  }

  /** True when another instance sent this request: it must not be forwarded or fanned out again. */
  boolean forwarded() {
    String value = query.get(FORWARDED);
    if (value == null || value.equals("false")) {
      return false;
    }
    if (value.equals("true")) {
      return true;
    }
    throw ApiException.badRequest("The query parameter 'forwarded' must be true or false; got '" + value + "'.");
  }

  /**
   * A whole number between 1 and {@code max}, {@code fallback} when absent.
   *
   * @throws ApiException 400 with a sentence naming the parameter otherwise
   */
  int intParam(String name, int fallback, int max) {
    String value = query.get(name);
    if (value == null) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed >= 1 && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // Reported below with the same sentence as an out-of-range number.
    }
    throw ApiException.badRequest("The query parameter '" + name + "' must be a whole number from 1 to " + max
        + "; got '" + value + "'.");
  }
}
