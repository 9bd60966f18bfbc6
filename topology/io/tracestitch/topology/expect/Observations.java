package io.tracestitch.topology.expect;

import java.util.List;

/**
 * What one published workflow teaches: for each sampled event, which consumers handled it and how
 * long it took them; for each calling span, whether its callee appeared.
 */
public record Observations(List<EventSeen> events, List<CallSeen> calls) {
  public static final Observations NONE = new Observations(List.of(), List.of());

  /** One event and its successful consumers. */
  public record EventSeen(String eventName, long publishedMs, List<Handled> handledBy) {}

  /** A consumer that handled the event, {@code latencyMs} after its publication. */
  public record Handled(String consumer, String consumerGroup, long latencyMs) {}

  /** A PRODUCER or CLIENT span, and whether anything on the other side appeared. */
  public record CallSeen(String service, String spanName, boolean calleeAppeared) {}
}
