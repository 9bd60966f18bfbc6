package io.tracestitch.demo;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seeds' seven-service checkout, running in this JVM but talking through real Kafka topics: gateway calls
 * order, which publishes order.created; inventory, payment, loyalty, notification and analytics consume it in
 * their own consumer groups; payment publishes payment.authorized, which notification consumes. Every service
 * traces itself with its own OpenTelemetry SDK, and their spans reach the span topic as OTLP batches, the way
 * the Collector's Kafka exporter writes them.
 *
 * <p>{@link #close()} stops the customers first, then the consumers, then exports the last spans.
 */
public final class CheckoutSimulation implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CheckoutSimulation.class);
  private static final Duration ASSIGNMENT_TIMEOUT = Duration.ofSeconds(60);

  private final Deque<AutoCloseable> openedInOrder = new ArrayDeque<>();
  private final String runTag = newRunTag();
  private OrderTraffic traffic;

  private CheckoutSimulation() {}

  /**
   * Creates missing topics, starts the services, waits until every consumer group has its partitions, then lets
   * the customers in.
   *
   * @throws IllegalStateException when the cluster cannot be reached or a group gets no partitions in time
   */
  public static CheckoutSimulation start(SimulationSettings settings) {
    CheckoutSimulation simulation = new CheckoutSimulation();
    try {
      simulation.startServices(settings);
      return simulation;
    } catch (RuntimeException e) {
      simulation.close();
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      simulation.close();
      throw new IllegalStateException("Interrupted while starting the checkout simulation.", e);
    }
  }

  private void startServices(SimulationSettings settings) throws InterruptedException {
    SimulationTopics.ensure(settings);
    KafkaClients clients = new KafkaClients(settings.bootstrapServers(), settings.clientSecurity());
    CheckoutTopics topics = settings.topics();
    Faults faults = settings.faults();

    // One producer for every service's spans: the Collector that all services export to.
    KafkaProducer<byte[], byte[]> collector = opened(new KafkaProducer<>(clients.producer("checkout-collector"),
        new ByteArraySerializer(), new ByteArraySerializer()));
    KafkaSpanExporter exporter = new KafkaSpanExporter(collector, topics.spans());
    ServiceTracing gateway = tracing(GatewayService.NAME, "2.3.1", exporter, settings);
    ServiceTracing order = tracing(OrderService.NAME, "1.8.0", exporter, settings);
    ServiceTracing inventory = tracing(InventoryService.NAME, "3.0.2", exporter, settings);
    ServiceTracing payment = tracing(PaymentService.NAME, "1.12.4", exporter, settings);
    ServiceTracing loyalty = tracing(LoyaltyService.NAME, "0.9.7", exporter, settings);
    ServiceTracing notification = tracing(NotificationService.NAME, "2.0.0", exporter, settings);
    ServiceTracing analytics = tracing(AnalyticsService.NAME, "1.1.3", exporter, settings);

    EventPublisher orderEvents = opened(new EventPublisher(clients, OrderService.NAME, order.tracer()));
    EventPublisher paymentEvents = opened(new EventPublisher(clients, PaymentService.NAME, payment.tracer()));

    // Consumers close in the reverse order: notification, the most downstream, last, so it still handles the
    // payment.authorized events payment publishes while it finishes.
    List<ConsumerLoop> consumers = new ArrayList<>();
    consumers.add(new ConsumerLoop(clients, NotificationService.NAME, topics.eventTopics(),
        new NotificationService(notification.tracer(), topics.paymentAuthorized(), faults)));
    consumers.add(new ConsumerLoop(clients, InventoryService.NAME, List.of(topics.orderCreated()),
        new InventoryService(inventory.tracer(), faults)));
    PaymentService paymentService = new PaymentService(payment.tracer(), paymentEvents, topics.paymentAuthorized(),
        faults);
    consumers.add(new ConsumerLoop(clients, PaymentService.NAME, List.of(topics.orderCreated()), paymentService));
    consumers.add(new ConsumerLoop(clients, LoyaltyService.NAME, List.of(topics.orderCreated()),
        new LoyaltyService(loyalty.tracer(), faults)));
    consumers.add(new ConsumerLoop(clients, AnalyticsService.NAME, List.of(topics.orderCreated()),
        new AnalyticsService(analytics.tracer(), faults)));
    for (ConsumerLoop consumer : consumers) {
      opened(consumer).start();
    }
    for (ConsumerLoop consumer : consumers) {
      consumer.awaitAssignment(ASSIGNMENT_TIMEOUT);
    }

    GatewayService gatewayService = new GatewayService(gateway.tracer(),
        new OrderService(order.tracer(), orderEvents, topics.orderCreated(), paymentService, faults));
    traffic = opened(new OrderTraffic(gatewayService, runTag));
    traffic.start(settings.ordersPerSecond());
    log.info("The checkout simulation runs at {} order(s) per second with faults: {}; "
        + "correlation ids are order-{}-<n>.", settings.ordersPerSecond(), faults, runTag);
    faults.enabled().forEach(fault -> log.info("Fault {}: {}.", fault.cliName(), fault.description()));
  }

  /** Four base-36 characters: short enough to read in a correlation id, varied enough to tell runs apart. */
  private static String newRunTag() {
    long fourDigits = ThreadLocalRandom.current().nextLong(36L * 36 * 36, 36L * 36 * 36 * 36);
    return Long.toString(fourDigits, 36).toLowerCase(Locale.ROOT);
  }

  private ServiceTracing tracing(String service, String version, KafkaSpanExporter exporter,
      SimulationSettings settings) {
    return opened(new ServiceTracing(service, version, exporter, settings.spanExportDelay()));
  }

  private <T extends AutoCloseable> T opened(T resource) {
    openedInOrder.push(resource);
    return resource;
  }

  /** Orders placed so far. */
  public long ordersPlaced() {
    return traffic == null ? 0 : traffic.ordersPlaced();
  }

  /** The tag in this run's correlation ids ({@code order-<tag>-<n>}). */
  public String runTag() {
    return runTag;
  }

  /** Closes in the reverse order of starting: customers, consumers, publishers, tracing (last spans), the collector. */
  @Override
  public synchronized void close() {
    while (!openedInOrder.isEmpty()) {
      AutoCloseable resource = openedInOrder.pop();
      try {
        resource.close();
      } catch (Exception e) {
        log.warn("Could not close {} cleanly: {}", resource.getClass().getSimpleName(), e.toString());
      }
    }
  }
}
