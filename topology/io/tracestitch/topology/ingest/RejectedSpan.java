package io.tracestitch.topology.ingest;

import java.util.Objects;

/**
 * One span of a batch that could not be used, while the rest of the batch could.
 *
 * @param request a one-span {@code ExportTraceServiceRequest} (with the span's resource and scope) in the
 *     same encoding as the input, so a dead-letter reader decodes it like any span record
 */
public record RejectedSpan(DeadLetterReason reason, String message, byte[] request) {
  public RejectedSpan {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(request, "request");
  }

  @Override
  public String toString() {
    return "RejectedSpan[" + reason + ": " + message + " (" + request.length + " bytes)]";
  }
}
