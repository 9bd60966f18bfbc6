package io.tracestitch.app;

import io.tracestitch.topology.StitchCounters;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record too large for the producer or the topic is dropped, counted and explained, instead of stopping
 * the stream. Kafka Streams' default would fail the thread, and because the same workflow is published again
 * after the restart, one very large workflow would stop stitching for everyone until someone changed a
 * setting. Every other send error still fails as before.
 */
public final class OversizedRecordHandler implements ProductionExceptionHandler {
  /** The setting under which the application hands its counters to this handler (Kafka Streams creates it). */
  public static final String COUNTERS_CONFIG = "tracestitch.internal.counters";

  private static final Logger log = LoggerFactory.getLogger(OversizedRecordHandler.class);
  private StitchCounters counters;

  @Override
  public void configure(Map<String, ?> configs) {
    Object given = configs.get(COUNTERS_CONFIG);
    counters = given instanceof StitchCounters c ? c : null;
  }

  @Override
  public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
      Exception exception) {
    if (!(exception instanceof RecordTooLargeException)) {
      return Response.fail();
    }
    int bytes = (record.key() == null ? 0 : record.key().length) + (record.value() == null ? 0 : record.value().length);
    log.error("Dropped a {}-byte record for topic '{}' (key {}): it is larger than the producer's max.request.size "
        + "or the topic's max.message.bytes allow ({}). Raise both (producer.max.request.size and the topic's "
        + "max.message.bytes), or lower workflow.max.spans so that graphs stay smaller.", bytes, record.topic(),
        record.key() == null ? "none" : new String(record.key(), java.nio.charset.StandardCharsets.UTF_8),
        exception.getMessage());
    if (counters != null) {
      counters.add("records.too_large", 1);
    }
    return Response.resume();
  }
}
