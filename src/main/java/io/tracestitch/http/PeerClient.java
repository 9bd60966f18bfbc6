package io.tracestitch.http;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.streams.state.HostInfo;

/** Plain HTTP GETs to the other instances' APIs (their {@code application.server}), with one timeout. */
final class PeerClient {
  private final HttpClient client;
  private final Duration timeout;

  PeerClient(Duration timeout) {
    this.timeout = timeout;
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
  }

  /**
   * The other instance's answer, whatever its status.
   *
   * @param pathAndQuery already encoded, e.g. {@code /api/workflows/order-1?forwarded=true}
   * @throws ApiException 502 when it cannot be reached or does not answer in time
   */
  ApiResponse get(HostInfo host, String pathAndQuery) {
    try {
      return getAsync(host, pathAndQuery).join();
    } catch (CompletionException e) {
      throw (ApiException) e.getCause();
    }
  }

  /** As {@link #get}, without waiting; fails with the same {@link ApiException}. */
  CompletableFuture<ApiResponse> getAsync(HostInfo host, String pathAndQuery) {
    String hostPart = host.host().contains(":") && !host.host().startsWith("[") ? "[" + host.host() + "]" : host.host();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + hostPart + ":" + host.port() + pathAndQuery))
        .timeout(timeout).header("Accept", ApiResponse.JSON).GET().build();
    return client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .handle((response, failure) -> {
          if (failure != null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
            throw ApiException.badGateway("The instance at " + host.host() + ":" + host.port()
                + " could not be asked (" + cause + "; the limit is http.peer.timeout.ms=" + timeout.toMillis()
                + "); without its part there is no answer.", cause);
          }
          return new ApiResponse(response.statusCode(),
              response.headers().firstValue("Content-Type").orElse(ApiResponse.JSON), response.body());
        });
  }

  /** One path segment, percent-encoded (so an id with '/' or spaces stays one segment). */
  static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String queryValue(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
