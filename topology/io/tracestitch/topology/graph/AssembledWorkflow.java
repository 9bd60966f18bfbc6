package io.tracestitch.topology.graph;

import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.avro.internal.FindingMessage;
import io.tracestitch.topology.expect.Observations;
import java.util.List;

/**
 * A workflow's graph and what follows from it: findings for the alert stage (occurrences and
 * clears), what it teaches the learned expectations, and the earliest deadline of an expected branch
 * still open ({@code null} when none), before which the workflow should not be published.
 */
public record AssembledWorkflow(WorkflowGraph graph, List<FindingMessage> findings, Observations observations,
    Long nextDeadlineMs) {}
