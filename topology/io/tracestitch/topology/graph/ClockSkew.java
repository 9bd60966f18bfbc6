package io.tracestitch.topology.graph;

import java.util.Set;

/**
 * Suspected clock skew between two services: an effect (a child span, a consumer's first attempt) that starts
 * before its cause by more than the tolerance. Within one service the clocks are one, so ordering there is trusted.
 */
final class ClockSkew {
  private final long toleranceMs;

  ClockSkew(long toleranceMs) {
    this.toleranceMs = toleranceMs;
  }

  /** Adds a warning to {@code warnings} when the effect, in {@code laterService}, starts too early. */
  void warnIfAhead(Set<String> warnings, String earlierService, String laterService, long causeMs, long effectMs,
      String what) {
    long ahead = causeMs - effectMs;
    if (ahead > toleranceMs && !earlierService.equals(laterService)) {
      warnings.add("Clock skew suspected between " + earlierService + " and " + laterService + ": " + what + " by "
          + ahead + " ms; ordering across these services is approximate.");
    }
  }
}
