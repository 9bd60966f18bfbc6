package io.tracestitch.topology.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tracestitch.avro.internal.StepTimes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepHistogramTest {
  static final long HOUR = 3_600_000;

  static List<Long> millis(long from, long to, int count) {
    List<Long> micros = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      micros.add((from + (to - from) * i / Math.max(1, count - 1)) * 1000);
    }
    return micros;
  }

  @Test
  void quantilesAreWithinABucketOfTheTrueOnes() {
    StepHistogram h = StepHistogram.empty("inventory SELECT stock").plus(millis(20, 120, 101), 0, HOUR);

    assertThat(h.quantileMicros(0.5) / 1000).isCloseTo(70, within(70 * 0.1));
    assertThat(h.quantileMicros(0.75) / 1000).isCloseTo(95, within(95 * 0.1));
    assertThat(h.quantileMicros(0.99) / 1000).isCloseTo(119, within(119 * 0.1));
  }

  @Test
  void aMinorityOfSlowSamplesBarelyMovesTheMedianAndIsLeftOutOfTheUsualP99() {
    List<Long> samples = new ArrayList<>(millis(20, 120, 70));
    samples.addAll(millis(2_000, 2_000, 10));
    StepHistogram h = StepHistogram.empty("s").plus(samples, 0, HOUR);

    assertThat(h.quantileMicros(0.5) / 1000).isBetween(70.0, 90.0);
    assertThat(h.quantileMicros(0.99) / 1000).as("over everything").isGreaterThan(1_800);
    assertThat(h.quantileBelowMicros(0.99, 500_000) / 1000).as("the usual ones").isBetween(105.0, 130.0);
  }

  @Test
  void countsLoseHalfTheirWeightPerHalfLifeAndNewSamplesOutweighOldOnes() {
    StepHistogram old = StepHistogram.empty("s").plus(millis(100, 100, 20), 0, HOUR);

    assertThat(old.samples(HOUR, HOUR)).isCloseTo(10, within(1e-9));
    StepHistogram changed = old.plus(millis(400, 400, 20), 3 * HOUR, HOUR);
    assertThat(changed.samples(3 * HOUR, HOUR)).isCloseTo(22.5, within(1e-9));
    assertThat(changed.quantileMicros(0.5) / 1000).isCloseTo(400, within(40.0));
  }

  @Test
  void addingNeverChangesTheRecordItWasReadFrom() {
    StepTimes stored = StepHistogram.empty("s").plus(millis(5, 5, 3), 0, HOUR).record();
    StepTimes copy = StepTimes.newBuilder(stored).build();

    StepHistogram.of(stored).plus(millis(1, 9_000, 50), HOUR, HOUR);

    assertThat(stored).isEqualTo(copy);
  }

  @Test
  void anEmptyHistogramHasNoQuantileAndSubMillisecondStepsAreKeptApart() {
    assertThat(StepHistogram.empty("s").quantileMicros(0.5)).isZero();
    StepHistogram fast = StepHistogram.empty("s").plus(List.of(300L, 310L, 290L), 0, HOUR);
    assertThat(fast.quantileMicros(0.5)).isBetween(270.0, 330.0);
  }
}
