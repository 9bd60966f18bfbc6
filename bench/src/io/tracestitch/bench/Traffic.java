package io.tracestitch.bench;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Generates the traffic of many concurrent workflows as it reaches Kafka: OTLP
 * {@code ExportTraceServiceRequest} batches as the Collector's Kafka exporter writes them (one
 * {@code ResourceSpans} per service, one {@code ScopeSpans} per instrumentation library, tens of spans
 * of many traces per record) and business events on event topics carrying W3C {@code traceparent}
 * headers.
 *
 * <p>Each workflow is one trace: a gateway request, the order service (which carries the correlation
 * id), {@code P} producer spans each publishing an event, {@code fanOut} consumer spans per event, and
 * database calls under the consumers filling the workflow up to its size. Every service runs three
 * instances; spans reach the Collector when their instance's SDK exports them (once a second), and the
 * Collector sends a batch when it holds {@code batchSpans} spans or its oldest span has waited 200 ms —
 * so a batch holds spans of many traces, and a trace's spans are spread over several batches, the way
 * real traffic is.
 *
 * <p>Timestamps are simulated: workflows start at a steady rate so that spans flow at
 * {@code simSpansPerSecond} of record time. Output is produced in non-decreasing timestamp order and
 * streamed to an {@link Output}, so memory stays proportional to the workflows in flight, not to the
 * data set.
 */
final class Traffic {
  static final String[] EVENT_NAMES = {"order.created", "payment.authorized"};
  private static final String[] CONSUMERS = {"inventory", "payment", "loyalty", "notification", "analytics",
      "shipping", "fraud", "search"};
  private static final long COLLECTOR_TIMEOUT_MS = 200;
  private static final long SDK_EXPORT_INTERVAL_MS = 1_000;
  private static final int INSTANCES_PER_SERVICE = 3;

  /** What the generator is asked for. */
  record Spec(String tag, int workflows, int spansPerWorkflow, int fanOut, int batchSpans,
      boolean partitionTracesById, double simSpansPerSecond, long seed) {
    Spec {
      if (spansPerWorkflow < 4 + fanOut) {
        throw new IllegalArgumentException("A workflow needs at least " + (4 + fanOut) + " spans for fan-out "
            + fanOut + ", not " + spansPerWorkflow);
      }
    }

    int producersPerWorkflow() {
      // One published event per ~50 spans keeps large workflows event-driven, not one huge request.
      return Math.max(1, spansPerWorkflow / 50);
    }

    long spans() {
      return (long) workflows * spansPerWorkflow;
    }

    long events() {
      return (long) workflows * producersPerWorkflow();
    }

    /** Record time from one workflow's start to the next one's. */
    double workflowIntervalMs() {
      return spansPerWorkflow * 1000.0 / simSpansPerSecond;
    }

    static long durationMs(int spans) {
      // Bigger workflows run longer, so their spans are spread over many Collector batches.
      return 300 + 2L * spans;
    }
  }

  /** Where generated records go; called in non-decreasing timestamp order. */
  interface Output {
    /** One span record; {@code key} is null unless partition_traces_by_id; {@code workflows} it holds spans of. */
    void spans(byte[] key, byte[] value, long timestampMs, int spanCount, int[] workflows);

    void event(String eventName, byte[] key, byte[] value, String traceparent, long timestampMs, int workflow);
  }

  private final Spec spec;
  private final Map<String, String> eventTopics;
  private final long baseMs;
  private final SplittableRandom random;
  private final PriorityQueue<Pending> pending = new PriorityQueue<>();
  private final List<Pending> batch = new ArrayList<>();
  private final long tagBits;
  private final Map<String, Resource> resources = new LinkedHashMap<>();
  private long sequence;
  private long lastEmittedMs;
  /** Scattered spans made so far: numbers their span ids, so later calls never repeat an id. */
  private long scattered;

  /**
   * @param eventTopics event name to the Kafka topic it is published on (the span's messaging destination)
   * @param baseMs record time at which the first workflow starts
   */
  Traffic(Spec spec, Map<String, String> eventTopics, long baseMs) {
    this.spec = spec;
    this.eventTopics = eventTopics;
    this.baseMs = baseMs;
    this.random = new SplittableRandom(spec.seed());
    // Trace ids of different data sets must never collide on a shared broker.
    this.tagBits = spec.tag().hashCode() & 0xffffffffL | 0x1_0000_0000L;
  }

  /** Generates every workflow of the spec and flushes the Collector at the end. */
  void generate(Output out) {
    for (int w = 0; w < spec.workflows(); w++) {
      long start = baseMs + (long) (w * spec.workflowIntervalMs());
      addWorkflow(w, start);
      drainBefore(start, out);
    }
    finish(out);
  }

  /**
   * The first phase of the open-workflows run: every workflow opens with its first span (the order
   * request, with the correlation id) and then stays open.
   */
  void generateOpeners(Output out) {
    double intervalMs = 1000.0 / spec.simSpansPerSecond();
    for (int w = 0; w < spec.workflows(); w++) {
      long t0 = baseMs + (long) (w * intervalMs);
      add(w, "order", Scope.HTTP, server(traceId(w), spanId(w, 2), null, "POST /orders", t0, t0 + 18)
          .addAttributes(attr("http.request.method", "POST")).addAttributes(attr("http.route", "/orders"))
          .addAttributes(attr("correlation_id", correlationId(spec.tag(), w))));
      drainBefore(t0, out);
    }
    finish(out);
  }

  /**
   * The second phase: {@code count} database-call spans, each in a workflow picked at random among
   * the open ones, so every span lands on state that is (for a large run) not in any cache.
   */
  void generateScattered(Output out, long count, long startMs) {
    for (long n = 0; n < count; n++) {
      long i = scattered++;
      long t = startMs + (long) (n * 1000.0 / spec.simSpansPerSecond());
      int w = random.nextInt(spec.workflows());
      String service = CONSUMERS[(int) (i % 4)];
      add(w, service, Scope.JDBC, span(traceId(w), spanId(w, 16 + (int) i), spanId(w, 2), "SELECT stock",
          Span.SpanKind.SPAN_KIND_CLIENT, t, t + 3)
          .addAttributes(attr("db.system.name", "postgresql")).addAttributes(attr("db.operation.name", "SELECT"))
          .addAttributes(attr("db.query.text", "SELECT qty, reserved FROM stock WHERE sku = $1")));
      drainBefore(t, out);
    }
    finish(out);
  }

  private void finish(Output out) {
    drainBefore(Long.MAX_VALUE, out);
    flush(out, Math.max(lastEmittedMs, batch.isEmpty() ? 0 : batch.get(batch.size() - 1).timeMs));
  }

  /** The record time at which the last workflow starts plus its own length and the export delay. */
  long endMs() {
    return baseMs + (long) (spec.workflows() * spec.workflowIntervalMs())
        + Spec.durationMs(spec.spansPerWorkflow()) + SDK_EXPORT_INTERVAL_MS + COLLECTOR_TIMEOUT_MS;
  }

  static String correlationId(String tag, int workflow) {
    return "wf-" + tag + "-" + workflow;
  }

  String traceHex(int workflow) {
    return HexFormat.of().formatHex(traceId(workflow).toByteArray());
  }

  ByteString traceId(int workflow) {
    return ByteString.copyFrom(ByteBuffer.allocate(16).putLong(tagBits).putLong(workflow).array());
  }

  static ByteString spanId(int workflow, int local) {
    // The workflow in the high bits, the span's number in it in the low 24: unique, never zero.
    return ByteString.copyFrom(ByteBuffer.allocate(8).putLong(((long) workflow + 1) << 24 | local).array());
  }

  private void addWorkflow(int w, long t0) {
    int size = spec.spansPerWorkflow();
    int producers = spec.producersPerWorkflow();
    int fanOut = spec.fanOut();
    long d = Spec.durationMs(size);
    ByteString trace = traceId(w);
    String correlation = correlationId(spec.tag(), w);
    ByteString root = spanId(w, 1);
    ByteString order = spanId(w, 2);
    add(w, "gateway", Scope.HTTP, server(trace, root, null, "POST /checkout", t0, t0 + d)
        .addAttributes(attr("http.request.method", "POST")).addAttributes(attr("http.route", "/checkout"))
        .addAttributes(attr("http.response.status_code", 200)).addAttributes(attr("server.address", "shop.example"))
        .addAttributes(attr("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64)")));
    add(w, "order", Scope.HTTP, server(trace, order, root, "POST /orders", t0 + 5, t0 + d - 5)
        .addAttributes(attr("http.request.method", "POST")).addAttributes(attr("http.route", "/orders"))
        .addAttributes(attr("http.response.status_code", 201)).addAttributes(attr("correlation_id", correlation)));

    int consumers = producers * fanOut;
    int filler = size - 2 - producers - consumers;
    long slot = Math.max(20, (d - 40) / producers);
    long[] consumerStart = new long[consumers];
    long[] consumerEnd = new long[consumers];
    ByteString[] consumerIds = new ByteString[consumers];
    String[] consumerService = new String[consumers];
    for (int p = 0; p < producers; p++) {
      String eventName = EVENT_NAMES[p % EVENT_NAMES.length];
      String topic = eventTopics.get(eventName);
      String eventId = "evt-" + spec.tag() + "-" + w + "-" + p;
      ByteString producer = spanId(w, 3 + p);
      long sent = t0 + 10 + p * slot;
      add(w, "order", Scope.KAFKA, span(trace, producer, order, eventName + " publish", Span.SpanKind.SPAN_KIND_PRODUCER,
          sent, sent + 2)
          .addAttributes(attr("messaging.system", "kafka")).addAttributes(attr("messaging.destination.name", topic))
          .addAttributes(attr("messaging.operation.type", "send")).addAttributes(attr("messaging.message.id", eventId))
          .addAttributes(attr("messaging.kafka.message.key", correlation)));
      String traceparent = "00-" + traceHex(w) + "-" + HexFormat.of().formatHex(producer.toByteArray()) + "-01";
      pending.add(new Pending(sent + 2, sequence++, w, null, null, null,
          new EventOut(eventName, correlation.getBytes(StandardCharsets.UTF_8),
              envelope(eventId, correlation, eventName, w), traceparent)));
      for (int c = 0; c < fanOut; c++) {
        int i = p * fanOut + c;
        String service = CONSUMERS[c % CONSUMERS.length];
        consumerIds[i] = spanId(w, 3 + producers + i);
        consumerService[i] = service;
        consumerStart[i] = sent + 4 + 2L * c;
        consumerEnd[i] = consumerStart[i] + slot - 12;
        add(w, service, Scope.KAFKA, span(trace, consumerIds[i], producer, eventName + " process",
            Span.SpanKind.SPAN_KIND_CONSUMER, consumerStart[i], consumerEnd[i])
            .addAttributes(attr("messaging.system", "kafka")).addAttributes(attr("messaging.destination.name", topic))
            .addAttributes(attr("messaging.operation.type", "process")).addAttributes(attr("messaging.message.id", eventId))
            .addAttributes(attr("messaging.consumer.group.name", service))
            .addAttributes(attr("messaging.destination.partition.id", String.valueOf(w % 6)))
            .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_OK)));
      }
    }
    for (int f = 0; f < filler; f++) {
      int parent = f % consumers;
      int nth = f / consumers;
      int under = filler / consumers + 1;
      long width = Math.max(1, (consumerEnd[parent] - consumerStart[parent] - 2) / under);
      long start = consumerStart[parent] + 1 + nth * width;
      add(w, consumerService[parent], Scope.JDBC, span(trace, spanId(w, 3 + producers + consumers + f),
          consumerIds[parent], "SELECT stock", Span.SpanKind.SPAN_KIND_CLIENT, start, start + Math.max(1, width - 1))
          .addAttributes(attr("db.system.name", "postgresql")).addAttributes(attr("db.operation.name", "SELECT"))
          .addAttributes(attr("db.collection.name", "stock"))
          .addAttributes(attr("db.query.text", "SELECT qty, reserved FROM stock WHERE sku = $1"))
          .addAttributes(attr("server.address", "db-" + consumerService[parent])));
    }
  }

  /**
   * Adds one span of {@code workflow}. It reaches the Collector at the next export of the service
   * instance that made it: each instance's SDK exports everything that ended since its last export
   * every second, at its own phase, so one export holds the spans of many traces and a trace's spans
   * from one service arrive together.
   */
  private void add(int workflow, String service, Scope scope, Span.Builder span) {
    long endMs = span.getEndTimeUnixNano() / 1_000_000L;
    int instance = workflow % INSTANCES_PER_SERVICE;
    long phase = Math.floorMod((service + "-" + instance).hashCode(), SDK_EXPORT_INTERVAL_MS);
    long exported = phase + Math.floorDiv(endMs - phase, SDK_EXPORT_INTERVAL_MS) * SDK_EXPORT_INTERVAL_MS
        + SDK_EXPORT_INTERVAL_MS;
    pending.add(new Pending(exported, sequence++, workflow, service + "-" + instance, scope, span.build(), null));
  }

  /** Everything that reached the Collector before {@code limitMs} can go out: no later workflow adds earlier data. */
  private void drainBefore(long limitMs, Output out) {
    while (!pending.isEmpty() && pending.peek().timeMs < limitMs) {
      Pending next = pending.poll();
      if (!batch.isEmpty() && next.timeMs - batch.get(0).timeMs >= COLLECTOR_TIMEOUT_MS) {
        flush(out, batch.get(0).timeMs + COLLECTOR_TIMEOUT_MS);
      }
      if (next.event != null) {
        EventOut e = next.event;
        out.event(e.name, e.key, e.value, e.traceparent, next.timeMs, next.workflow);
        lastEmittedMs = Math.max(lastEmittedMs, next.timeMs);
        continue;
      }
      batch.add(next);
      if (batch.size() >= spec.batchSpans()) {
        flush(out, next.timeMs);
      }
    }
  }

  private void flush(Output out, long timestampMs) {
    if (batch.isEmpty()) {
      return;
    }
    lastEmittedMs = Math.max(lastEmittedMs, timestampMs);
    if (spec.partitionTracesById()) {
      // The exporter's partition_traces_by_id: one message per trace, keyed by the trace id in hex.
      Map<ByteString, List<Pending>> byTrace = new LinkedHashMap<>();
      for (Pending p : batch) {
        byTrace.computeIfAbsent(p.span.getTraceId(), k -> new ArrayList<>()).add(p);
      }
      for (Map.Entry<ByteString, List<Pending>> trace : byTrace.entrySet()) {
        byte[] key = HexFormat.of().formatHex(trace.getKey().toByteArray()).getBytes(StandardCharsets.UTF_8);
        emit(out, key, trace.getValue(), timestampMs);
      }
    } else {
      emit(out, null, batch, timestampMs);
    }
    batch.clear();
  }

  private void emit(Output out, byte[] key, List<Pending> spans, long timestampMs) {
    Map<String, Map<Scope, List<Span>>> grouped = new LinkedHashMap<>();
    int[] workflows = new int[spans.size()];
    int n = 0;
    for (Pending p : spans) {
      grouped.computeIfAbsent(p.service, k -> new LinkedHashMap<>())
          .computeIfAbsent(p.scope, k -> new ArrayList<>()).add(p.span);
      workflows[n++] = p.workflow;
    }
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    grouped.forEach((service, scopes) -> {
      ResourceSpans.Builder resourceSpans = ResourceSpans.newBuilder().setResource(resource(service))
          .setSchemaUrl("https://opentelemetry.io/schemas/1.26.0");
      scopes.forEach((scope, list) -> resourceSpans.addScopeSpans(ScopeSpans.newBuilder()
          .setScope(InstrumentationScope.newBuilder().setName(scope.library).setVersion("2.10.0-alpha"))
          .addAllSpans(list)));
      request.addResourceSpans(resourceSpans);
    });
    out.spans(key, request.build().toByteArray(), timestampMs, spans.size(), workflows);
  }

  /** One resource per service instance ({@code name-instance}): same service name, its own instance id and host. */
  private Resource resource(String serviceInstance) {
    return resources.computeIfAbsent(serviceInstance, si -> Resource.newBuilder()
        .addAttributes(attr("service.name", si.substring(0, si.lastIndexOf('-'))))
        .addAttributes(attr("service.version", "1.4.2")).addAttributes(attr("service.namespace", "shop"))
        .addAttributes(attr("service.instance.id", si + "-7d9f8c6b5-x2x4p"))
        .addAttributes(attr("deployment.environment.name", "production"))
        .addAttributes(attr("host.name", "node-" + Math.floorMod(si.hashCode(), 5)))
        .addAttributes(attr("telemetry.sdk.language", "java")).addAttributes(attr("telemetry.sdk.name", "opentelemetry"))
        .addAttributes(attr("telemetry.sdk.version", "1.44.1"))
        .build());
  }

  private static byte[] envelope(String eventId, String correlation, String eventName, int w) {
    return ("{\"eventId\":\"" + eventId + "\",\"correlationId\":\"" + correlation + "\",\"eventName\":\"" + eventName
        + "\",\"source\":\"order\",\"payload\":{\"orderId\":\"ord-" + w + "\",\"amount\":" + (10 + w % 90)
        + ".95,\"currency\":\"EUR\",\"items\":" + (1 + w % 5) + "}}").getBytes(StandardCharsets.UTF_8);
  }

  private static Span.Builder server(ByteString trace, ByteString id, ByteString parent, String name, long startMs,
      long endMs) {
    return span(trace, id, parent, name, Span.SpanKind.SPAN_KIND_SERVER, startMs, endMs)
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_OK));
  }

  private static Span.Builder span(ByteString trace, ByteString id, ByteString parent, String name,
      Span.SpanKind kind, long startMs, long endMs) {
    Span.Builder span = Span.newBuilder().setTraceId(trace).setSpanId(id).setName(name).setKind(kind)
        .setStartTimeUnixNano(startMs * 1_000_000L).setEndTimeUnixNano(endMs * 1_000_000L).setFlags(0x101);
    if (parent != null) {
      span.setParentSpanId(parent);
    }
    return span;
  }

  static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  static KeyValue attr(String key, long value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
  }

  /** The instrumentation library that made a span: one ScopeSpans per library in a batch. */
  enum Scope {
    HTTP("io.opentelemetry.spring-webmvc-6.0"),
    KAFKA("io.opentelemetry.kafka-clients-2.6"),
    JDBC("io.opentelemetry.jdbc");

    final String library;

    Scope(String library) {
      this.library = library;
    }
  }

  private record EventOut(String name, byte[] key, byte[] value, String traceparent) {}

  private record Pending(long timeMs, long seq, int workflow, String service, Scope scope, Span span, EventOut event)
      implements Comparable<Pending> {
    @Override
    public int compareTo(Pending o) {
      int byTime = Long.compare(timeMs, o.timeMs);
      return byTime != 0 ? byTime : Long.compare(seq, o.seq);
    }
  }
}
