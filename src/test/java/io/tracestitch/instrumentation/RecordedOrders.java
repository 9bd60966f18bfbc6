package io.tracestitch.instrumentation;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.instrumentation.api.instrumenter.Instrumenter;
import io.opentelemetry.instrumentation.kafkaclients.common.v0_11.internal.KafkaInstrumenterFactory;
import io.opentelemetry.instrumentation.kafkaclients.common.v0_11.internal.KafkaReceiveRequest;
import io.opentelemetry.instrumentation.kafkaclients.v2_6.KafkaTelemetry;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.tracestitch.kafka.KafkaBrokerFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Records real instrumentation on the embedded broker: an order service publishes {@code order.created} events
 * through a producer wrapped by the OpenTelemetry Kafka library instrumentation, inside a SERVER span that
 * carries the order's correlation id; consumers, each in its own group and instrumented as told, handle every
 * event with a handler of their own. What the SDKs exported and what landed on the topic (with its real
 * headers) is the recording.
 */
final class RecordedOrders {
  static final String ORDER_SERVICE = "order";
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  /** How a consumer's Kafka client is instrumented. */
  enum Shape {
    /** KafkaTelemetry.wrap(consumer), defaults: one process span per record, child of the producer's span. */
    DEFAULT,
    /** setMessagingReceiveTelemetryEnabled(true): a receive span per poll, process spans under it with a link. */
    RECEIVE_TELEMETRY,
    /**
     * A batch listener: the consumer is not wrapped; each poll is handled as one batch under the library's batch
     * process span (the instrumenter Spring Kafka's instrumentation uses), with one link per record.
     */
    BATCH,
    /** Wrapped with defaults, but the service's SDK propagates nothing: every process span starts a new trace. */
    NO_PROPAGATION
  }

  /** What a consumer's code does with one record, under the span the instrumentation made current. */
  interface Handler {
    void handle(TracedService service, ConsumerRecord<String, String> record, int nth);
  }

  /** What a batch listener does with one poll's records. */
  interface BatchHandler {
    void handle(TracedService service, List<ConsumerRecord<String, String>> records);
  }

  private record ConsumerSpec(String name, Shape shape, Handler handler, BatchHandler batchHandler) {}

  private final String topic;
  private final int orders;
  private final long spacingMs;
  private final List<ConsumerSpec> consumers = new ArrayList<>();
  private boolean consumersStartLate;

  private RecordedOrders(String topic, int orders, long spacingMs) {
    this.topic = topic;
    this.orders = orders;
    this.spacingMs = spacingMs;
  }

  /**
   * @param spacingMs time between two orders; 0 publishes them in one burst, so a poll holds several
   */
  static RecordedOrders of(String scenario, int orders, long spacingMs) {
    String topic = "fx-" + scenario + "-" + Long.toHexString(System.nanoTime()) + "-order.created";
    return new RecordedOrders(topic, orders, spacingMs);
  }

  RecordedOrders consumer(String name, Shape shape, Handler handler) {
    consumers.add(new ConsumerSpec(name, shape, handler, null));
    return this;
  }

  RecordedOrders batchConsumer(String name, BatchHandler handler) {
    consumers.add(new ConsumerSpec(name, Shape.BATCH, null, handler));
    return this;
  }

  /** The consumers start only once every order is on the topic, so each one's first poll holds them all. */
  RecordedOrders consumersStartAfterPublishing() {
    consumersStartLate = true;
    return this;
  }

  String topic() {
    return topic;
  }

  Recording record() throws Exception {
    KafkaBrokerFixture.shared().createTopics(Map.of(topic, 1));
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    List<TracedService> services = new ArrayList<>();
    ExecutorService threads = Executors.newFixedThreadPool(consumers.size());
    try {
      TracedService orderService = new TracedService(ORDER_SERVICE, exporter, true);
      services.add(orderService);
      if (consumersStartLate) {
        publish(orderService);
      }
      List<Future<Integer>> handled = new ArrayList<>();
      for (ConsumerSpec spec : consumers) {
        TracedService service = new TracedService(spec.name(), exporter, spec.shape() != Shape.NO_PROPAGATION);
        services.add(service);
        handled.add(threads.submit(() -> consume(spec, service)));
      }
      if (!consumersStartLate) {
        publish(orderService);
      }
      for (int i = 0; i < handled.size(); i++) {
        int count = handled.get(i).get(DEADLINE.toSeconds() + 10, TimeUnit.SECONDS);
        if (count < orders) {
          throw new AssertionError(consumers.get(i).name() + " handled " + count + " of " + orders + " orders.");
        }
      }
      List<SpanData> spans = new ArrayList<>(exporter.getFinishedSpanItems());
      List<ConsumerRecord<byte[], byte[]>> events =
          KafkaBrokerFixture.consumeUntil(topic, orders, Duration.ofSeconds(30), false);
      return new Recording(spans, events);
    } finally {
      threads.shutdownNow();
      services.forEach(TracedService::close);
    }
  }

  private void publish(TracedService service) throws Exception {
    Map<String, Object> config = Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerFixture.shared().bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.LINGER_MS_CONFIG, 0);
    KafkaTelemetry telemetry = KafkaTelemetry.create(service.sdk);
    try (Producer<String, String> producer =
        telemetry.wrap(new KafkaProducer<>(config, new StringSerializer(), new StringSerializer()))) {
      for (int n = 1; n <= orders; n++) {
        Span request = service.tracer().spanBuilder("POST /orders").setSpanKind(SpanKind.SERVER)
            .setAttribute("http.request.method", "POST").setAttribute("http.route", "/orders")
            .setAttribute("correlation_id", correlationId(n)).startSpan();
        try (Scope ignored = request.makeCurrent()) {
          producer.send(new ProducerRecord<>(topic, correlationId(n), payload(n))).get(30, TimeUnit.SECONDS);
        } finally {
          request.end();
        }
        if (spacingMs > 0) {
          Thread.sleep(spacingMs); // pacing the traffic, not waiting for anything
        }
      }
    }
  }

  private int consume(ConsumerSpec spec, TracedService service) {
    Map<String, Object> config = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerFixture.shared().bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, spec.name(),
        ConsumerConfig.CLIENT_ID_CONFIG, spec.name() + "-1",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    Consumer<String, String> plain = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
    Consumer<String, String> consumer = switch (spec.shape()) {
      case DEFAULT, NO_PROPAGATION -> KafkaTelemetry.create(service.sdk).wrap(plain);
      case RECEIVE_TELEMETRY -> KafkaTelemetry.builder(service.sdk).setMessagingReceiveTelemetryEnabled(true).build()
          .wrap(plain);
      case BATCH -> plain;
    };
    Instrumenter<KafkaReceiveRequest, Void> batchProcess = spec.shape() == Shape.BATCH
        ? new KafkaInstrumenterFactory(service.sdk, "io.opentelemetry.spring-kafka-2.7").createBatchProcessInstrumenter()
        : null;
    int handled = 0;
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    try (consumer) {
      consumer.subscribe(List.of(topic));
      while (handled < orders && System.nanoTime() < deadline) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
        if (batchProcess != null) {
          if (!records.isEmpty()) {
            handleBatch(spec, service, batchProcess, records);
            handled += records.count();
          }
          continue;
        }
        for (ConsumerRecord<String, String> record : records) {
          handled++;
          spec.handler().handle(service, record, handled);
        }
      }
    }
    return handled;
  }

  private static void handleBatch(ConsumerSpec spec, TracedService service,
      Instrumenter<KafkaReceiveRequest, Void> batchProcess, ConsumerRecords<String, String> records) {
    KafkaReceiveRequest request = KafkaReceiveRequest.create(records, spec.name(), spec.name() + "-1");
    Context context = batchProcess.start(Context.current(), request);
    Throwable error = null;
    try (Scope ignored = context.makeCurrent()) {
      List<ConsumerRecord<String, String>> batch = new ArrayList<>();
      records.forEach(batch::add);
      spec.batchHandler().handle(service, batch);
    } catch (RuntimeException e) {
      error = e;
    } finally {
      batchProcess.end(context, request, null, error);
    }
  }

  static String correlationId(int n) {
    return "order-" + n;
  }

  static String eventId(int n) {
    return "evt-" + n;
  }

  private static String payload(int n) {
    return "{\"eventId\":\"" + eventId(n) + "\",\"correlationId\":\"" + correlationId(n)
        + "\",\"eventName\":\"order.created\",\"payload\":{\"orderId\":\"ord-" + n + "\"}}";
  }
}
