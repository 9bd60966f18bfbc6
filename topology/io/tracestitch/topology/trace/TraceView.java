package io.tracestitch.topology.trace;

import io.tracestitch.avro.internal.TraceState;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The by-trace stage's state, read only: which workflow a trace belongs to, or how long it is held. The router
 * writes through {@link TraceStore}; the HTTP API reads through this.
 */
public class TraceView {
  public static final String STATE_STORE = "trace-state";
  public static final String HELD_STORE = "trace-held";
  public static final String DUE_STORE = "trace-due";

  private final ReadOnlyKeyValueStore<String, TraceState> states;

  public TraceView(ReadOnlyKeyValueStore<String, TraceState> states) {
    this.states = states;
  }

  /** The trace's state as stored (a fresh copy), or null when this task knows no such trace. */
  public TraceState state(String traceId) {
    return states.get(traceId);
  }
}
