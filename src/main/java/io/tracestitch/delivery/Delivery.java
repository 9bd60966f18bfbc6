package io.tracestitch.delivery;

import java.util.List;

/**
 * One step of a target's delivery: the records it settles, in their partitions' order, and the one request
 * that settles them (none when every record is only skipped).
 *
 * @param settled every record this step takes off the front of its partition
 * @param sent those of them whose state is in the request; the others are superseded, unreadable or tombstones
 * @param request the JSON body, or null when nothing needs sending
 * @param alertsInRequest how many alerts the request carries (Alertmanager takes many at once)
 * @param reposts how many of those are firing alerts posted again without a new record
 * @param everyFiring the request carries every firing alert, so all their endsAt move ahead with it
 */
record Delivery(List<PendingAlert> settled, List<PendingAlert> sent, byte[] request, int alertsInRequest,
    int reposts, boolean everyFiring) {

  Delivery {
    settled = List.copyOf(settled);
    sent = List.copyOf(sent);
  }

  /** Settles records without sending anything. */
  static Delivery skipping(List<PendingAlert> settled) {
    return new Delivery(settled, List.of(), null, 0, 0, false);
  }

  boolean needsRequest() {
    return request != null;
  }
}
