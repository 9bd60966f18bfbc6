package io.tracestitch.delivery;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * What a target made of one request, and what follows from it:
 * <ul>
 *   <li>ACCEPTED (2xx): delivered.</li>
 *   <li>RETRY: 429 (rate limit), 408, 425, any 5xx, no answer at all (connection refused or reset, timeout) — and
 *       401, 403, 404, 407, which say the target or the way to it is misconfigured, not that the alert is wrong:
 *       dead-lettering every page because a URL or a proxy is wrong would lose them all, so they wait in Kafka
 *       and readiness says so.</li>
 *   <li>REJECTED: every other 4xx, 400 first: the request itself is wrong and would be refused again; the record
 *       goes to the dead-letter topic with the answer, never retried.</li>
 * </ul>
 */
record TargetAnswer(Kind kind, int status, String body, Duration retryAfter, String problem) {
  private static final int MAX_BODY_CHARS = 2000;

  enum Kind { ACCEPTED, RETRY, REJECTED }

  static TargetAnswer of(int status, String body, String retryAfterHeader, Instant now) {
    String text = body == null ? "" : body.length() > MAX_BODY_CHARS ? body.substring(0, MAX_BODY_CHARS) : body;
    Kind kind;
    if (status >= 200 && status < 300) {
      kind = Kind.ACCEPTED;
    } else if (status == 429 || status == 408 || status == 425 || status >= 500
        || status == 401 || status == 403 || status == 404 || status == 407) {
      kind = Kind.RETRY;
    } else {
      kind = Kind.REJECTED;
    }
    String problem = kind == Kind.ACCEPTED ? null : "answered " + status + (text.isBlank() ? "" : ": " + oneLine(text));
    return new TargetAnswer(kind, status, text, retryAfter(retryAfterHeader, now), problem);
  }

  static TargetAnswer unreachable(IOException e) {
    return new TargetAnswer(Kind.RETRY, 0, "", null, "could not be reached (" + e.getClass().getSimpleName()
        + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
  }

  /** Retry-After in either form HTTP allows: seconds, or an HTTP date. Anything else is ignored. */
  private static Duration retryAfter(String header, Instant now) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String value = header.strip();
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(value)));
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
      } catch (DateTimeParseException notADate) {
        return null;
      }
    }
  }

  private static String oneLine(String text) {
    String line = text.replaceAll("\\s+", " ").strip();
    return line.length() > 300 ? line.substring(0, 300) + "…" : line;
  }
}
