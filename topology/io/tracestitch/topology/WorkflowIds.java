package io.tracestitch.topology;

import io.tracestitch.avro.internal.WorkflowKind;

/**
 * Names workflows and decides which name survives when two workflows turn out to be one.
 *
 * <p>The winner must not depend on arrival order, or two partitions could merge in opposite
 * directions: a correlation id beats a trace-derived id (it is the business identity users search
 * by), and between two of a kind the lexicographically smaller one wins.
 */
public final class WorkflowIds {
  public static final String TRACE_PREFIX = "trace:";

  private WorkflowIds() {}

  public static String forTrace(String traceId) {
    return TRACE_PREFIX + traceId;
  }

  /** True when {@code candidate} should absorb {@code current}. */
  public static boolean wins(String candidate, WorkflowKind candidateKind, String current, WorkflowKind currentKind) {
    if (candidateKind != currentKind) {
      return candidateKind == WorkflowKind.CORRELATION;
    }
    return candidate.compareTo(current) < 0;
  }
}
