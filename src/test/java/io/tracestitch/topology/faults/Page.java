package io.tracestitch.topology.faults;

import io.tracestitch.avro.Alert;
import io.tracestitch.avro.AlertAction;
import io.tracestitch.avro.AlertKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One page as the on-call engineer lives it: opened by an alert's first TRIGGER, kept up by its re-sends,
 * closed by its RESOLVE (or still open when the run ends).
 *
 * @param triggeredAtMs when its first occurrence was seen (the first TRIGGER's {@code lastSeenMs})
 * @param resolvedAtMs the RESOLVE's {@code endsAtMs}, or {@link Long#MAX_VALUE} while it is open
 * @param first the first TRIGGER
 * @param last the last record sent for it (the RESOLVE when resolved)
 */
public record Page(String dedupKey, AlertKind kind, String subject, String eventName, long triggeredAtMs,
    long resolvedAtMs, int sends, Alert first, Alert last) {

  public boolean resolved() {
    return resolvedAtMs != Long.MAX_VALUE;
  }

  public long count() {
    return last.getCount();
  }

  /** The pages in an alert stream, in the order they opened. */
  public static List<Page> of(List<Alert> alerts) {
    List<Page> pages = new ArrayList<>();
    Map<String, Page> open = new LinkedHashMap<>();
    for (Alert a : alerts) {
      Page current = open.get(a.getDedupKey());
      if (current == null) {
        if (a.getAction() == AlertAction.RESOLVE) {
          continue; // nothing open to close (a resolve of a lifecycle that never paged)
        }
        String subject = a.getConsumer() != null ? a.getConsumer() : a.getService();
        current = new Page(a.getDedupKey(), a.getKind(), subject, a.getEventName(), a.getLastSeenMs(),
            Long.MAX_VALUE, 0, a, a);
      }
      boolean resolve = a.getAction() == AlertAction.RESOLVE;
      Page next = new Page(current.dedupKey, current.kind, current.subject, current.eventName, current.triggeredAtMs,
          resolve ? (a.getEndsAtMs() == null ? a.getLastSeenMs() : a.getEndsAtMs()) : Long.MAX_VALUE,
          current.sends + 1, current.first, a);
      if (resolve) {
        open.remove(a.getDedupKey());
        pages.add(next);
      } else {
        open.put(a.getDedupKey(), next);
      }
    }
    pages.addAll(open.values());
    pages.sort(java.util.Comparator.comparingLong(Page::triggeredAtMs));
    return pages;
  }

  @Override
  public String toString() {
    return kind + " " + subject + "/" + eventName + " [" + FaultSchedule.clock(triggeredAtMs) + " .. "
        + (resolved() ? FaultSchedule.clock(resolvedAtMs) : "open") + "] count " + count();
  }
}
