package io.tracestitch.topology.ingest;

import java.util.Objects;

/** A whole input record cannot be used; the caller dead-letters it with {@link #reason()} and the message. */
public final class UnusableRecordException extends Exception {
  private static final long serialVersionUID = 1L;

  private final DeadLetterReason reason;

  public UnusableRecordException(DeadLetterReason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public DeadLetterReason reason() {
    return reason;
  }
}
