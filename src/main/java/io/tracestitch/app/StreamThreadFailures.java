package io.tracestitch.app;

import io.tracestitch.http.StreamThreadReport;
import io.tracestitch.topology.StitchCounters;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last resort: Kafka Streams' uncaught-exception handler, reached only by what the record handlers pass on
 * ({@link RecordFailures}: a broken store, a send the broker refused, the broker away too long) or by a handler
 * a user configured to fail. The failed thread is replaced, which starts again from the last commit; but when
 * the same failure happens {@value #MAX_SAME_FAILURES} times in a row at the same place (same task, same
 * record coordinates where Kafka Streams names them, same exception and message), each within
 * {@link #SAME_FAILURE_WINDOW} of the one before, replacing the thread again would only replay it forever.
 * Then Kafka Streams is shut down instead (state ERROR): {@code /healthz} answers 503 and says which failure it
 * was, the log says so once, and {@code failures.stream_thread.gave_up} counts it. Failures that say the broker
 * is only away for now (a {@link RetriableException} in the chain) are always answered with a replacement.
 *
 * <p>Thread-safe: every stream thread reports here.
 */
public final class StreamThreadFailures implements StreamsUncaughtExceptionHandler, Supplier<StreamThreadReport> {
  static final int MAX_SAME_FAILURES = 3;
  static final Duration SAME_FAILURE_WINDOW = Duration.ofMinutes(10);

  private static final Logger log = LoggerFactory.getLogger(StreamThreadFailures.class);
  // Kafka Streams names the record a task failed on in its message ("topic=…, partition=…, offset=…").
  private static final Pattern COORDINATES = Pattern.compile("topic=([^,\\s]+), partition=(-?\\d+), offset=(-?\\d+)");
  private static final Pattern TASK = Pattern.compile("taskId=([0-9]+_[0-9]+)");

  private final StitchCounters counters;
  private final Clock clock;
  private long replacements;
  private String lastPlace;
  private String lastFailure;
  private Instant lastAt;
  private int sameInARow;
  private boolean gaveUp;

  public StreamThreadFailures(StitchCounters counters, Clock clock) {
    this.counters = counters;
    this.clock = clock;
  }

  @Override
  public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
    Instant now = clock.instant();
    String place = place(exception);
    String sentence = sentence(exception, place);
    if (!isTransient(exception)) {
      boolean same = place.equals(lastPlace) && lastAt != null
          && Duration.between(lastAt, now).compareTo(SAME_FAILURE_WINDOW) <= 0;
      sameInARow = same ? sameInARow + 1 : 1;
      lastPlace = place;
    }
    lastFailure = sentence;
    lastAt = now;
    if (sameInARow >= MAX_SAME_FAILURES) {
      gaveUp = true;
      counters.add("failures.stream_thread.gave_up", 1);
      log.error("A stream thread failed {} times in a row at the same place ({}), each time after being replaced; "
          + "replacing it again would only fail again, so Kafka Streams is being shut down (state ERROR, /healthz "
          + "503). Fix the cause (or, for a record a handler of yours fails on, remove that handler) and restart.",
          sameInARow, sentence, exception);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    replacements++;
    counters.add("failures.stream_thread.replaced", 1);
    log.error("A stream thread failed and is being replaced; it starts again from the last commit ({} of {} "
        + "identical failures in a row before giving up): {}", sameInARow, MAX_SAME_FAILURES, sentence, exception);
    return StreamThreadExceptionResponse.REPLACE_THREAD;
  }

  @Override
  public synchronized StreamThreadReport get() {
    return new StreamThreadReport(replacements, lastFailure, lastAt == null ? null : lastAt.toString(), sameInARow,
        gaveUp);
  }

  /** Where it failed: the task and record when Kafka Streams says, and the root cause. */
  static String place(Throwable exception) {
    String task = null;
    String coordinates = null;
    Throwable root = exception;
    for (Throwable t = exception; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (task == null && t instanceof StreamsException s && s.taskId().isPresent()) {
        task = s.taskId().get().toString();
      }
      String message = t.getMessage() == null ? "" : t.getMessage();
      Matcher m = COORDINATES.matcher(message);
      if (coordinates == null && m.find()) {
        coordinates = m.group(1) + "-" + m.group(2) + "@" + m.group(3);
      }
      Matcher taskMatch = TASK.matcher(message);
      if (task == null && taskMatch.find()) {
        task = taskMatch.group(1);
      }
      root = t;
    }
    return "task " + (task == null ? "?" : task) + (coordinates == null ? "" : ", record " + coordinates) + ", "
        + root.getClass().getName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }

  private static String sentence(Throwable exception, String place) {
    return place + " (" + exception.getClass().getSimpleName() + ")";
  }

  private static boolean isTransient(Throwable exception) {
    for (Throwable t = exception; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RetriableException) {
        return true;
      }
    }
    return false;
  }
}
