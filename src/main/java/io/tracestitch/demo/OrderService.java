package io.tracestitch.demo;

import static io.tracestitch.demo.TraceAttributes.CORRELATION_ID;
import static io.tracestitch.demo.TraceAttributes.HTTP_METHOD;
import static io.tracestitch.demo.TraceAttributes.HTTP_ROUTE;
import static io.tracestitch.demo.TraceAttributes.HTTP_STATUS;
import static io.tracestitch.demo.TraceAttributes.SERVER_ADDRESS;
import static io.tracestitch.demo.TraceAttributes.URL_FULL;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The order service: stores the order, has payment hold the amount (a synchronous call, CLIENT span here, SERVER
 * span there), and publishes order.created, which every other service reacts to. With payment-down, payment does
 * not answer the hold for every tenth order: order's call gives up after its timeout and order answers 504.
 */
final class OrderService {
  static final String NAME = "order";
  /** Order's timeout on payment: the seed's 30 s scaled down, so a demo run shows the cascade within a minute. */
  static final Duration PAYMENT_TIMEOUT = Duration.ofSeconds(3);
  /** Orders 6, 16, 26, ...: payment is down for them. */
  private static final int DOWN_EVERY = 10;
  private static final int DOWN_REMAINDER = 6;

  private final Tracer tracer;
  private final EventPublisher publisher;
  private final DatabaseCalls database;
  private final String orderCreatedTopic;
  private final PaymentService payment;
  private final Faults faults;

  OrderService(Tracer tracer, EventPublisher publisher, String orderCreatedTopic, PaymentService payment,
      Faults faults) {
    this.tracer = tracer;
    this.publisher = publisher;
    this.database = new DatabaseCalls(tracer);
    this.orderCreatedTopic = orderCreatedTopic;
    this.payment = payment;
    this.faults = faults;
  }

  /** Handles {@code POST /orders}; returns the HTTP status the gateway sees. */
  int createOrder(CheckoutRequest request, Map<String, String> requestHeaders) {
    Span server = tracer.spanBuilder("POST /orders")
        .setSpanKind(SpanKind.SERVER)
        .setParent(ContextPropagation.extract(requestHeaders))
        .setAttribute(HTTP_METHOD, "POST")
        .setAttribute(HTTP_ROUTE, "/orders")
        .setAttribute(CORRELATION_ID, request.correlationId())
        .startSpan();
    try (Scope ignored = server.makeCurrent()) {
      database.query("INSERT", "orders", "INSERT INTO orders (id, amount_cents) VALUES ($1, $2)",
          SimulatedWork.between(2, 6));
      holdPayment(request);
      publisher.publish(orderCreatedTopic, OrderEvent.orderCreated(request));
      server.setAttribute(HTTP_STATUS, 201L);
      return 201;
    } catch (PaymentTimeout e) {
      Steps.markFailed(server, e);
      server.setAttribute(HTTP_STATUS, 504L);
      return 504;
    } catch (RuntimeException e) {
      Steps.markFailed(server, e);
      server.setAttribute(HTTP_STATUS, 500L);
      return 500;
    } finally {
      server.end();
    }
  }

  private void holdPayment(CheckoutRequest request) {
    Span client = tracer.spanBuilder("POST /payments/holds")
        .setSpanKind(SpanKind.CLIENT)
        .setAttribute(HTTP_METHOD, "POST")
        .setAttribute(URL_FULL, "http://payment/payments/holds")
        .setAttribute(SERVER_ADDRESS, PaymentService.NAME)
        .startSpan();
    try (Scope ignored = client.makeCurrent()) {
      if (faults.has(Fault.PAYMENT_DOWN) && request.orderNumber() % DOWN_EVERY == DOWN_REMAINDER) {
        // Nothing answers: the call waits out its timeout, and no span appears on payment's side.
        SimulatedWork.takes(PAYMENT_TIMEOUT);
        PaymentTimeout timeout = new PaymentTimeout(new SocketTimeoutException("Read timed out after "
            + PAYMENT_TIMEOUT.toMillis() + " ms waiting for payment"));
        Steps.markFailed(client, timeout.getCause());
        throw timeout;
      }
      Map<String, String> headers = new HashMap<>();
      ContextPropagation.inject(Context.current(), headers);
      client.setAttribute(HTTP_STATUS, (long) payment.hold(request, headers));
    } finally {
      client.end();
    }
  }

  /** Payment did not answer in time. */
  private static final class PaymentTimeout extends RuntimeException {
    PaymentTimeout(SocketTimeoutException cause) {
      super("payment did not answer within " + PAYMENT_TIMEOUT.toMillis() + " ms", cause);
    }
  }
}
