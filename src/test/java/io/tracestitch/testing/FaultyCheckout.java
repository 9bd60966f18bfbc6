package io.tracestitch.testing;

import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CLIENT;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CONSUMER;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_INTERNAL;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_PRODUCER;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER;

import java.util.ArrayList;
import java.util.List;

/**
 * The seeds' checkout with its synchronous part spelled out, for the findings that explain a workflow: gateway
 * calls order; order calls inventory (whose stock query is the step that is "slow only sometimes") and payment,
 * then publishes order.created, which loyalty consumes, querying points per item. Each knob is one of the seed's
 * debugging stories: payment down (order's call times out, order fails, the gateway answers 504), inventory's
 * query time, loyalty's queries (how many, and whether one after the other), and a call to inventory that timed out
 * once and was retried with success.
 */
public final class FaultyCheckout {
  public static final String ORDER_CREATED = "order.created";

  private final int n;
  private final long start;
  private long inventoryQueryMs = 60;
  private long paymentDownAfterMs = -1;
  private int loyaltyQueries = 2;
  private long loyaltyQueryMs = 25;
  private boolean loyaltyInParallel;
  private boolean inventoryRetried;
  private boolean orderFailsItself;
  private long paymentMs = 30;

  public FaultyCheckout(int n, long start) {
    this.n = n;
    this.start = start;
  }

  public String correlationId() {
    return "order-" + n;
  }

  public String trace() {
    return Otlp.traceId(50_000 + n);
  }

  public String sid(int local) {
    return Otlp.spanId(n * 1000 + local);
  }

  public FaultyCheckout inventoryQuery(long ms) {
    this.inventoryQueryMs = ms;
    return this;
  }

  public FaultyCheckout payment(long ms) {
    this.paymentMs = ms;
    return this;
  }

  /** Payment does not answer: order's call gives up after {@code timeoutMs}. */
  public FaultyCheckout paymentDown(long timeoutMs) {
    this.paymentDownAfterMs = timeoutMs;
    return this;
  }

  public FaultyCheckout loyaltyQueries(int count, long eachMs, boolean inParallel) {
    this.loyaltyQueries = count;
    this.loyaltyQueryMs = eachMs;
    this.loyaltyInParallel = inParallel;
    return this;
  }

  /** Order's first call to inventory times out (no answer at all), the second succeeds. */
  public FaultyCheckout inventoryRetried() {
    this.inventoryRetried = true;
    return this;
  }

  /** Order fails on its own (a validation error in its own span) after everything it called succeeded. */
  public FaultyCheckout orderFailsItself() {
    this.orderFailsItself = true;
    return this;
  }

  public String eventId() {
    return "evt-faulty-" + n;
  }

  public List<TimedInput> inputs() {
    String tr = trace();
    long t = start;
    List<TimedInput> in = new ArrayList<>();
    Otlp order = Otlp.batch();
    Otlp inventory = Otlp.batch();
    Otlp payment = Otlp.batch();
    long at = t + 10;
    if (inventoryRetried) {
      order.span("order", tr, sid(30), sid(3), "POST /reservations", SPAN_KIND_CLIENT, at, at + 500)
          .attr("server.address", "inventory").attr("http.request.method", "POST")
          .error("java.net.SocketTimeoutException: Read timed out").done();
      at += 510;
    }
    long invEnd = at + inventoryQueryMs + 12;
    order.span("order", tr, sid(4), sid(3), "POST /reservations", SPAN_KIND_CLIENT, at, invEnd)
        .attr("server.address", "inventory").attr("http.request.method", "POST").attr("http.response.status_code", 201)
        .done();
    inventory.span("inventory", tr, sid(5), sid(4), "POST /reservations", SPAN_KIND_SERVER, at + 2, invEnd - 2)
        .attr("http.route", "/reservations").attr("http.response.status_code", 201).done()
        .span("inventory", tr, sid(6), sid(5), "SELECT stock", SPAN_KIND_CLIENT, at + 4, at + 4 + inventoryQueryMs)
        .attr("db.system", "postgresql")
        .attr("db.statement", "SELECT quantity FROM stock WHERE sku = 'sku-" + n + "' FOR UPDATE").done();
    at = invEnd + 2;
    boolean down = paymentDownAfterMs >= 0;
    long payEnd = at + (down ? paymentDownAfterMs : paymentMs + 10);
    var call = order.span("order", tr, sid(7), sid(3), "POST /payments", SPAN_KIND_CLIENT, at, payEnd)
        .attr("server.address", "payment").attr("http.request.method", "POST");
    if (down) {
      call.error("java.net.SocketTimeoutException: Read timed out").done();
    } else {
      call.attr("http.response.status_code", 201).done();
      payment.span("payment", tr, sid(8), sid(7), "POST /payments", SPAN_KIND_SERVER, at + 2, payEnd - 2)
          .attr("http.route", "/payments").attr("http.response.status_code", 201).done()
          .span("payment", tr, sid(9), sid(8), "authorize-card", SPAN_KIND_INTERNAL, at + 4, at + 4 + paymentMs).done();
    }
    at = payEnd + 2;
    boolean publishes = !down && !orderFailsItself;
    if (publishes) {
      order.span("order", tr, sid(10), sid(3), ORDER_CREATED + " publish", SPAN_KIND_PRODUCER, at, at + 5)
          .messaging(ORDER_CREATED, "send", null).attr("messaging.message.id", eventId()).done();
      in.add(new TimedInput.Event(ORDER_CREATED, correlationId(),
          Events.headers("traceparent", Events.traceparent(tr, sid(10))),
          Events.flatEnvelope(eventId(), correlationId(), ORDER_CREATED), at + 5));
      at += 7;
    }
    long orderEnd = at + 2;
    var orderServer = order.span("order", tr, sid(3), sid(2), "POST /orders", SPAN_KIND_SERVER, t + 5, orderEnd)
        .attr("correlation_id", correlationId()).attr("http.route", "/orders");
    if (down) {
      orderServer.attr("http.response.status_code", 500).error("payment did not answer").done();
    } else if (orderFailsItself) {
      orderServer.attr("http.response.status_code", 500).error("order validation failed: total is negative").done();
    } else {
      orderServer.attr("http.response.status_code", 201).done();
    }
    Otlp gateway = Otlp.batch();
    boolean failed = down || orderFailsItself;
    var gatewayCall = gateway.span("gateway", tr, sid(2), sid(1), "POST /orders", SPAN_KIND_CLIENT, t + 2,
        orderEnd + 2).attr("server.address", "order").attr("http.response.status_code", failed ? 500 : 201);
    (failed ? gatewayCall.error("order answered 500") : gatewayCall).done();
    var gatewayServer = gateway.span("gateway", tr, sid(1), null, "POST /checkout", SPAN_KIND_SERVER, t,
        orderEnd + 4).attr("http.route", "/checkout");
    if (down) {
      gatewayServer.attr("http.response.status_code", 504).error("upstream timed out").done();
    } else if (failed) {
      gatewayServer.attr("http.response.status_code", 500).error("order failed").done();
    } else {
      gatewayServer.attr("http.response.status_code", 201).ok().done();
    }
    long exported = orderEnd + 1000;
    in.add(new TimedInput.SpanBatch(gateway, exported));
    in.add(new TimedInput.SpanBatch(order, exported));
    in.add(new TimedInput.SpanBatch(inventory, exported));
    if (!down) {
      in.add(new TimedInput.SpanBatch(payment, exported));
    }
    if (publishes) {
      long consume = orderEnd + 40;
      Otlp loyalty = Otlp.batch();
      long q = consume + 3;
      long lastEnd = q;
      for (int i = 0; i < loyaltyQueries; i++) {
        long qs = loyaltyInParallel ? q : q + i * (loyaltyQueryMs + 1);
        loyalty.span("loyalty", tr, sid(100 + i), sid(20), "SELECT customer_points", SPAN_KIND_CLIENT, qs,
            qs + loyaltyQueryMs).attr("db.system", "postgresql")
            .attr("db.statement", "SELECT points FROM customer_points WHERE item_id = " + (1000 + i)).done();
        lastEnd = Math.max(lastEnd, qs + loyaltyQueryMs);
      }
      loyalty.span("loyalty", tr, sid(20), sid(10), ORDER_CREATED + " process", SPAN_KIND_CONSUMER, consume,
          lastEnd + 3).messaging(ORDER_CREATED, "process", "loyalty").attr("messaging.message.id", eventId()).done();
      in.add(new TimedInput.SpanBatch(loyalty, lastEnd + 1000));
    }
    return in;
  }
}
