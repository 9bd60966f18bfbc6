package io.tracestitch.delivery;

import io.tracestitch.avro.AlertAction;
import java.util.List;
import java.util.Optional;

/**
 * PagerDuty's Events API v2: one event per request, trigger and resolve through the same {@code dedup_key}, per
 * key in the order the processor wrote them. A trigger opens an alert or is added to the open one; a resolve
 * closes it; a trigger after a resolve opens a new one, so the order matters and a stale record is never sent.
 * Records are taken oldest first across partitions, one at a time. A trigger is skipped when a later re-send of
 * the same lifecycle is already waiting (after an outage, an hour of re-sends shrinks to the latest one); a
 * resolve is never skipped, nor the last trigger before it, so a problem that began and ended while PagerDuty
 * was unreachable is still paged, and resolved.
 */
final class PagerDutyProtocol implements TargetProtocol {
  private final String routingKey;

  PagerDutyProtocol(DeliverySettings settings) {
    this.routingKey = settings.pagerDutyRoutingKey();
  }

  @Override
  public DeliverySettings.Target target() {
    return DeliverySettings.Target.PAGERDUTY;
  }

  @Override
  public Optional<Delivery> next(PendingAlerts pending, AlertBook book, long nowMs) {
    PendingAlert head = pending.oldestHead();
    if (head == null) {
      return Optional.empty();
    }
    if (!head.readable() || book.superseded(head.alert()) || coveredByALaterResend(head, pending)) {
      return Optional.of(Delivery.skipping(List.of(head)));
    }
    return Optional.of(new Delivery(List.of(head), List.of(head), PagerDutyEvents.of(head.alert(), routingKey), 1, 0,
        false));
  }

  private static boolean coveredByALaterResend(PendingAlert head, PendingAlerts pending) {
    if (head.alert().getAction() != AlertAction.TRIGGER) {
      return false;
    }
    return pending.latestTriggerOfLifecycle(head)
        .filter(later -> later != head && AlertBook.ORDER.compare(later.alert(), head.alert()) > 0)
        .isPresent();
  }

  @Override
  public void accepted(Delivery delivery, AlertBook book, long nowMs) {
    for (PendingAlert record : delivery.sent()) {
      book.record(record.alert(), record.timestampMs(), record.partition());
    }
  }

  @Override
  public boolean rejected(Delivery delivery, long nowMs) {
    return false;
  }

  @Override
  public long nextDueMs(AlertBook book, long nowMs) {
    return Long.MAX_VALUE;
  }
}
