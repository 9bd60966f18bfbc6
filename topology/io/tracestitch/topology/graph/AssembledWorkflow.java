package io.tracestitch.topology.graph;

import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.avro.internal.FindingMessage;
import io.tracestitch.topology.expect.Observations;
import io.tracestitch.topology.steps.StepSample;
import java.util.List;

/**
 * A workflow's graph and what follows from it: findings for the alert stage (occurrences and
 * clears), what it teaches the learned expectations and the learned step times, and the earliest deadline of an
 * expected branch still open ({@code null} when none), before which the workflow should not be published.
 */
public record AssembledWorkflow(WorkflowGraph graph, List<FindingMessage> findings, Observations observations,
    Long nextDeadlineMs, List<StepSample> steps) {

  public AssembledWorkflow(WorkflowGraph graph, List<FindingMessage> findings, Observations observations,
      Long nextDeadlineMs) {
    this(graph, findings, observations, nextDeadlineMs, List.of());
  }
}
