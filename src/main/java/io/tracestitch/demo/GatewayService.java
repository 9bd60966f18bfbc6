package io.tracestitch.demo;

import static io.tracestitch.demo.TraceAttributes.CORRELATION_ID;
import static io.tracestitch.demo.TraceAttributes.HTTP_METHOD;
import static io.tracestitch.demo.TraceAttributes.HTTP_ROUTE;
import static io.tracestitch.demo.TraceAttributes.HTTP_STATUS;
import static io.tracestitch.demo.TraceAttributes.SERVER_ADDRESS;
import static io.tracestitch.demo.TraceAttributes.URL_FULL;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.HashMap;
import java.util.Map;

/**
 * The API gateway: receives a customer's checkout and calls the order service synchronously. The call is an
 * in-process method call standing in for HTTP, with a CLIENT span here, a SERVER span there, and the W3C
 * context passed in the request headers between them.
 */
final class GatewayService {
  static final String NAME = "gateway";

  private final Tracer tracer;
  private final OrderService orders;

  GatewayService(Tracer tracer, OrderService orders) {
    this.tracer = tracer;
    this.orders = orders;
  }

  void checkout(CheckoutRequest request) {
    Span server = tracer.spanBuilder("POST /checkout")
        .setSpanKind(SpanKind.SERVER)
        .setNoParent()
        .setAttribute(HTTP_METHOD, "POST")
        .setAttribute(HTTP_ROUTE, "/checkout")
        .setAttribute(CORRELATION_ID, request.correlationId())
        .startSpan();
    try (Scope ignored = server.makeCurrent()) {
      SimulatedWork.takes(SimulatedWork.between(1, 4));
      int status = callOrderService(request);
      // An upstream that timed out is a 504 here too; any other failure a 502.
      server.setAttribute(HTTP_STATUS, status == 201 ? 201L : status == 504 ? 504L : 502L);
      if (status != 201) {
        server.setStatus(StatusCode.ERROR, "The order service answered " + status + ".");
      }
    } finally {
      server.end();
    }
  }

  private int callOrderService(CheckoutRequest request) {
    Span client = tracer.spanBuilder("POST /orders")
        .setSpanKind(SpanKind.CLIENT)
        .setAttribute(HTTP_METHOD, "POST")
        .setAttribute(URL_FULL, "http://order/orders")
        .setAttribute(SERVER_ADDRESS, OrderService.NAME)
        .setAttribute(CORRELATION_ID, request.correlationId())
        .startSpan();
    try (Scope ignored = client.makeCurrent()) {
      Map<String, String> headers = new HashMap<>();
      ContextPropagation.inject(Context.current(), headers);
      int status = orders.createOrder(request, headers);
      client.setAttribute(HTTP_STATUS, (long) status);
      if (status >= 400) {
        client.setStatus(StatusCode.ERROR);
      }
      return status;
    } finally {
      client.end();
    }
  }
}
