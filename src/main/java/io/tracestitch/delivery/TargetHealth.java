package io.tracestitch.delivery;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How one target is doing, as its loop reports it and readiness and the metrics read it: since when every try has
 * failed (none while the last try succeeded), the last problem, how many records wait, how many alerts fire.
 * Written by the loop's thread, read by any: every field is volatile or atomic.
 */
final class TargetHealth {
  private final DeliverySettings.Target target;
  private volatile long failingSinceMs = -1;
  private volatile String lastProblem;
  private volatile boolean joined;
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicInteger firing = new AtomicInteger();
  private final AtomicInteger partitions = new AtomicInteger();

  TargetHealth(DeliverySettings.Target target) {
    this.target = target;
  }

  DeliverySettings.Target target() {
    return target;
  }

  void succeeded() {
    failingSinceMs = -1;
  }

  void failed(long nowMs, String problem) {
    lastProblem = problem;
    if (failingSinceMs < 0) {
      failingSinceMs = nowMs;
    }
  }

  /** How long every try has failed; 0 when the last one succeeded. */
  long failingForMs(long nowMs) {
    long since = failingSinceMs;
    return since < 0 ? 0 : Math.max(0, nowMs - since);
  }

  boolean failing() {
    return failingSinceMs >= 0;
  }

  String lastProblem() {
    return lastProblem;
  }

  /** The loop's consumer has been given its partitions at least once (possibly none). */
  void joined(int partitionCount) {
    partitions.set(partitionCount);
    joined = true;
  }

  boolean hasJoined() {
    return joined;
  }

  int partitions() {
    return partitions.get();
  }

  void counts(int pendingRecords, int firingAlerts) {
    pending.set(pendingRecords);
    firing.set(firingAlerts);
  }

  int pending() {
    return pending.get();
  }

  int firing() {
    return firing.get();
  }
}
