package io.tracestitch.topology.graph;

import io.tracestitch.avro.internal.SpanKind;
import io.tracestitch.avro.internal.SpanRecord;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What makes two calls "the same call": the service that made it, the span's kind and name, where it went, the
 * route, and the statement with its literals stripped (so {@code WHERE item_id = 17} and {@code WHERE item_id =
 * 18} are one shape, as the semantic conventions' own sanitizing does).
 *
 * @param key equal for calls of the same shape
 * @param readable the call as a person reads it, e.g. "SELECT customer_points (SELECT points FROM ... = ?)"
 */
record CallShape(String key, String readable) {
  private static final List<String> STATEMENT_ATTRIBUTES = List.of("db.query.text", "db.statement");
  private static final List<String> TARGET_ATTRIBUTES = List.of("peer.service", "server.address", "rpc.service",
      "db.system.name", "db.system");
  private static final List<String> CALL_ATTRIBUTES = List.of("db.system", "db.system.name", "rpc.system",
      "http.request.method", "http.method");
  private static final Pattern STRING_LITERAL = Pattern.compile("'(?:[^']|'')*'");
  private static final Pattern NUMBER = Pattern.compile("(?<![\\w$.])-?(?:0x[0-9a-fA-F]+|\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?)\\b");
  private static final Pattern POSITIONAL = Pattern.compile("\\$\\d+");
  private static final Pattern VALUE_LIST = Pattern.compile("\\(\\s*\\?(?:\\s*,\\s*\\?)+\\s*\\)");
  private static final Pattern SPACE = Pattern.compile("\\s+");
  private static final int MAX_STATEMENT_CHARS = 200;

  static CallShape of(SpanRecord span) {
    Map<String, String> attrs = span.getAttributes();
    String statement = firstOf(attrs, STATEMENT_ATTRIBUTES);
    String stripped = statement == null ? null : stripLiterals(statement);
    String target = firstOf(attrs, TARGET_ATTRIBUTES);
    String route = attrs.get("http.route");
    String method = attrs.get("rpc.method");
    String key = String.join("\u0000", span.getService(), span.getKind().name(), span.getName(),
        nonNull(target), nonNull(route), nonNull(method), nonNull(stripped));
    String readable = span.getName() + (stripped == null || stripped.equals(span.getName()) ? ""
        : " (" + shortened(stripped) + ")");
    return new CallShape(key, readable);
  }

  /** A span that calls something: a client or producer, or a span that says it talks to a database, RPC or HTTP. */
  static boolean isCall(SpanRecord span) {
    if (span.getKind() == SpanKind.CLIENT || span.getKind() == SpanKind.PRODUCER) {
      return true;
    }
    if (span.getKind() == SpanKind.SERVER || span.getKind() == SpanKind.CONSUMER) {
      return false;
    }
    return CALL_ATTRIBUTES.stream().anyMatch(span.getAttributes()::containsKey);
  }

  /** Literals out, placeholders alike: strings, numbers and positional parameters become '?', lists one '(?)'. */
  static String stripLiterals(String statement) {
    String s = STRING_LITERAL.matcher(statement).replaceAll("?");
    s = POSITIONAL.matcher(s).replaceAll("?");
    s = NUMBER.matcher(s).replaceAll("?");
    s = VALUE_LIST.matcher(s).replaceAll("(?)");
    return SPACE.matcher(s).replaceAll(" ").strip();
  }

  private static String firstOf(Map<String, String> attrs, List<String> names) {
    for (String name : names) {
      String value = attrs.get(name);
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    return null;
  }

  private static String nonNull(String value) {
    return value == null ? "" : value;
  }

  private static String shortened(String text) {
    return text.length() <= MAX_STATEMENT_CHARS ? text : text.substring(0, MAX_STATEMENT_CHARS - 1) + "…";
  }
}
