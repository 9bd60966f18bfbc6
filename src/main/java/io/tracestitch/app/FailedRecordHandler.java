package io.tracestitch.app;

import io.tracestitch.app.RecordFailures.Stage;
import io.tracestitch.topology.ingest.DeadLetterReason;
import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;

/**
 * A processor threw on a record (or in a punctuation): a tombstone on a routing topic, a record that decodes
 * but makes no sense to the stage reading it, a bug. The record goes to the dead-letter topic with where it
 * failed and why, and the stream goes on from the next record. Under exactly-once the dead letter is part of
 * the same transaction as the offset commit, so the record is neither replayed nor lost.
 *
 * <p>What the stage had already written for the record stays written: a stage fails on a record before it
 * changes anything in the usual case (reading the record is what throws), and a half-applied record is still
 * better than a stream that stops for everyone.
 */
public final class FailedRecordHandler implements ProcessingExceptionHandler {
  private RecordFailures failures;

  @Override
  public void configure(Map<String, ?> configs) {
    failures = RecordFailures.from(configs);
  }

  @Override
  public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    boolean punctuation = record == null;
    if (RecordFailures.isInfrastructure(exception)) {
      failures.passedOn(punctuation ? Stage.PUNCTUATION : Stage.PROCESSING, context, exception);
      return Response.fail();
    }
    if (punctuation) {
      failures.failedPunctuation(context, exception);
      return Response.resume();
    }
    boolean tombstone = record.value() == null;
    String what = tombstone
        ? "The record has no value (a tombstone); tracestitch never writes one to " + context.topic()
        : context.processorNodeId() + " failed on this record";
    return Response.resume(failures.deadLetter(Stage.PROCESSING, context, context.sourceRawKey(),
        context.sourceRawValue(), context.headers(), tombstone ? DeadLetterReason.EMPTY
            : DeadLetterReason.PROCESSING_FAILURE, what, exception));
  }
}
