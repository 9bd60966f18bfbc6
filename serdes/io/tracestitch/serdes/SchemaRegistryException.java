package io.tracestitch.serdes;

/**
 * The schema registry refused a request or could not be reached. The message names the URL, the
 * HTTP status and the registry's own explanation.
 */
public final class SchemaRegistryException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Confluent's code for "subject not found". */
  public static final int SUBJECT_NOT_FOUND = 40401;
  /** Confluent's code for "schema not found". */
  public static final int SCHEMA_NOT_FOUND = 40403;

  private final int status;
  private final int errorCode;

  SchemaRegistryException(String message, int status, int errorCode, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.errorCode = errorCode;
  }

  /** The HTTP status, or 0 when no answer came. */
  public int status() {
    return status;
  }

  /** The registry's {@code error_code} (e.g. 40401), or 0 when it gave none. */
  public int errorCode() {
    return errorCode;
  }
}
