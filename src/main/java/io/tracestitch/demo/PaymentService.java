package io.tracestitch.demo;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Payment: holds the amount when order asks (synchronously), then authorises each new order and publishes payment.authorized. With payment-retry, the card gateway
 * times out on the first attempt for every third order; the consumer then takes the same record again after a
 * back-off and the second attempt succeeds.
 */
final class PaymentService implements RecordHandler {
  static final String NAME = "payment";
  private static final int FAIL_EVERY = 3;
  private static final int FAIL_REMAINDER = 1;
  /** Enough to remember every order in flight; older ones were retried long ago. */
  private static final int REMEMBERED_FAILURES = 10_000;

  private final Tracer tracer;
  private final EventPublisher publisher;
  private final String paymentAuthorizedTopic;
  private final Faults faults;
  private final Set<String> failedOnce = Collections.newSetFromMap(new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > REMEMBERED_FAILURES;
    }
  });

  PaymentService(Tracer tracer, EventPublisher publisher, String paymentAuthorizedTopic, Faults faults) {
    this.tracer = tracer;
    this.publisher = publisher;
    this.paymentAuthorizedTopic = paymentAuthorizedTopic;
    this.faults = faults;
  }

  /** Handles order's {@code POST /payments/holds}: puts a hold on the amount; returns the HTTP status. */
  int hold(CheckoutRequest request, Map<String, String> requestHeaders) {
    Span server = tracer.spanBuilder("POST /payments/holds")
        .setSpanKind(SpanKind.SERVER)
        .setParent(ContextPropagation.extract(requestHeaders))
        .setAttribute(TraceAttributes.HTTP_METHOD, "POST")
        .setAttribute(TraceAttributes.HTTP_ROUTE, "/payments/holds")
        .startSpan();
    try (Scope ignored = server.makeCurrent()) {
      SimulatedWork.takes(SimulatedWork.between(3, 9));
      server.setAttribute(TraceAttributes.HTTP_STATUS, 201L);
      return 201;
    } finally {
      server.end();
    }
  }

  @Override
  public Outcome handle(ConsumerRecord<byte[], byte[]> record) {
    OrderEvent event = OrderEvent.fromJson(record.value());
    boolean gatewayTimesOut = firstAttemptFails(event) && failedOnce.add(event.eventId());
    return Steps.process(MessagingSpans.startProcess(tracer, record, NAME, event.eventId()), () -> {
      Steps.step(tracer, "authorize-payment", () -> {
        SimulatedWork.takes(SimulatedWork.between(15, 40));
        if (gatewayTimesOut) {
          throw new TimeoutException("The card gateway did not answer within 250 ms.");
        }
      });
      publisher.publish(paymentAuthorizedTopic, event.paymentAuthorized());
    }, Outcome.RETRY);
  }

  private boolean firstAttemptFails(OrderEvent event) {
    return faults.has(Fault.PAYMENT_RETRY) && event.orderNumber() % FAIL_EVERY == FAIL_REMAINDER;
  }
}
