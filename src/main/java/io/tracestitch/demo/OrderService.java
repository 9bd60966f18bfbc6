package io.tracestitch.demo;

import static io.tracestitch.demo.TraceAttributes.CORRELATION_ID;
import static io.tracestitch.demo.TraceAttributes.HTTP_METHOD;
import static io.tracestitch.demo.TraceAttributes.HTTP_ROUTE;
import static io.tracestitch.demo.TraceAttributes.HTTP_STATUS;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.util.Map;

/** The order service: stores the order and publishes order.created, which every other service reacts to. */
final class OrderService {
  static final String NAME = "order";

  private final Tracer tracer;
  private final EventPublisher publisher;
  private final DatabaseCalls database;
  private final String orderCreatedTopic;

  OrderService(Tracer tracer, EventPublisher publisher, String orderCreatedTopic) {
    this.tracer = tracer;
    this.publisher = publisher;
    this.database = new DatabaseCalls(tracer);
    this.orderCreatedTopic = orderCreatedTopic;
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
      publisher.publish(orderCreatedTopic, OrderEvent.orderCreated(request));
      server.setAttribute(HTTP_STATUS, 201L);
      return 201;
    } catch (RuntimeException e) {
      Steps.markFailed(server, e);
      server.setAttribute(HTTP_STATUS, 500L);
      return 500;
    } finally {
      server.end();
    }
  }
}
