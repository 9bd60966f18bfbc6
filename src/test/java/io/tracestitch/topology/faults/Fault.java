package io.tracestitch.topology.faults;

/**
 * Something wrong (or merely unusual) with one consumer, in force for the events published in
 * {@code [fromMs, toMs)}. Each kind says what the consumer does with such an event; whether that is a
 * problem an on-call engineer must hear about is the ground truth {@link FaultSchedule} derives from it.
 */
public sealed interface Fault {
  String consumer();

  long fromMs();

  long toMs();

  default boolean covers(long publishedMs) {
    return publishedMs >= fromMs() && publishedMs < toMs();
  }

  /** Handles nothing: the consumer is down, or stuck on everything. */
  record Outage(String consumer, long fromMs, long toMs) implements Fault {}

  /** Misses every {@code k}-th order (by order number): a poison pill, a failing shard of its work. */
  record EveryKth(String consumer, long fromMs, long toMs, int k) implements Fault {}

  /**
   * Misses the events of one partition of the event topic (Kafka's default partitioner on the record key):
   * one stuck partition of {@code partitions}, the consumer's other partitions keep going.
   */
  record StuckPartition(String consumer, long fromMs, long toMs, int partition, int partitions) implements Fault {}

  /** Still succeeds, {@code factor} times slower than its usual latency. */
  record Slowdown(String consumer, long fromMs, long toMs, double factor) implements Fault {}

  /**
   * Its latency grows step by step from its usual one to {@code finalFactor} times it over the stretch (a leak,
   * a growing table), and stays there.
   */
  record GradualSlowdown(String consumer, long fromMs, long toMs, double finalFactor) implements Fault {}

  /** Fails {@code failures} times, a few hundred milliseconds apart, then succeeds: well inside any deadline. */
  record RetryStorm(String consumer, long fromMs, long toMs, int failures) implements Fault {}

  /** Taken out of service on purpose: from {@code fromMs} on it never handles the event again. */
  record Removed(String consumer, long fromMs, long toMs) implements Fault {
    public Removed(String consumer, long fromMs) {
      this(consumer, fromMs, Long.MAX_VALUE);
    }
  }

  /**
   * Handles nothing during the stretch and everything it missed right after it (a consumer-group rebalance, a
   * restart): every event of the stretch is handled at {@code toMs}, late by at most the stretch's length.
   */
  record Pause(String consumer, long fromMs, long toMs) implements Fault {}
}
