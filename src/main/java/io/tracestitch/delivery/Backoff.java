package io.tracestitch.delivery;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How long to wait before the next try: the delay doubles with each consecutive failure up to a ceiling, and
 * a random half of it is jitter, so that many senders a rate limit turned away do not all return at once. A
 * target's own Retry-After is honoured when it asks for longer (up to the ceiling).
 */
final class Backoff {
  private final long initialMs;
  private final long maxMs;
  private final RandomGenerator random;

  Backoff(Duration initial, Duration max, RandomGenerator random) {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("A backoff needs 0 < initial <= max, not " + initial + " and " + max + ".");
    }
    this.initialMs = initial.toMillis();
    this.maxMs = max.toMillis();
    this.random = random;
  }

  /**
   * @param failures consecutive failures so far, at least 1
   * @param asked what the target asked for (Retry-After), or null
   */
  Duration delay(int failures, Duration asked) {
    if (failures < 1) {
      throw new IllegalArgumentException("The delay is asked after a failure; failures must be at least 1, not "
          + failures + ".");
    }
    long full = Math.min(initialMs, maxMs);
    for (int i = 1; i < failures && full < maxMs; i++) {
      full = Math.min(maxMs, full * 2);
    }
    long half = full / 2;
    long jittered = full - half + random.nextLong(half + 1);
    long wanted = asked == null ? 0 : Math.min(maxMs, Math.max(0, asked.toMillis()));
    return Duration.ofMillis(Math.max(jittered, wanted));
  }
}
