package io.tracestitch.topology.workflow;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every healthy branch is evidence that its alert group may resolve, but sending it for every
 * workflow would cost a record per branch. Per dedup key, one clear per interval is enough: a resolve
 * waits at most that long. The map is bounded; forgetting a key only means sending its next clear early.
 */
final class ClearThrottle {
  private static final long INTERVAL_MS = 10_000;
  private static final int MAX_KEYS = 10_000;

  private final Map<String, Long> lastSent = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > MAX_KEYS;
    }
  };

  boolean shouldSend(String dedupKey, long nowMs) {
    Long last = lastSent.get(dedupKey);
    if (last != null && nowMs - last < INTERVAL_MS) {
      return false;
    }
    lastSent.put(dedupKey, nowMs);
    return true;
  }
}
