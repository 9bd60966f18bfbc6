package io.tracestitch.topology.workflow;

import io.tracestitch.avro.WorkflowGraph;

/**
 * Told of every graph the stitcher publishes, on the stream thread, inside the same punctuation.
 * Must not block; used for metrics and for the findings that feed alerts.
 */
@FunctionalInterface
public interface GraphListener {
  void published(WorkflowGraph graph, long nowMs);
}
