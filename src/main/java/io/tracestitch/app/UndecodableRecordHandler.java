package io.tracestitch.app;

import io.tracestitch.app.RecordFailures.Stage;
import io.tracestitch.topology.ingest.DeadLetterReason;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/**
 * A record of a routing topic (by-trace, by-workflow, findings) that does not decode as the record tracestitch
 * writes there: garbage from a topic tool, a record kind this release does not know, a schema it never shipped.
 * It goes to the dead-letter topic unchanged and the stream goes on (the input topics are read as bytes, so
 * their records never fail here; their decoders dead-letter them with a finer reason).
 */
public final class UndecodableRecordHandler implements DeserializationExceptionHandler {
  private RecordFailures failures;

  @Override
  public void configure(Map<String, ?> configs) {
    failures = RecordFailures.from(configs);
  }

  @Override
  public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
      Exception exception) {
    return Response.resume(failures.deadLetter(Stage.DESERIALIZATION, context, record.key(), record.value(),
        record.headers(), DeadLetterReason.UNDECODABLE, "The record on " + record.topic()
            + " is not a record tracestitch writes there (written by another tool or a newer release?)", exception));
  }
}
