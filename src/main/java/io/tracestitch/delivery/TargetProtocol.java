package io.tracestitch.delivery;

import java.util.Optional;

/**
 * What is particular to one paging system: which waiting records its next request covers, what that request
 * says, and what an answer changes. The delivery loop does the rest (reading, retrying, dead-lettering,
 * committing) the same way for every target. Implementations are owned by one loop's thread.
 */
interface TargetProtocol {
  DeliverySettings.Target target();

  /** The next step, or empty when there is nothing to do now. Sends nothing. */
  Optional<Delivery> next(PendingAlerts pending, AlertBook book, long nowMs);

  /** The target took the request: what it was sent is now what it has. */
  void accepted(Delivery delivery, AlertBook book, long nowMs);

  /**
   * The target refused the request with a 4xx that is not retried.
   *
   * @return true when the protocol will now send the records one at a time to find the one at fault (nothing is
   *     settled yet); false when the records sent are to be dead-lettered with the answer and settled
   */
  boolean rejected(Delivery delivery, long nowMs);

  /** When there is something to send without new records (a re-post), or {@code Long.MAX_VALUE}. */
  long nextDueMs(AlertBook book, long nowMs);
}
