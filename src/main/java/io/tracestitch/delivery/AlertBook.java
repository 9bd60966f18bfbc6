package io.tracestitch.delivery;

import io.tracestitch.avro.Alert;
import io.tracestitch.avro.AlertAction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * What one target has been given of each alert of the partitions its loop owns: the latest state delivered, or
 * found before the committed offset when the partition was assigned. It decides which state of an alert is
 * newer, so a stale record (one older than what the target already has) is never sent, and it holds the
 * firing set that is re-posted to Alertmanager. Entries are replaced, never changed. Not thread-safe.
 */
final class AlertBook {
  /**
   * The states of one alert in the order they happened: a later lifecycle (it starts at {@code firstSeenMs}) after
   * an earlier one; within a lifecycle a later send ({@code sequence} counts them) after an earlier one; a resolve
   * after a trigger that carries the same number. Equal means the same state sent twice.
   */
  static final Comparator<Alert> ORDER = Comparator.comparingLong(Alert::getFirstSeenMs)
      .thenComparingLong(Alert::getSequence)
      .thenComparingInt(a -> a.getAction() == AlertAction.RESOLVE ? 1 : 0);

  /** One alert's latest state, with the time its record was written and the partition it lives in. */
  record Entry(Alert alert, long recordTimestampMs, TopicPartition partition) {
    boolean firing() {
      return alert.getAction() == AlertAction.TRIGGER;
    }

    /** Still re-sent by the processor as far as this record's age tells. */
    boolean fresh(long nowMs, Duration hold) {
      return nowMs - recordTimestampMs < hold.toMillis();
    }
  }

  private final Map<String, Entry> entries = new HashMap<>();

  /** True when the target already has this state of the alert, or a newer one. */
  boolean superseded(Alert alert) {
    Entry known = entries.get(alert.getDedupKey());
    return known != null && ORDER.compare(alert, known.alert()) <= 0;
  }

  /** Takes the alert's state unless a newer one is already known. */
  void record(Alert alert, long recordTimestampMs, TopicPartition partition) {
    if (!superseded(alert)) {
      entries.put(alert.getDedupKey(), new Entry(alert, recordTimestampMs, partition));
    }
  }

  Optional<Entry> get(String dedupKey) {
    return Optional.ofNullable(entries.get(dedupKey));
  }

  /**
   * What to post to Alertmanager again: the firing alerts younger than {@code hold}, and the alerts resolved less
   * than {@code resolvedFor} ago (see {@link AlertmanagerProtocol} for why a resolve is posted more than once).
   */
  List<Entry> repostable(long nowMs, Duration hold, Duration resolvedFor) {
    List<Entry> repostable = new ArrayList<>();
    for (Entry entry : entries.values()) {
      if (entry.firing() ? entry.fresh(nowMs, hold) : entry.fresh(nowMs, resolvedFor)) {
        repostable.add(entry);
      }
    }
    repostable.sort(Comparator.comparing(e -> e.alert().getDedupKey()));
    return repostable;
  }

  /** How many alerts fire, however old their latest record. */
  int firingCount() {
    return (int) entries.values().stream().filter(Entry::firing).count();
  }

  /** Forgets the alerts of partitions this loop no longer owns: their next owner reads them back itself. */
  void forget(Collection<TopicPartition> partitions) {
    entries.values().removeIf(e -> partitions.contains(e.partition()));
  }

  int size() {
    return entries.size();
  }
}
