package io.tracestitch.topology.ingest;

/** The producer's span context found on an event: W3C lowercase hex ids, and whether the trace was sampled. */
record TraceContext(String traceId, String spanId, boolean sampled) {}
