package io.tracestitch.topology.expect;

import java.util.List;

/** Which consumers should handle an event, and whether a calling span should have a callee. */
public interface Expectations {
  Expectations NONE = new Expectations() {
    @Override
    public List<ExpectedConsumer> consumersOf(String eventName, long nowMs) {
      return List.of();
    }

    @Override
    public boolean calleeExpected(String service, String spanName, long nowMs) {
      return false;
    }
  };

  List<ExpectedConsumer> consumersOf(String eventName, long nowMs);

  boolean calleeExpected(String service, String spanName, long nowMs);
}
