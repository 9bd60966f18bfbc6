package io.tracestitch.topology.expect;

import java.time.Duration;

/**
 * How expectations are learned from traffic.
 *
 * @param minObservations a consumer becomes expected for an event name only after it handled this many (decayed)
 *     events of it...
 * @param minRatio ...and at least this share of the events of that name seen since it first handled one. Once
 *     expected, misses never undo it (they are what an alert reports)
 * @param deadlineFloor a learned deadline is never shorter than this
 * @param deadlineMultiplier a learned deadline is this many times the consumer's baseline latency
 * @param forgetAfter a consumer that has handled nothing for this long is no longer expected (removed on purpose,
 *     or down so long that paging on adds nothing); the only way an expected consumer stops being expected
 * @param halfLife the counts that decide whether a consumer becomes expected lose half their weight in this time
 * @param baselinePercentile the baseline latency is this percentile of the consumer's publish-to-success times...
 * @param baselineHalfLife ...which lose half their weight in this time
 * @param baselineMaxChangePerHour the baseline follows that percentile, but grows (or shrinks) by at most this factor
 *     per hour: a consumer that became {@code k} times slower is late for at least {@link #slowdownHorizon(double)}
 * @param maxKeys cap on event names plus calling spans learned per task; more are counted and not learned
 * @param maxConsumersPerEvent cap on consumers tracked per event name; more are counted and not learned
 */
public record ExpectationSettings(double minObservations, double minRatio, Duration deadlineFloor,
    double deadlineMultiplier, Duration forgetAfter, Duration halfLife, double baselinePercentile,
    Duration baselineHalfLife, double baselineMaxChangePerHour, int maxKeys, int maxConsumersPerEvent) {

  public ExpectationSettings {
    if (baselinePercentile <= 0 || baselinePercentile >= 1) {
      throw new IllegalArgumentException("The baseline percentile must be between 0 and 1 (exclusive), but was "
          + baselinePercentile + ".");
    }
    if (baselineMaxChangePerHour <= 1) {
      throw new IllegalArgumentException("The baseline's largest change per hour must be a factor above 1, but was "
          + baselineMaxChangePerHour + ".");
    }
    if (maxKeys < 1 || maxConsumersPerEvent < 1) {
      throw new IllegalArgumentException("The caps on learned keys and consumers per event must be at least 1.");
    }
  }

  public static ExpectationSettings defaults() {
    return new ExpectationSettings(10, 0.8, Duration.ofSeconds(10), 3, Duration.ofHours(6), Duration.ofHours(1),
        0.95, Duration.ofHours(6), 1.5, 10_000, 100);
  }

  /**
   * How long a consumer whose publish-to-success times became {@code factor} times what they were pages as late, at
   * least: until its deadline ({@code deadlineMultiplier} × baseline) has grown by {@code factor / deadlineMultiplier}
   * at {@code baselineMaxChangePerHour}. Zero when the new times are still inside the old deadline.
   */
  public Duration slowdownHorizon(double factor) {
    double hours = Math.log(factor / deadlineMultiplier) / Math.log(baselineMaxChangePerHour);
    return Duration.ofMillis(Math.max(0, Math.round(hours * 3_600_000)));
  }

  public ExpectationSettings withForgetAfter(Duration forget) {
    return new ExpectationSettings(minObservations, minRatio, deadlineFloor, deadlineMultiplier, forget, halfLife,
        baselinePercentile, baselineHalfLife, baselineMaxChangePerHour, maxKeys, maxConsumersPerEvent);
  }

  public ExpectationSettings withBaseline(double percentile, Duration baselineHalf, double maxChangePerHour) {
    return new ExpectationSettings(minObservations, minRatio, deadlineFloor, deadlineMultiplier, forgetAfter, halfLife,
        percentile, baselineHalf, maxChangePerHour, maxKeys, maxConsumersPerEvent);
  }

  public ExpectationSettings withCaps(int keys, int consumersPerEvent) {
    return new ExpectationSettings(minObservations, minRatio, deadlineFloor, deadlineMultiplier, forgetAfter, halfLife,
        baselinePercentile, baselineHalfLife, baselineMaxChangePerHour, keys, consumersPerEvent);
  }
}
