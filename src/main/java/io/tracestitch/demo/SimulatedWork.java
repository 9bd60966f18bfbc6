package io.tracestitch.demo;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** The time a simulated step takes: real wall-clock time, so spans, queue waits and lag are real too. */
final class SimulatedWork {
  private SimulatedWork() {}

  /** Somewhere between {@code minMs} and {@code maxMs}, as everyday work varies. */
  static Duration between(long minMs, long maxMs) {
    return Duration.ofMillis(ThreadLocalRandom.current().nextLong(minMs, maxMs + 1));
  }

  static void takes(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while simulating work.", e);
    }
  }
}
