package io.tracestitch.demo;

/** A business step failed; the cause is what the step's span recorded, and what its caller records in turn. */
final class StepFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  StepFailedException(String step, Throwable cause) {
    super("The step '" + step + "' failed: " + cause.getMessage(), cause);
  }
}
