package io.tracestitch.demo;

import io.opentelemetry.api.trace.Tracer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Loyalty: awards points for each new order. With loyalty-stall it handles the first few orders and then
 * gets stuck: its consumer keeps polling (so it stays in its group, and nothing upstream notices) but with
 * every partition paused, handles and commits nothing more, so its lag grows and no span shows the gap. With
 * n-plus-one, some orders' points are read with one query per item instead of one query for all.
 */
final class LoyaltyService implements RecordHandler {
  static final String NAME = "loyalty";
  static final int STALL_AFTER_ORDERS = 3;
  /** A premium order's items, each queried on its own with n-plus-one (the seed's "one query per item"). */
  static final int ITEMS_PER_PREMIUM_ORDER = 40;
  private static final int PREMIUM_EVERY = 5;
  private static final int PREMIUM_REMAINDER = 2;

  private final Tracer tracer;
  private final Faults faults;
  private final DatabaseCalls database;
  private int handled;

  LoyaltyService(Tracer tracer, Faults faults) {
    this.tracer = tracer;
    this.faults = faults;
    this.database = new DatabaseCalls(tracer);
  }

  @Override
  public Outcome handle(ConsumerRecord<byte[], byte[]> record) {
    if (faults.has(Fault.LOYALTY_STALL) && handled >= STALL_AFTER_ORDERS) {
      return Outcome.STALL;
    }
    OrderEvent event = OrderEvent.fromJson(record.value());
    handled++;
    // Counted by loyalty's own orders, so the N+1 shows before a loyalty-stall stops it.
    boolean perItem = faults.has(Fault.N_PLUS_ONE) && handled % PREMIUM_EVERY == PREMIUM_REMAINDER;
    return Steps.process(MessagingSpans.startProcess(tracer, record, NAME, event.eventId()),
        () -> Steps.step(tracer, "award-points", () -> {
          if (perItem) {
            for (int item = 1; item <= ITEMS_PER_PREMIUM_ORDER; item++) {
              database.query("SELECT", "customer_points",
                  "SELECT points FROM customer_points WHERE item_id = " + (event.orderNumber() * 100 + item),
                  SimulatedWork.between(2, 6));
            }
          } else {
            database.query("SELECT", "customer_points",
                "SELECT item_id, points FROM customer_points WHERE item_id = ANY($1)", SimulatedWork.between(3, 8));
          }
        }),
        Outcome.DONE);
  }
}
