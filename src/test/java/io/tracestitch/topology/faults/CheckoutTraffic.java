package io.tracestitch.topology.faults;

import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CONSUMER;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_PRODUCER;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER;
import static io.tracestitch.testing.Otlp.spanId;
import static io.tracestitch.testing.Otlp.traceId;

import io.tracestitch.testing.Events;
import io.tracestitch.testing.Otlp;
import io.tracestitch.testing.TimedInput;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.utils.Utils;

/**
 * Checkout traffic as the OpenTelemetry Kafka instrumentation would export it: every order publishes
 * {@code order.created} (W3C context in the headers, keyed by the order id) and each consumer handles it as
 * its faults say, with its own latency (log-normal around its usual one). What every consumer did with
 * every event is kept in a ledger, the ground truth a run is judged against.
 *
 * <p>Deterministic for a seed: the same plan always gives the same records.
 */
public final class CheckoutTraffic {
  public static final String EVENT = "order.created";
  /** Span export delay: the SDK's batch processor and the Collector together. */
  static final long EXPORT_DELAY_MS = 1_000;
  private static final long RETRY_SPACING_MS = 300;
  private static final long ATTEMPT_MS = 50;

  /** A consumer of {@code order.created} and its usual publish-to-success time. */
  public record Consumer(String name, long latencyMs) {}

  /** What one consumer did with one event. */
  public record Handling(String consumer, boolean handled, long latencyMs, int failures) {}

  /** One event and what each consumer did with it. */
  public record Delivery(int order, String key, String workflowId, long publishedMs, Map<String, Handling> byConsumer) {
    /** The partition Kafka's default partitioner gives this event's key on a topic of {@code partitions}. */
    public int partition(int partitions) {
      return CheckoutTraffic.partition(key, partitions);
    }
  }

  /** The records to feed, in no particular order, and the ledger. */
  public record Generated(List<TimedInput> inputs, List<Delivery> deliveries) {}

  private CheckoutTraffic() {}

  /**
   * Orders from {@code startMs} to {@code endMs}, one every {@code everyMs} (±25 % when {@code jitter}), each
   * handled by every consumer unless a fault says otherwise.
   */
  public static Generated generate(long startMs, long endMs, long everyMs, boolean jitter, List<Consumer> consumers,
      List<Fault> faults, long seed) {
    Random random = new Random(seed);
    List<TimedInput> inputs = new ArrayList<>();
    List<Delivery> deliveries = new ArrayList<>();
    int n = 0;
    for (long t = startMs; t < endMs; n++) {
      Delivery d = order(n, t, consumers, faults, random, inputs);
      deliveries.add(d);
      long step = jitter ? Math.round(everyMs * (0.75 + 0.5 * random.nextDouble())) : everyMs;
      t += Math.max(1, step);
    }
    return new Generated(inputs, deliveries);
  }

  /** Kafka's default partitioner for a keyed record (murmur2 of the key bytes). */
  public static int partition(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  private static Delivery order(int n, long start, List<Consumer> consumers, List<Fault> faults, Random random,
      List<TimedInput> inputs) {
    String trace = traceId(1_000_000 + n);
    String correlationId = "order-" + n;
    String eventId = "evt-" + n;
    long published = start + 60;
    inputs.add(new TimedInput.Event(EVENT, correlationId,
        Events.headers("traceparent", Events.traceparent(trace, sid(n, 2))),
        Events.flatEnvelope(eventId, correlationId, EVENT), published));
    inputs.add(new TimedInput.SpanBatch(Otlp.batch()
        .span("order", trace, sid(n, 1), null, "POST /orders", SPAN_KIND_SERVER, start, start + 100)
        .attr("correlation_id", correlationId).ok().done()
        .span("order", trace, sid(n, 2), sid(n, 1), "order.created publish", SPAN_KIND_PRODUCER, start + 50, published)
        .messaging(EVENT, "send", null).attr("messaging.message.id", eventId).done(), start + EXPORT_DELAY_MS));
    Map<String, Handling> byConsumer = new LinkedHashMap<>();
    int i = 0;
    for (Consumer c : consumers) {
      i++;
      // Drawn for every consumer and order, whatever its faults, so one fault does not reshuffle the others' latencies.
      double jitter = Math.exp(0.2 * random.nextGaussian());
      Handling h = handle(n, correlationId, published, c, jitter, faults);
      byConsumer.put(c.name(), h);
      if (h.handled()) {
        inputs.add(consumerBatch(n, i, trace, eventId, published, c.name(), h));
      }
    }
    return new Delivery(n, correlationId, correlationId, published, byConsumer);
  }

  private static Handling handle(int n, String key, long published, Consumer c, double jitter, List<Fault> faults) {
    double latency = c.latencyMs() * jitter;
    int failures = 0;
    for (Fault f : faults) {
      if (!f.consumer().equals(c.name()) || !f.covers(published)) {
        continue;
      }
      if (f instanceof Fault.Outage || f instanceof Fault.Removed
          || f instanceof Fault.EveryKth k && n % k.k() == 0
          || f instanceof Fault.StuckPartition sp && partition(key, sp.partitions()) == sp.partition()) {
        return new Handling(c.name(), false, 0, 0);
      } else if (f instanceof Fault.Slowdown s) {
        latency *= s.factor();
      } else if (f instanceof Fault.GradualSlowdown g) {
        latency *= 1 + (g.finalFactor() - 1) * Math.min(1.0, (double) (published - g.fromMs()) / (g.toMs() - g.fromMs()));
      } else if (f instanceof Fault.RetryStorm r) {
        failures = r.failures();
      } else if (f instanceof Fault.Pause p) {
        latency += p.toMs() - published;
      }
    }
    return new Handling(c.name(), true, Math.round(latency) + failures * RETRY_SPACING_MS, failures);
  }

  private static TimedInput consumerBatch(int n, int i, String trace, String eventId, long published, String consumer,
      Handling h) {
    Otlp batch = Otlp.batch();
    long begin = published + 40 + i * 10L;
    for (int a = 0; a < h.failures(); a++) {
      long s = begin + a * RETRY_SPACING_MS;
      batch = consumerSpan(batch, trace, sid(n, 10 + 10 * i + a), n, consumer, eventId, s, s + ATTEMPT_MS)
          .error(consumer + " could not reach its database").done();
    }
    long end = Math.max(published + h.latencyMs(), begin + h.failures() * RETRY_SPACING_MS + 1);
    long start = Math.max(begin + h.failures() * RETRY_SPACING_MS, end - 20);
    batch = consumerSpan(batch, trace, sid(n, 19 + 10 * i), n, consumer, eventId, start, end).ok().done();
    return new TimedInput.SpanBatch(batch, end + EXPORT_DELAY_MS);
  }

  private static Otlp.SpanSpec consumerSpan(Otlp batch, String trace, String spanId, int n, String consumer,
      String eventId, long start, long end) {
    return batch.span(consumer, trace, spanId, sid(n, 2), "order.created process", SPAN_KIND_CONSUMER, start, end)
        .messaging(EVENT, "process", consumer).attr("messaging.message.id", eventId);
  }

  private static String sid(int n, int local) {
    return spanId(n * 100 + local);
  }
}
