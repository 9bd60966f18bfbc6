package io.tracestitch.topology;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what happened to input records so that, per topic, records in = records used + records
 * dead-lettered. Shared by all stream threads of one instance; the metrics endpoint reads it.
 */
public final class StitchCounters {
  public enum Outcome { IN, USED, DEAD_LETTERED }

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  public void record(String topic, Outcome outcome) {
    add(topic + "|" + outcome, 1);
  }

  /** Counts of things that are not records: spans, truncations, duplicates, merges. */
  public void add(String name, long delta) {
    counts.computeIfAbsent(name, k -> new LongAdder()).add(delta);
  }

  public long get(String topic, Outcome outcome) {
    return get(topic + "|" + outcome);
  }

  public long get(String name) {
    LongAdder adder = counts.get(name);
    return adder == null ? 0 : adder.sum();
  }

  public Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
