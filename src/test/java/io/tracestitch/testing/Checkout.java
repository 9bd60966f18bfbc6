package io.tracestitch.testing;

import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CLIENT;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CONSUMER;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_PRODUCER;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER;
import static io.tracestitch.testing.Otlp.spanId;
import static io.tracestitch.testing.Otlp.traceId;

import java.util.ArrayList;
import java.util.List;

/**
 * The seeds' seven-service checkout as span batches and events: gateway → order, which publishes
 * order.created; inventory (a 2 s stock query), payment (fails once, then succeeds and publishes
 * payment.authorized), loyalty, notification and analytics (down: fails) consume it; notification
 * also consumes payment.authorized. Every service exports its spans about a second after they end.
 */
public final class Checkout {
  public static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
  public static final String ORDER_CREATED = "order.created";
  public static final String PAYMENT_AUTHORIZED = "payment.authorized";

  public final String correlationId;
  public final String trace;
  public final long start;
  private final int n;

  public Checkout(int n, long start) {
    this.n = n;
    this.correlationId = "order-" + n;
    this.trace = traceId(n);
    this.start = start;
  }

  /** Span ids: the scenario number in the high bytes keeps checkouts apart. */
  public String sid(int local) {
    return spanId(n * 1000 + local);
  }

  public String orderCreatedId() {
    return "evt-created-" + n;
  }

  public String paymentAuthorizedId() {
    return "evt-paid-" + n;
  }

  public List<TimedInput> inputs() {
    List<TimedInput> in = new ArrayList<>();
    long t = start;
    in.add(new TimedInput.Event(ORDER_CREATED, correlationId,
        Events.headers("traceparent", Events.traceparent(trace, sid(3))),
        Events.flatEnvelope(orderCreatedId(), correlationId, ORDER_CREATED), t + 310));
    in.add(new TimedInput.Event(PAYMENT_AUTHORIZED, correlationId,
        Events.headers("traceparent", Events.traceparent(trace, sid(21))),
        Events.flatEnvelope(paymentAuthorizedId(), correlationId, PAYMENT_AUTHORIZED), t + 1590));
    in.add(new TimedInput.SpanBatch(Otlp.batch()
        .span("gateway", trace, sid(1), null, "POST /checkout", SPAN_KIND_SERVER, t, t + 400).ok().done(), t + 1400));
    in.add(new TimedInput.SpanBatch(Otlp.batch()
        .span("order", trace, sid(2), sid(1), "create-order", SPAN_KIND_SERVER, t + 20, t + 380)
        .attr("correlation_id", correlationId).done()
        .span("order", trace, sid(3), sid(2), "order.created publish", SPAN_KIND_PRODUCER, t + 300, t + 310)
        .messaging(ORDER_CREATED, "send", null).attr("messaging.message.id", orderCreatedId()).done(), t + 1380));
    in.add(new TimedInput.SpanBatch(Otlp.batch()
        .span("inventory", trace, sid(10), sid(3), "reserve-inventory", SPAN_KIND_CONSUMER, t + 500, t + 2600)
        .messaging(ORDER_CREATED, "process", "inventory").attr("messaging.message.id", orderCreatedId()).done()
        .span("inventory", trace, sid(11), sid(10), "SELECT stock", SPAN_KIND_CLIENT, t + 520, t + 2580)
        .attr("db.system", "postgresql").done(), t + 3600));
    in.add(new TimedInput.SpanBatch(Otlp.batch()
        .span("payment", trace, sid(20), sid(3), "authorize-payment", SPAN_KIND_CONSUMER, t + 450, t + 500)
        .messaging(ORDER_CREATED, "process", "payment").attr("messaging.message.id", orderCreatedId())
        .error("card gateway timeout").done()
        .span("payment", trace, sid(22), sid(3), "authorize-payment", SPAN_KIND_CONSUMER, t + 1500, t + 1600)
        .messaging(ORDER_CREATED, "process", "payment").attr("messaging.message.id", orderCreatedId()).ok().done()
        .span("payment", trace, sid(21), sid(22), "payment.authorized publish", SPAN_KIND_PRODUCER, t + 1580, t + 1590)
        .messaging(PAYMENT_AUTHORIZED, "send", null).done(), t + 2600));
    in.add(new TimedInput.SpanBatch(Otlp.batch()
        .span("loyalty", trace, sid(30), sid(3), "award-points", SPAN_KIND_CONSUMER, t + 460, t + 520)
        .messaging(ORDER_CREATED, "process", "loyalty").attr("messaging.message.id", orderCreatedId()).done()
        .span("notification", trace, sid(40), sid(3), "send-confirmation", SPAN_KIND_CONSUMER, t + 470, t + 530)
        .messaging(ORDER_CREATED, "process", "notification").attr("messaging.message.id", orderCreatedId()).done()
        .span("notification", trace, sid(41), sid(21), "send-receipt", SPAN_KIND_CONSUMER, t + 1700, t + 1750)
        .messaging(PAYMENT_AUTHORIZED, "process", "notification").done()
        .span("analytics", trace, sid(50), sid(3), "track-order", SPAN_KIND_CONSUMER, t + 480, t + 490)
        .messaging(ORDER_CREATED, "process", "analytics").attr("messaging.message.id", orderCreatedId())
        .error("analytics store unavailable").done(), t + 2750));
    return in;
  }
}
