package io.tracestitch.demo;

import io.opentelemetry.api.trace.Tracer;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Inventory: reserves stock for each new order. With slow-inventory, every tenth stock query takes 2 s. */
final class InventoryService implements RecordHandler {
  static final String NAME = "inventory";
  static final Duration SLOW_QUERY = Duration.ofSeconds(2);
  /**
   * Orders 3, 13, 23, ...: occasional, the first early in a run, and rare enough that inventory keeps up with
   * four orders a second (a query that slows every order would only show a backlog).
   */
  private static final int SLOW_EVERY = 10;
  private static final int SLOW_REMAINDER = 3;

  private final Tracer tracer;
  private final DatabaseCalls database;
  private final Faults faults;

  InventoryService(Tracer tracer, Faults faults) {
    this.tracer = tracer;
    this.database = new DatabaseCalls(tracer);
    this.faults = faults;
  }

  @Override
  public Outcome handle(ConsumerRecord<byte[], byte[]> record) {
    OrderEvent event = OrderEvent.fromJson(record.value());
    return Steps.process(MessagingSpans.startProcess(tracer, record, NAME, event.eventId()),
        () -> Steps.step(tracer, "reserve-inventory", () -> {
          database.query("SELECT", "stock", "SELECT quantity FROM stock WHERE sku = ANY($1) FOR UPDATE",
              slow(event) ? SLOW_QUERY : SimulatedWork.between(4, 12));
          database.query("UPDATE", "stock", "UPDATE stock SET reserved = reserved + $2 WHERE sku = $1",
              SimulatedWork.between(2, 5));
        }),
        Outcome.DONE);
  }

  private boolean slow(OrderEvent event) {
    return faults.has(Fault.SLOW_INVENTORY) && event.orderNumber() % SLOW_EVERY == SLOW_REMAINDER;
  }
}
