package io.tracestitch.http;

/**
 * What the uncaught-exception handler has seen of failing stream threads, for {@code /healthz}.
 *
 * @param replacements how many stream threads failed and were replaced since the start
 * @param lastFailure the last failure, in a sentence (where, which exception), or null when none
 * @param lastFailureAt when it happened (ISO-8601), or null
 * @param sameInARow how many times in a row that same failure happened at the same place
 * @param gaveUp true once the same failure repeated so often that the thread was not replaced again:
 *     Kafka Streams is then shut down (ERROR) and only a fix or a restart brings processing back
 */
public record StreamThreadReport(long replacements, String lastFailure, String lastFailureAt, int sameInARow,
    boolean gaveUp) {
  public static final StreamThreadReport NONE = new StreamThreadReport(0, null, null, 0, false);
}
