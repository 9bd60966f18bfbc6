package io.tracestitch.topology.graph;

import io.tracestitch.avro.EdgeType;

/**
 * A consuming span tied to the event delivery it handled, and how the tie was found: CONSUMED_BY
 * when context, message id or offset prove it, CORRELATED when only the correlation id and the
 * topic do (the consumer dropped the trace context: a propagation gap worth reporting).
 */
record Consumption(SpanView span, EventView event, EdgeType edge) {}
