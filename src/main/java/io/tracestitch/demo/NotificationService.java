package io.tracestitch.demo;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Notification: confirms each new order and sends a receipt once payment is authorised. With drop-context,
 * the receipt is sent by a worker that only gets the payload, so its spans start a new trace, tied to the
 * order by nothing but the payload's correlation id.
 */
final class NotificationService implements RecordHandler {
  static final String NAME = "notification";

  private final Tracer tracer;
  private final String paymentAuthorizedTopic;
  private final Faults faults;

  NotificationService(Tracer tracer, String paymentAuthorizedTopic, Faults faults) {
    this.tracer = tracer;
    this.paymentAuthorizedTopic = paymentAuthorizedTopic;
    this.faults = faults;
  }

  @Override
  public Outcome handle(ConsumerRecord<byte[], byte[]> record) {
    OrderEvent event = OrderEvent.fromJson(record.value());
    if (!record.topic().equals(paymentAuthorizedTopic)) {
      return Steps.process(MessagingSpans.startProcess(tracer, record, NAME, event.eventId()),
          () -> Steps.step(tracer, "send-confirmation", () -> SimulatedWork.takes(SimulatedWork.between(5, 15))),
          Outcome.DONE);
    }
    Span process = faults.has(Fault.DROP_CONTEXT)
        ? MessagingSpans.startDetachedProcess(tracer, record.topic(), NAME, event.correlationId())
        : MessagingSpans.startProcess(tracer, record, NAME, event.eventId());
    return Steps.process(process,
        () -> Steps.step(tracer, "send-receipt", () -> SimulatedWork.takes(SimulatedWork.between(5, 15))),
        Outcome.DONE);
  }
}
