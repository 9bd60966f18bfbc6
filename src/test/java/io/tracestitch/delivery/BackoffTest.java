package io.tracestitch.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(60), new Random(7));

  @Test
  void eachFailureDoublesTheDelayUpToTheCeilingWithAtMostHalfOfItJitter() {
    long full = 500;
    for (int failures = 1; failures <= 12; failures++) {
      long delay = backoff.delay(failures, null).toMillis();
      assertThat(delay).as("after %d failures", failures).isBetween(full / 2, full);
      full = Math.min(60_000, full * 2);
    }
    assertThat(backoff.delay(1_000, null)).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(60));
  }

  @Test
  void jitterSpreadsSendersThatFailedTogether() {
    long distinct = java.util.stream.IntStream.range(0, 50).mapToLong(i -> backoff.delay(6, null).toMillis())
        .distinct().count();
    assertThat(distinct).isGreaterThan(25);
  }

  @Test
  void aRetryAfterTheTargetAsksForIsHonouredUpToTheCeiling() {
    assertThat(backoff.delay(1, Duration.ofSeconds(20))).isEqualTo(Duration.ofSeconds(20));
    assertThat(backoff.delay(1, Duration.ofHours(1))).isEqualTo(Duration.ofSeconds(60));
    assertThat(backoff.delay(1, Duration.ZERO)).isBetween(Duration.ofMillis(250), Duration.ofMillis(500));
  }

  @Test
  void aDelayIsOnlyAskedAfterAFailure() {
    assertThatThrownBy(() -> backoff.delay(0, null)).hasMessageContaining("at least 1");
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), new Random()))
        .hasMessageContaining("initial <= max");
  }
}
