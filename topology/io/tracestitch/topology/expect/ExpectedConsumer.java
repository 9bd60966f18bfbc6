package io.tracestitch.topology.expect;

/**
 * A consumer that should handle an event.
 *
 * @param name the consumer group, or the service when the instrumentation names no group
 * @param consumerGroup the Kafka consumer group when known, for the offset check
 * @param deadlineMs how long after publication it must have succeeded
 * @param declared true when a contract asks for it, false when traffic taught it
 */
public record ExpectedConsumer(String name, String consumerGroup, long deadlineMs, boolean declared) {}
