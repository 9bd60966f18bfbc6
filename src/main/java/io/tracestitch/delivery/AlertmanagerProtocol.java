package io.tracestitch.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tracestitch.avro.Alert;
import io.tracestitch.avro.AlertAction;
import io.tracestitch.serdes.AlertPayloads;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Alertmanager's API v2 ({@code POST /api/v2/alerts}): an alert is its labels, and the latest post of a label
 * set wins, so a request carries the latest state of each alert among the waiting records (older ones of the
 * same key are superseded), as many alerts as there are. A firing alert goes with an {@code endsAt} four re-post
 * intervals ahead (but no later than its record's age allows, see {@link DeliverySettings}), and every firing
 * alert is posted again each interval: Alertmanager never resolves what still fires, however far behind or how
 * recently restarted the delivery is, and if tracestitch stops, its alerts end by themselves. A resolve goes with
 * its own {@code endsAt}. When an alert's labels change (its severity, say), the old label set is resolved in
 * the same request, or it would linger as a second alert.
 *
 * <p>A resolve is posted again with the firing alerts for four re-post intervals after it was written, as
 * Prometheus keeps re-sending resolved alerts: Alertmanager resolves an alert only once the {@code endsAt} it is
 * given has passed by its own clock, and otherwise keeps the later {@code endsAt} of the last firing post. A
 * resolve that reaches an Alertmanager whose clock is behind the processor's would leave the alert active until
 * that forward {@code endsAt}; the next re-post after its clock has caught up resolves it.
 *
 * <p>Alertmanager takes the valid alerts of a request even when it answers 400 for one of them; after a 400 the
 * waiting records go one request each, so that only the one at fault is dead-lettered.
 */
final class AlertmanagerProtocol implements TargetProtocol {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Duration repost;
  private final Duration endsAfter;
  private final Duration hold;
  // Far enough in the past that the first step re-posts, near enough that subtracting it cannot overflow.
  private long lastEveryFiringMs = Long.MIN_VALUE / 2;
  private boolean oneByOne;

  AlertmanagerProtocol(DeliverySettings settings) {
    this.repost = settings.alertmanagerRepost();
    this.endsAfter = settings.alertmanagerEndsAfter();
    this.hold = settings.alertmanagerFiringHold();
  }

  @Override
  public DeliverySettings.Target target() {
    return DeliverySettings.Target.ALERTMANAGER;
  }

  @Override
  public Optional<Delivery> next(PendingAlerts pending, AlertBook book, long nowMs) {
    if (pending.isEmpty()) {
      oneByOne = false;
    }
    List<PendingAlert> settled = new ArrayList<>();
    Map<String, PendingAlert> latest = new LinkedHashMap<>();
    for (PendingAlert record : pending.all()) {
      settled.add(record);
      if (record.readable() && !book.superseded(record.alert())) {
        PendingAlert before = latest.get(record.key());
        if (before == null || AlertBook.ORDER.compare(record.alert(), before.alert()) > 0) {
          latest.put(record.key(), record);
        }
      }
      if (oneByOne && !latest.isEmpty()) {
        break;
      }
    }
    boolean everyFiring = !oneByOne && nowMs - lastEveryFiringMs >= repost.toMillis();
    ArrayNode body = JSON.createArrayNode();
    for (PendingAlert record : latest.values()) {
      body.add(node(record.alert(), record.timestampMs(), nowMs));
      book.get(record.key()).filter(AlertBook.Entry::firing)
          .filter(known -> !known.alert().getLabels().equals(record.alert().getLabels()))
          .ifPresent(known -> body.add(resolvedNow(known.alert(), nowMs)));
    }
    int reposts = 0;
    if (everyFiring) {
      for (AlertBook.Entry entry : book.repostable(nowMs, hold, endsAfter)) {
        if (!latest.containsKey(entry.alert().getDedupKey())) {
          body.add(node(entry.alert(), entry.recordTimestampMs(), nowMs));
          reposts++;
        }
      }
    }
    if (settled.isEmpty() && body.isEmpty()) {
      return Optional.empty();
    }
    List<PendingAlert> sent = new ArrayList<>(latest.values());
    sent.sort(PendingAlert.TOPIC_ORDER);
    return Optional.of(body.isEmpty() ? Delivery.skipping(settled)
        : new Delivery(settled, sent, bytes(body), body.size(), reposts, everyFiring));
  }

  @Override
  public void accepted(Delivery delivery, AlertBook book, long nowMs) {
    for (PendingAlert record : delivery.sent()) {
      book.record(record.alert(), record.timestampMs(), record.partition());
    }
    if (delivery.everyFiring()) {
      lastEveryFiringMs = nowMs;
    }
  }

  @Override
  public boolean rejected(Delivery delivery, long nowMs) {
    if (delivery.sent().isEmpty()) {
      // Only re-posts of alerts it took before: nothing to dead-letter; try again at the next interval.
      lastEveryFiringMs = nowMs;
      return false;
    }
    if (!oneByOne && delivery.alertsInRequest() > 1) {
      oneByOne = true;
      return true;
    }
    return false;
  }

  @Override
  public long nextDueMs(AlertBook book, long nowMs) {
    return book.repostable(nowMs, hold, endsAfter).isEmpty() ? Long.MAX_VALUE : lastEveryFiringMs + repost.toMillis();
  }

  /**
   * A firing alert ends four re-post intervals ahead, or when its record grows too old to be still re-sent by
   * the processor, whichever comes first; a resolve ends when the processor resolved it. Never before it starts:
   * Alertmanager refuses an end before the start.
   */
  ObjectNode node(Alert alert, long recordTimestampMs, long nowMs) {
    long endsAt;
    if (alert.getAction() == AlertAction.TRIGGER) {
      endsAt = Math.min(nowMs + endsAfter.toMillis(), recordTimestampMs + hold.toMillis());
    } else {
      endsAt = alert.getEndsAtMs() != null ? alert.getEndsAtMs() : recordTimestampMs;
    }
    return AlertPayloads.alertmanagerAlert(alert, Instant.ofEpochMilli(Math.max(endsAt, alert.getFirstSeenMs())));
  }

  private static ObjectNode resolvedNow(Alert alert, long nowMs) {
    return AlertPayloads.alertmanagerAlert(alert, Instant.ofEpochMilli(Math.max(nowMs, alert.getFirstSeenMs())));
  }

  private static byte[] bytes(ArrayNode body) {
    try {
      return JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Could not write an Alertmanager request as JSON.", e);
    }
  }
}
