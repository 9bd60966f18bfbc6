package io.tracestitch.demo;

import io.opentelemetry.api.trace.Tracer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Loyalty: awards points for each new order. With loyalty-stall it handles the first few orders and then
 * gets stuck: its consumer keeps polling (so it stays in its group, and nothing upstream notices) but with
 * every partition paused, handles and commits nothing more, so its lag grows and no span shows the gap.
 */
final class LoyaltyService implements RecordHandler {
  static final String NAME = "loyalty";
  static final int STALL_AFTER_ORDERS = 3;

  private final Tracer tracer;
  private final Faults faults;
  private int handled;

  LoyaltyService(Tracer tracer, Faults faults) {
    this.tracer = tracer;
    this.faults = faults;
  }

  @Override
  public Outcome handle(ConsumerRecord<byte[], byte[]> record) {
    if (faults.has(Fault.LOYALTY_STALL) && handled >= STALL_AFTER_ORDERS) {
      return Outcome.STALL;
    }
    OrderEvent event = OrderEvent.fromJson(record.value());
    handled++;
    return Steps.process(MessagingSpans.startProcess(tracer, record, NAME, event.eventId()),
        () -> Steps.step(tracer, "award-points", () -> SimulatedWork.takes(SimulatedWork.between(3, 8))),
        Outcome.DONE);
  }
}
