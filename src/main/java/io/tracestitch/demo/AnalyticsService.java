package io.tracestitch.demo;

import io.opentelemetry.api.trace.Tracer;
import java.net.ConnectException;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Analytics: tracks each new order, fire-and-forget. With analytics-down its store refuses connections; the
 * failure is recorded on its spans and the record is committed anyway, never retried, and nobody upstream
 * hears of it.
 */
final class AnalyticsService implements RecordHandler {
  static final String NAME = "analytics";

  private final Tracer tracer;
  private final Faults faults;

  AnalyticsService(Tracer tracer, Faults faults) {
    this.tracer = tracer;
    this.faults = faults;
  }

  @Override
  public Outcome handle(ConsumerRecord<byte[], byte[]> record) {
    OrderEvent event = OrderEvent.fromJson(record.value());
    return Steps.process(MessagingSpans.startProcess(tracer, record, NAME, event.eventId()),
        () -> Steps.step(tracer, "track-order", () -> {
          SimulatedWork.takes(SimulatedWork.between(2, 6));
          if (faults.has(Fault.ANALYTICS_DOWN)) {
            throw new ConnectException("Connection refused: analytics-store:9042");
          }
        }),
        Outcome.DONE);
  }
}
