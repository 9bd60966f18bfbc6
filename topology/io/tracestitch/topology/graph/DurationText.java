package io.tracestitch.topology.graph;

import java.util.Locale;

/** Durations as findings write them: "250 ms", "2.0 s", "30 s". */
final class DurationText {
  private DurationText() {}

  static String of(long ms) {
    if (ms < 1000) {
      return ms + " ms";
    }
    if (ms < 10_000) {
      return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
    return Math.round(ms / 1000.0) + " s";
  }

  static String percent(double share) {
    return Math.round(share * 100) + " %";
  }
}
