package io.tracestitch.topology.graph;

import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.Severity;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * How the findings that explain a workflow (ERROR_ORIGIN, REPEATED_CALLS, SLOW_STEP) are decided, and which of
 * them page.
 *
 * @param repeatedCallsMin a span with at least this many sequential calls of one shape is REPEATED_CALLS
 * @param slowStepFactor a step is slow at this many times its usual (median) time, or more
 * @param slowStepMinExcess ...and only when it took at least this much longer than usual
 * @param slowStepMinSamples a step is judged only after this many (decayed) successful runs were learned
 * @param stepHalfLife learned step times lose half their weight in this time
 * @param promoted the kinds that page, each with its severity; the others only appear on the graph
 */
public record DiagnosisSettings(int repeatedCallsMin, double slowStepFactor, Duration slowStepMinExcess,
    double slowStepMinSamples, Duration stepHalfLife, Map<AlertKind, Severity> promoted) {
  /** The kinds these settings decide. */
  public static final Set<AlertKind> KINDS = Set.of(AlertKind.ERROR_ORIGIN, AlertKind.REPEATED_CALLS,
      AlertKind.SLOW_STEP);
  /** One publication learns at most this many distinct steps, so a workflow of many span names costs little. */
  public static final int MAX_STEPS_LEARNED_PER_WORKFLOW = 200;

  public DiagnosisSettings {
    if (repeatedCallsMin < 2) {
      throw new IllegalArgumentException("repeatedCallsMin must be at least 2, but was " + repeatedCallsMin + ".");
    }
    if (!(slowStepFactor >= 1)) {
      throw new IllegalArgumentException("slowStepFactor must be at least 1, but was " + slowStepFactor + ".");
    }
    if (slowStepMinExcess.isNegative() || !(slowStepMinSamples >= 1) || stepHalfLife.isNegative()
        || stepHalfLife.isZero()) {
      throw new IllegalArgumentException("slowStepMinExcess must not be negative, slowStepMinSamples must be at least"
          + " 1 and stepHalfLife positive; they were " + slowStepMinExcess + ", " + slowStepMinSamples + ", "
          + stepHalfLife + ".");
    }
    if (!KINDS.containsAll(promoted.keySet())) {
      throw new IllegalArgumentException("Only " + KINDS + " can be promoted to alerts; the other kinds always page.");
    }
    promoted = promoted.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(promoted));
  }

  public static DiagnosisSettings defaults() {
    return new DiagnosisSettings(10, 5, Duration.ofMillis(100), 10, Duration.ofHours(1), Map.of());
  }

  public DiagnosisSettings withPromoted(Map<AlertKind, Severity> kinds) {
    return new DiagnosisSettings(repeatedCallsMin, slowStepFactor, slowStepMinExcess, slowStepMinSamples,
        stepHalfLife, kinds);
  }

  public DiagnosisSettings withSlowStepMinSamples(double samples) {
    return new DiagnosisSettings(repeatedCallsMin, slowStepFactor, slowStepMinExcess, samples, stepHalfLife,
        promoted);
  }
}
