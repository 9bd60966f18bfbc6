package io.tracestitch.app;

import io.tracestitch.topology.StitchCounters;
import io.tracestitch.topology.StitchSettings;
import io.tracestitch.topology.StitchTopology;
import io.tracestitch.topology.StitchCounters.Outcome;
import io.tracestitch.topology.deadletter.DeadLetters;
import io.tracestitch.topology.ingest.DeadLetterReason;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.StreamsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What tracestitch does with a record that Kafka Streams' exception handlers catch, wherever in the topology
 * it failed: the record goes to the dead-letter topic as it was read (with its coordinates, the failing stage,
 * the exception and a reason), is logged with its coordinates and counted, and processing goes on. One record,
 * on any topic tracestitch reads, must never stop an instance; before these handlers one tombstone on the
 * by-trace topic made the stream thread fail and be replaced every 30 seconds, forever.
 *
 * <p>Counted as {@code failures.<stage>.<topic or processor>} (metric {@code tracestitch.failures}); a record of
 * an input topic also counts as dead-lettered there, so in = used + dead-lettered still holds per input topic.
 *
 * <p>Failures of the infrastructure rather than of a record ({@link StreamsException}: a send that failed, a
 * state store that broke; {@link RetriableException}: the broker is away) are not the record's fault: the
 * handlers answer FAIL for them and Kafka Streams replaces the thread ({@link StreamThreadFailures}).
 *
 * <p>Shared by every stream thread of the instance (the handlers are created per thread); thread-safe.
 */
public final class RecordFailures {
  /** The setting under which the application hands this object to the handlers Kafka Streams creates. */
  static final String CONFIG = "tracestitch.internal.record.failures";

  /** Per stage, topic and exception, so a flood of one failure cannot drown the log (or the disk). */
  private static final int LOGGED_PER_MINUTE = 20;
  private static final long MINUTE_MS = 60_000;

  private static final Logger log = LoggerFactory.getLogger(RecordFailures.class);

  /** Where a record failed, as the counters and the log name it. */
  enum Stage {
    DESERIALIZATION, PROCESSING, PUNCTUATION, PRODUCTION;

    String counterName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final String deadLetterTopic;
  private final Set<String> internalTopics;
  private final StitchCounters counters;
  private final Map<String, Window> logged = new ConcurrentHashMap<>();

  RecordFailures(String deadLetterTopic, Set<String> internalTopics, StitchCounters counters) {
    this.deadLetterTopic = deadLetterTopic;
    this.internalTopics = Set.copyOf(internalTopics);
    this.counters = counters;
  }

  /**
   * Sets Kafka Streams' deserialization and processing exception handlers to tracestitch's, with what they need.
   * Settings the user gives later (their own handler classes) still win.
   */
  public static void install(Properties props, StitchSettings settings, StitchCounters counters) {
    props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, UndecodableRecordHandler.class.getName());
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, FailedRecordHandler.class.getName());
    // No global stores here; saying so keeps Kafka's forward-compatibility warning out of every log.
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
    props.put(CONFIG, new RecordFailures(settings.deadLetterTopic(),
        StitchTopology.internalTopics(settings, 1).keySet(), counters));
  }

  static RecordFailures from(Map<String, ?> configs) {
    Object given = configs.get(CONFIG);
    if (!(given instanceof RecordFailures failures)) {
      throw new IllegalStateException("The tracestitch exception handlers were configured without "
          + CONFIG + "; set them with RecordFailures.install, not by class name alone.");
    }
    return failures;
  }

  /**
   * True for failures that are not the record's: the handler must answer FAIL so Kafka Streams deals with them
   * (a send error surfacing at the next record, a broken store, a broker that is away).
   */
  static boolean isInfrastructure(Throwable e) {
    if (e instanceof StreamsException) {
      return true;
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RetriableException) {
        return true;
      }
    }
    return false;
  }

  /**
   * A record that could not be used: logged and counted with its coordinates; returns the dead-letter record to
   * send (the source record's bytes, or, when a record is at hand that never had any, what is given).
   */
  List<ProducerRecord<byte[], byte[]>> deadLetter(Stage stage, ErrorHandlerContext context, byte[] key, byte[] value,
      Headers headers, DeadLetterReason reason, String what, Exception exception) {
    String topic = context.topic();
    String where = topic == null ? "a record" : topic + "-" + context.partition() + "@" + context.offset();
    String described = describe(exception);
    String message = what + ": " + (described.endsWith(".") ? described.substring(0, described.length() - 1)
        : described);
    count(stage, topic == null ? context.processorNodeId() : topic);
    if (topic != null && !internalTopics.contains(topic)) {
      counters.record(topic, Outcome.DEAD_LETTERED);
    }
    if (shouldLog(stage, topic, exception)) {
      log.warn("Dead-lettered {} (task {}, {} at {}; reason {}): {}. Processing goes on; the record is in '{}' with "
              + "tracestitch.dlq.* headers saying where it came from.", where, context.taskId(), stage.counterName(),
          context.processorNodeId(), reason, message, deadLetterTopic, exception);
    }
    if (topic == null) {
      // Made in a punctuation: there is no source record to keep, only the count and the log line.
      return List.of();
    }
    return List.of(DeadLetters.caught(deadLetterTopic, key, value, headers, context.timestamp(), topic,
        context.partition(), context.offset(), reason, message, context.processorNodeId(), exception));
  }

  /**
   * A punctuation (deadline check) that threw: there is no record to keep. It is logged (at most
   * {@value #LOGGED_PER_MINUTE} times a minute) and counted; the punctuator runs again at its next interval,
   * and the due entries it had not reached yet are still filed.
   */
  void failedPunctuation(ErrorHandlerContext context, Exception exception) {
    count(Stage.PUNCTUATION, context.processorNodeId());
    if (shouldLog(Stage.PUNCTUATION, context.processorNodeId(), exception)) {
      log.error("A punctuation of {} in task {} failed and was skipped; it runs again at its next interval: {}",
          context.processorNodeId(), context.taskId(), describe(exception), exception);
    }
  }

  /** An infrastructure failure a handler passes on to Kafka Streams (and so to the uncaught-exception handler). */
  void passedOn(Stage stage, ErrorHandlerContext context, Exception exception) {
    count(stage, "infrastructure");
    log.warn("{} in task {} at {} failed on something other than the record ({}); Kafka Streams handles it.",
        stage.counterName(), context.taskId(), context.processorNodeId(), describe(exception));
  }

  String deadLetterTopic() {
    return deadLetterTopic;
  }

  boolean isInternal(String topic) {
    return topic != null && internalTopics.contains(topic);
  }

  private void count(Stage stage, String where) {
    counters.add("failures." + stage.counterName() + "." + where, 1);
  }

  private boolean shouldLog(Stage stage, String where, Exception exception) {
    String key = stage + "|" + where + "|" + exception.getClass().getName();
    Window window = logged.computeIfAbsent(key, k -> new Window());
    long now = System.currentTimeMillis();
    synchronized (window) {
      if (now - window.startMs >= MINUTE_MS) {
        if (window.suppressed.get() > 0) {
          log.warn("{} more failures like the last one logged ({} at {}, {}) in the minute before; they were counted "
              + "and dead-lettered without a log line each.", window.suppressed.get(), stage.counterName(), where,
              exception.getClass().getSimpleName());
        }
        window.startMs = now;
        window.count = 0;
        window.suppressed.set(0);
      }
      if (window.count < LOGGED_PER_MINUTE) {
        window.count++;
        return true;
      }
      window.suppressed.incrementAndGet();
      return false;
    }
  }

  static String describe(Throwable e) {
    String text = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    Throwable cause = e.getCause();
    return cause == null || cause == e ? text : text + " (caused by " + describe(cause) + ")";
  }

  private static final class Window {
    long startMs;
    int count;
    final AtomicLong suppressed = new AtomicLong();
  }
}
