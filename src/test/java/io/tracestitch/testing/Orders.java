package io.tracestitch.testing;

import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CONSUMER;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_PRODUCER;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER;
import static io.tracestitch.testing.Otlp.spanId;
import static io.tracestitch.testing.Otlp.traceId;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One order workflow with chosen consumer outcomes: the order service publishes order.created (W3C
 * context in the headers), and each named consumer handles it as told. Spans are exported a second
 * after the workflow starts, late handling when it ends.
 */
public final class Orders {
  public static final String ORDER_CREATED = "order.created";

  /** What one consumer does with the event. */
  public enum Outcome { OK, FAIL, RETRY_THEN_OK, NONE }

  private final int n;
  private final long start;
  private final Map<String, Outcome> consumers = new LinkedHashMap<>();
  private final Map<String, Long> lateBy = new LinkedHashMap<>();

  private Orders(int n, long start) {
    this.n = n;
    this.start = start;
  }

  public static Orders order(int n, long start) {
    return new Orders(n, start);
  }

  public Orders consumer(String name, Outcome outcome) {
    consumers.put(name, outcome);
    return this;
  }

  /** Each named consumer with what it does with the event. */
  public Map<String, Outcome> outcomes() {
    return Map.copyOf(consumers);
  }

  /** The consumer succeeds, but only {@code delayMs} after the event was published. */
  public Orders late(String name, long delayMs) {
    consumers.put(name, Outcome.OK);
    lateBy.put(name, delayMs);
    return this;
  }

  public String trace() {
    return traceId(100_000 + n);
  }

  public String eventId() {
    return "evt-" + n;
  }

  public String correlationId() {
    return "order-" + n;
  }

  public List<TimedInput> inputs() {
    String t = trace();
    long published = start + 60;
    List<TimedInput> in = new ArrayList<>();
    in.add(new TimedInput.Event(ORDER_CREATED, correlationId(), Events.headers("traceparent", Events.traceparent(t, sid(2))),
        Events.flatEnvelope(eventId(), correlationId(), ORDER_CREATED), published));
    Otlp onTime = Otlp.batch()
        .span("order", t, sid(1), null, "POST /orders", SPAN_KIND_SERVER, start, start + 100)
        .attr("correlation_id", correlationId()).ok().done()
        .span("order", t, sid(2), sid(1), "order.created publish", SPAN_KIND_PRODUCER, start + 50, start + 60)
        .messaging(ORDER_CREATED, "send", null).done();
    int i = 0;
    for (Map.Entry<String, Outcome> c : consumers.entrySet()) {
      i++;
      long delay = lateBy.getOrDefault(c.getKey(), 0L);
      Otlp batch = delay > 0 ? Otlp.batch() : onTime;
      long begin = published + 40 + i * 10 + delay;
      switch (c.getValue()) {
        case OK -> consume(batch, t, c.getKey(), 10 + i, begin, false);
        case FAIL -> consume(batch, t, c.getKey(), 10 + i, begin, true);
        case RETRY_THEN_OK -> {
          consume(batch, t, c.getKey(), 10 + i, begin, true);
          consume(batch, t, c.getKey(), 50 + i, begin + 500, false);
        }
        case NONE -> { }
      }
      if (delay > 0) {
        in.add(new TimedInput.SpanBatch(batch, begin + 1000));
      }
    }
    in.add(new TimedInput.SpanBatch(onTime, start + 1000));
    return in;
  }

  private void consume(Otlp batch, String t, String consumer, int local, long begin, boolean fail) {
    Otlp.SpanSpec span = batch.span(consumer, t, sid(local), sid(2), "order.created process", SPAN_KIND_CONSUMER,
        begin, begin + 20).messaging(ORDER_CREATED, "process", consumer).attr("messaging.message.id", eventId());
    (fail ? span.error(consumer + " is down") : span).done();
  }

  private String sid(int local) {
    return spanId(n * 100 + local);
  }
}
