package io.tracestitch.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;

/**
 * A business event of the checkout in the flat JSON envelope the services share
 * ({@code {"eventId", "correlationId", "eventName", ...}}), followed by the order's own fields.
 *
 * @param orderNumber the order's sequence number in this run; the simulated faults pick their orders by it
 */
record OrderEvent(String eventId, String correlationId, String eventName, String orderId, long orderNumber,
    long amountCents) {
  static final String ORDER_CREATED = "order.created";
  static final String PAYMENT_AUTHORIZED = "payment.authorized";

  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  static OrderEvent orderCreated(CheckoutRequest request) {
    return new OrderEvent(newEventId(), request.correlationId(), ORDER_CREATED, request.orderId(),
        request.orderNumber(), request.amountCents());
  }

  OrderEvent paymentAuthorized() {
    return new OrderEvent(newEventId(), correlationId, PAYMENT_AUTHORIZED, orderId, orderNumber, amountCents);
  }

  byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write the " + eventName + " event " + eventId + " as JSON.", e);
    }
  }

  /**
   * @throws IllegalArgumentException when the payload is not an event of the checkout
   */
  static OrderEvent fromJson(byte[] payload) {
    try {
      OrderEvent event = JSON.readValue(payload, OrderEvent.class);
      if (event.eventId() == null || event.correlationId() == null) {
        throw new IllegalArgumentException(
            "The payload has no eventId or no correlationId, so it is not a checkout event.");
      }
      return event;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("The payload is not a checkout event in JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read the payload.", e);
    }
  }

  private static String newEventId() {
    return "evt-" + UUID.randomUUID();
  }
}
