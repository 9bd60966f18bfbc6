package io.tracestitch.http;

/**
 * A request that cannot be answered, with the HTTP status and the sentence the caller reads in
 * {@code {"error": ...}}. Thrown anywhere below a route; {@link Routes} turns it into the response.
 */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;

  ApiException(int status, String sentence) {
    super(sentence);
    this.status = status;
  }

  ApiException(int status, String sentence, Throwable cause) {
    super(sentence, cause);
    this.status = status;
  }

  static ApiException badRequest(String sentence) {
    return new ApiException(400, sentence);
  }

  static ApiException notFound(String sentence) {
    return new ApiException(404, sentence);
  }

  /** The answer exists but this instance cannot read it right now (rebalance, restoration): retry. */
  static ApiException unavailable(String sentence) {
    return new ApiException(503, sentence);
  }

  /** Another instance that had to take part did not answer. */
  static ApiException badGateway(String sentence, Throwable cause) {
    return new ApiException(502, sentence, cause);
  }

  int status() {
    return status;
  }
}
