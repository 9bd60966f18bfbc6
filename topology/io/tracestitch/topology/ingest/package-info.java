/**
 * Ingest: turns raw Kafka record values into the internal span and event records.
 *
 * <p>Everything here is pure decoding with no Kafka Streams state, so the processors that call it
 * stay thin and every rule about bad input can be tested on plain bytes. A record that cannot be
 * used is reported through {@link io.tracestitch.topology.ingest.UnusableRecordException} (whole
 * record) or {@link io.tracestitch.topology.ingest.RejectedSpan} (one span of a batch), each with a
 * {@link io.tracestitch.topology.ingest.DeadLetterReason}, so the caller can dead-letter it and keep
 * the counts adding up.
 */
package io.tracestitch.topology.ingest;
