package io.tracestitch.topology.expect;

import java.time.Duration;

/**
 * How expectations are learned from traffic.
 *
 * @param minObservations a consumer is expected only after this many (decayed) events of the name were seen
 * @param minRatio and only if it handled at least this share of them while it was active
 * @param deadlineFloor a learned deadline is never shorter than this
 * @param deadlineMultiplier a learned deadline is this many times the consumer's usual latency (mean + 3 sd)
 * @param forgetAfter a consumer that has handled nothing for this long is no longer expected (removed on
 *     purpose, or down so long that paging again adds nothing)
 * @param halfLife observations lose half their weight in this time, so the tables follow change
 */
public record ExpectationSettings(double minObservations, double minRatio, Duration deadlineFloor,
    double deadlineMultiplier, Duration forgetAfter, Duration halfLife) {

  public static ExpectationSettings defaults() {
    return new ExpectationSettings(10, 0.8, Duration.ofSeconds(10), 3, Duration.ofHours(6), Duration.ofHours(1));
  }
}
