package io.tracestitch.topology.steps;

import java.util.Optional;

/** How long steps usually take; empty for a step seen too rarely to say. */
public interface StepBaseline {
  StepBaseline NONE = (key, nowMs) -> Optional.empty();

  Optional<StepUsual> usual(String key, long nowMs);
}
