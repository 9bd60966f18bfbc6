package io.tracestitch.app;

import io.tracestitch.topology.StitchCounters;
import io.tracestitch.topology.ingest.DeadLetterReason;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record too large for the producer or the topic is dropped, counted and explained, instead of stopping
 * the stream. Graphs are measured before the send ({@link GraphSizeLimit}), which matters under exactly-once:
 * a record the broker rejects leaves the transaction in error, and the stream thread is replaced anyway. Kafka Streams' default would fail the thread, and because the same workflow is published again
 * after the restart, one very large workflow would stop stitching for everyone until someone changed a
 * setting. Every other send error still fails as before.
 */
public final class OversizedRecordHandler implements ProductionExceptionHandler {
  /** The setting under which the application hands its counters to this handler (Kafka Streams creates it). */
  public static final String COUNTERS_CONFIG = "tracestitch.internal.counters";

  private static final Logger log = LoggerFactory.getLogger(OversizedRecordHandler.class);
  private StitchCounters counters;
  private RecordFailures failures;

  @Override
  public void configure(Map<String, ?> configs) {
    Object given = configs.get(COUNTERS_CONFIG);
    counters = given instanceof StitchCounters c ? c : null;
    failures = configs.get(RecordFailures.CONFIG) instanceof RecordFailures f ? f : null;
  }

  /**
   * A graph over its topic's limit, refused before the send (the usual case: see {@link GraphSizeLimit}), is
   * dropped and counted. Any other record that cannot be serialized was made by a stage from a record it could
   * not really use (nothing has been sent yet, so even under exactly-once the transaction is sound): the source
   * record goes to the dead-letter topic, as for a processor that threw, instead of failing the thread on it
   * again after every restart.
   */
  @Override
  public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
      SerializationExceptionOrigin origin) {
    if (exception instanceof GraphSizeLimit.TooLarge) {
      drop(record.topic(), record.key() == null ? "none" : record.key().toString(), exception);
      return Response.resume();
    }
    if (failures == null || RecordFailures.isInfrastructure(exception)) {
      return Response.fail();
    }
    return Response.resume(failures.deadLetter(RecordFailures.Stage.PRODUCTION, context, context.sourceRawKey(),
        context.sourceRawValue(), context.headers(), DeadLetterReason.PROCESSING_FAILURE, "The " + origin.name()
            .toLowerCase(java.util.Locale.ROOT) + " of the record " + context.processorNodeId() + " made from it for '"
            + record.topic() + "' could not be serialized", exception));
  }

  /**
   * A record the producer or the broker refused after all (another output than the graphs, or a limit lowered
   * since start-up). Under at-least-once dropping it is enough; under exactly-once the transaction is already in
   * error and the stream thread is replaced anyway, so this only explains why.
   */
  @Override
  public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
      Exception exception) {
    if (!(exception instanceof RecordTooLargeException)) {
      return Response.fail();
    }
    drop(record.topic(), record.key() == null ? "none"
        : new String(record.key(), java.nio.charset.StandardCharsets.UTF_8), exception);
    return Response.resume();
  }

  private void drop(String topic, String key, Exception exception) {
    log.error("Dropped a record for topic '{}' (key {}): {} Raise the topic's max.message.bytes and "
        + "producer.max.request.size together, or lower workflow.max.spans so that graphs stay smaller.", topic, key,
        exception.getMessage());
    if (counters != null) {
      counters.add("records.too_large", 1);
    }
  }
}
