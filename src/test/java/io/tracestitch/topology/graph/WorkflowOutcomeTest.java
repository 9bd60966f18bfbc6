package io.tracestitch.topology.graph;

import static io.tracestitch.topology.graph.Checkouts.failed;
import static io.tracestitch.topology.graph.Checkouts.root;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.Branch;
import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.WorkflowStatus;
import io.tracestitch.avro.internal.SpanException;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** How the workflow as a whole went, from its root span and its branches. */
class WorkflowOutcomeTest {
  @BeforeAll
  static void trustTheGeneratedRecords() {
    io.tracestitch.serdes.AvroTrust.trustGeneratedRecords();
  }

  final SpanView rootSpan = new SpanView(root().build(), "span:root");

  static Branch branch(BranchState state) {
    return Checkouts.branch("loyalty", state, "span:l").build();
  }

  @Test
  void aWorkflowWhoseRootAndBranchesAllSucceededSucceeded() {
    assertThat(WorkflowOutcome.of(rootSpan, List.of(branch(BranchState.SUCCEEDED)))).isEqualTo(WorkflowStatus.SUCCEEDED);
    assertThat(WorkflowOutcome.of(null, List.of())).as("nothing but events").isEqualTo(WorkflowStatus.SUCCEEDED);
  }

  @Test
  void aRootSpanWithErrorStatusOrAFailedBranchFailsTheWorkflow() {
    SpanView failedRoot = new SpanView(failed(root(), "payment declined").build(), "span:root");

    assertThat(WorkflowOutcome.of(failedRoot, List.of())).isEqualTo(WorkflowStatus.FAILED);
    assertThat(WorkflowOutcome.of(rootSpan, List.of(branch(BranchState.SUCCEEDED), branch(BranchState.FAILED))))
        .isEqualTo(WorkflowStatus.FAILED);
  }

  @Test
  void aRootThatOnlyRecordedAnExceptionIsNoFailureOfTheWorkflow() {
    // The status says how the request ended; an exception it caught on the way is the graph node's business.
    SpanView caught = new SpanView(root().setExceptions(List.of(SpanException.newBuilder().setType("Retry").build()))
        .build(), "span:root");
    assertThat(WorkflowOutcome.of(caught, List.of())).isEqualTo(WorkflowStatus.SUCCEEDED);
  }

  @Test
  void aBranchStillPendingOrRetryingLeavesTheWorkflowIncomplete() {
    assertThat(WorkflowOutcome.of(rootSpan, List.of(branch(BranchState.PENDING)))).isEqualTo(WorkflowStatus.INCOMPLETE);
    assertThat(WorkflowOutcome.of(rootSpan, List.of(branch(BranchState.RETRYING)))).isEqualTo(WorkflowStatus.INCOMPLETE);
  }

  @Test
  void aPendingBranchWhoseTelemetryIsMissingIsNotKnownToBeOpen() {
    Branch lost = Checkouts.branch("loyalty", BranchState.PENDING).setTelemetryMissing(true).build();
    assertThat(WorkflowOutcome.of(rootSpan, List.of(lost))).isEqualTo(WorkflowStatus.SUCCEEDED);
  }
}
