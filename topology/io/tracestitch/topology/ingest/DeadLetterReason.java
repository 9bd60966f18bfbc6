package io.tracestitch.topology.ingest;

/** Why a record (or one span of a batch) could not be used; written to the dead-letter topic's headers. */
public enum DeadLetterReason {
  /** The bytes are not in the expected encoding at all (not protobuf, not JSON, wrong message type). */
  UNDECODABLE,
  /** An id is present but malformed: wrong length, not hex, or all zeros. */
  INVALID_ID,
  /** A span has no trace id or no span id at all. */
  MISSING_ID,
  /** A span's start/end time is zero, reversed, or outside the years 2000..2200. */
  ABSURD_TIMESTAMP,
  /** An identity value (correlation id, event id) is too long to be a key; cutting it could merge workflows. */
  TOO_LARGE,
  /** A business event carries neither a correlation id nor a usable trace id, so it cannot join any workflow. */
  NO_CORRELATION,
  /** The record value is null or empty, or holds no spans. */
  EMPTY,
  /** The decoder itself failed unexpectedly on this record: a bug worth reporting; the record is kept, not lost. */
  DECODER_FAILURE,
  /**
   * A later stage failed on this record (a routing record it cannot use, or a bug): Kafka Streams' processing or
   * production exception handler caught it, and the record is kept here instead of stopping the stream.
   */
  PROCESSING_FAILURE;
}
