package io.tracestitch.demo;

/** What a customer's checkout asks for, as the gateway passes it to the order service. */
record CheckoutRequest(String correlationId, String orderId, long orderNumber, long amountCents) {}
