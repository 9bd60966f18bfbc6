package io.tracestitch.topology.sampling;

import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CONSUMER;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_PRODUCER;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import io.tracestitch.testing.Events;
import io.tracestitch.testing.Otlp;
import io.tracestitch.testing.TimedInput;
import io.tracestitch.topology.alert.ConsumerOffsets;
import io.tracestitch.topology.alert.GroupPositions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Checkout traffic as a sampled deployment exports it. The sampling decisions are the OpenTelemetry SDK's own
 * samplers', applied to random trace ids: under head sampling the order service's root decides with
 * {@code parentBased(traceIdRatioBased(r))} and every consumer follows its parent's flag with the same sampler; an
 * unsampled trace exports no span, and its event still carries the context, flags {@code 00}. Under tail sampling
 * every span is recorded (flags {@code 01}) and a Collector-side decision keeps a trace when
 * {@code traceIdRatioBased(r)} says so or when any of its spans failed; a dropped trace loses all its spans.
 *
 * <p>Each order publishes {@code order.created}, handled by every consumer; every {@code failEvery}-th order's
 * payment attempt fails once and is retried. A consumer listed in {@code silent} handles events but exports no span
 * (instrumentation off), for the events published from {@code silentFromMs} on; a consumer in {@code stalledFrom}
 * handles nothing published from that time on. When each consumer handled each event is kept, so a scenario can
 * tell the alert stage where the consumer groups stand ({@link Generated#groups}).
 */
final class SampledCheckouts {
  static final String EVENT = "order.created";
  static final List<String> CONSUMERS = List.of("inventory", "payment", "loyalty");
  private static final long EXPORT_DELAY_MS = 1_000;

  enum Sampling { HEAD, TAIL }

  /**
   * What was generated, which orders the samplers kept, when each order's event was published and when each consumer
   * finished handling it (by the event's offset on its one partition; -1: never).
   */
  record Generated(List<TimedInput> inputs, int orders, Set<String> recordedWorkflows, long[] publishedAt,
      Map<String, long[]> handledAt) {
    /**
     * The consumer groups (one per consumer, named after it) as the Admin API would read them at {@code now}: each
     * commits in order, so its committed offset is the first event it has not finished by then.
     */
    ConsumerOffsets groups(LongSupplier now) {
      return (group, topic) -> {
        long[] done = handledAt.get(group);
        if (done == null || !topic.equals(EVENT)) {
          return GroupPositions.notChecked("no such consumer group in this scenario");
        }
        long at = now.getAsLong();
        int committed = 0;
        while (committed < done.length && done[committed] >= 0 && done[committed] <= at) {
          committed++;
        }
        int end = 0;
        while (end < publishedAt.length && publishedAt[end] <= at) {
          end++;
        }
        return new GroupPositions(GroupPositions.Status.READY,
            Map.of(0, new GroupPositions.Position(committed, end, 0, 2)), at, null);
      };
    }
  }

  private SampledCheckouts() {}

  static Generated generate(Sampling sampling, double ratio, long startMs, int orders, long everyMs, int failEvery,
      Set<String> silent, String stalledConsumer, long stalledFromMs, long seed) {
    return generate(sampling, ratio, startMs, orders, everyMs, failEvery, silent, 0, stalledConsumer, stalledFromMs,
        seed);
  }

  static Generated generate(Sampling sampling, double ratio, long startMs, int orders, long everyMs, int failEvery,
      Set<String> silent, long silentFromMs, String stalledConsumer, long stalledFromMs, long seed) {
    Random random = new Random(seed);
    Sampler head = Sampler.parentBased(Sampler.traceIdRatioBased(ratio));
    Sampler tail = Sampler.traceIdRatioBased(ratio);
    List<TimedInput> inputs = new ArrayList<>();
    Set<String> recorded = new HashSet<>();
    long[] publishedAt = new long[orders];
    Map<String, long[]> handledAt = new HashMap<>();
    CONSUMERS.forEach(c -> handledAt.put(c, new long[orders]));
    for (int n = 0; n < orders; n++) {
      long start = startMs + n * everyMs;
      String trace = hex(random, 16);
      String root = hex(random, 8);
      String producer = hex(random, 8);
      String workflow = "order-" + n;
      String eventId = "evt-" + n;
      long published = start + 60;
      boolean sampled = sampling == Sampling.TAIL || sampled(head, Context.root(), trace);
      publishedAt[n] = published;
      inputs.add(new TimedInput.Event(EVENT, workflow,
          Events.headers("traceparent", "00-" + trace + "-" + producer + (sampled ? "-01" : "-00")),
          Events.flatEnvelope(eventId, workflow, EVENT), published));
      List<Otlp> batches = new ArrayList<>();
      batches.add(Otlp.batch()
          .span("order", trace, root, null, "POST /orders", SPAN_KIND_SERVER, start, start + 100)
          .attr("correlation_id", workflow).ok().done()
          .span("order", trace, producer, root, "order.created publish", SPAN_KIND_PRODUCER, start + 50, published)
          .messaging(EVENT, "send", null).attr("messaging.message.id", eventId).done());
      boolean failed = false;
      long lastEnd = published;
      for (int i = 0; i < CONSUMERS.size(); i++) {
        String consumer = CONSUMERS.get(i);
        if (consumer.equals(stalledConsumer) && published >= stalledFromMs) {
          handledAt.get(consumer)[n] = -1;
          continue;
        }
        long begin = published + 200 + 100L * i;
        boolean retried = consumer.equals("payment") && failEvery > 0 && n % failEvery == 0;
        handledAt.get(consumer)[n] = begin + (retried ? 300 : 0) + 50;
        // The consumer continues the producer's context: the SDK's parent-based sampler follows its flag.
        Context parent = Context.root().with(Span.wrap(SpanContext.createFromRemoteParent(trace, producer,
            sampled ? TraceFlags.getSampled() : TraceFlags.getDefault(), TraceState.getDefault())));
        if (!sampled(head, parent, trace) || (silent.contains(consumer) && published >= silentFromMs)) {
          continue;
        }
        Otlp batch = Otlp.batch();
        if (retried) {
          failed = true;
          batch = batch.span(consumer, trace, hex(random, 8), producer, "order.created process", SPAN_KIND_CONSUMER,
              begin, begin + 50).messaging(EVENT, "process", consumer).attr("messaging.message.id", eventId)
              .error("payment could not reach its database").done();
          begin += 300;
        }
        batch = batch.span(consumer, trace, hex(random, 8), producer, "order.created process", SPAN_KIND_CONSUMER,
            begin, begin + 50).messaging(EVENT, "process", consumer).attr("messaging.message.id", eventId).ok().done();
        batches.add(batch);
        lastEnd = Math.max(lastEnd, begin + 50);
      }
      boolean kept = sampling == Sampling.HEAD ? sampled : failed || sampled(tail, Context.root(), trace);
      if (kept) {
        recorded.add(workflow);
        for (Otlp b : batches) {
          inputs.add(new TimedInput.SpanBatch(b, lastEnd + EXPORT_DELAY_MS));
        }
      }
    }
    return new Generated(inputs, orders, recorded, publishedAt, handledAt);
  }

  private static boolean sampled(Sampler sampler, Context parent, String traceId) {
    return sampler.shouldSample(parent, traceId, "POST /orders", SpanKind.SERVER, Attributes.empty(), List.of())
        .getDecision() == SamplingDecision.RECORD_AND_SAMPLE;
  }

  private static String hex(Random random, int bytes) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < bytes; i++) {
      s.append(String.format(Locale.ROOT, "%02x", random.nextInt(256)));
    }
    return s.toString();
  }
}
