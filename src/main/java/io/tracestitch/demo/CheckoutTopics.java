package io.tracestitch.demo;

import java.util.List;

/**
 * The topics of the simulated checkout.
 *
 * @param spans where the services' spans go, as the Collector's Kafka exporter would write them
 * @param orderCreated where the order service publishes order.created
 * @param paymentAuthorized where the payment service publishes payment.authorized
 */
public record CheckoutTopics(String spans, String orderCreated, String paymentAuthorized) {
  public static final String ORDER_CREATED = "order.created";
  public static final String PAYMENT_AUTHORIZED = "payment.authorized";

  public CheckoutTopics {
    for (String topic : List.of(spans, orderCreated, paymentAuthorized)) {
      if (topic == null || topic.isBlank()) {
        throw new IllegalArgumentException("Every topic of the checkout needs a name; got " + spans + ", "
            + orderCreated + ", " + paymentAuthorized + ".");
      }
    }
  }

  /** The business-event topics under their usual names, with spans on the given topic. */
  public static CheckoutTopics withSpansOn(String spans) {
    return new CheckoutTopics(spans, ORDER_CREATED, PAYMENT_AUTHORIZED);
  }

  public List<String> eventTopics() {
    return List.of(orderCreated, paymentAuthorized);
  }

  public List<String> all() {
    return List.of(spans, orderCreated, paymentAuthorized);
  }
}
