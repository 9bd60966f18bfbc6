package io.tracestitch.topology.graph;

import io.tracestitch.avro.Branch;
import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.WorkflowStatus;
import io.tracestitch.avro.internal.SpanStatus;
import java.util.List;

/**
 * How the workflow as a whole went: FAILED when its root span says ERROR or a branch failed, INCOMPLETE while a
 * branch is still pending or retrying, SUCCEEDED otherwise.
 */
final class WorkflowOutcome {
  private WorkflowOutcome() {}

  /** @param root the root span, or null when the workflow's root is an event (or it is empty) */
  static WorkflowStatus of(SpanView root, List<Branch> branches) {
    boolean failed = (root != null && root.span().getStatusCode() == SpanStatus.ERROR)
        || branches.stream().anyMatch(b -> b.getState() == BranchState.FAILED);
    if (failed) {
      return WorkflowStatus.FAILED;
    }
    // A branch whose telemetry is missing is not known to be open: the graph says PARTIAL instead.
    boolean open = branches.stream().filter(b -> !b.getTelemetryMissing())
        .anyMatch(b -> b.getState() == BranchState.PENDING || b.getState() == BranchState.RETRYING);
    return open ? WorkflowStatus.INCOMPLETE : WorkflowStatus.SUCCEEDED;
  }
}
