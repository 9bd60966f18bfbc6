package io.tracestitch.delivery;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;

/**
 * Posts JSON to one target with the JDK's HTTP client (HTTP/1.1, which every Alertmanager and the Events API
 * speak) and classifies the answer. Blocks for at most the request timeout; never throws for what the network or
 * the target does.
 */
final class TargetClient {
  private final HttpClient http;
  private final URI uri;
  private final Duration timeout;
  private final Clock clock;

  TargetClient(URI uri, Duration timeout, Clock clock) {
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER).build();
    this.uri = uri;
    this.timeout = timeout;
    this.clock = clock;
  }

  URI uri() {
    return uri;
  }

  TargetAnswer post(byte[] json) {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
        .header("Content-Type", "application/json").header("User-Agent", "tracestitch-delivery")
        .POST(HttpRequest.BodyPublishers.ofByteArray(json)).build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return TargetAnswer.of(response.statusCode(), response.body(),
          response.headers().firstValue("Retry-After").orElse(null), clock.instant());
    } catch (IOException e) {
      return TargetAnswer.unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return TargetAnswer.unreachable(new IOException("interrupted while waiting for the answer", e));
    }
  }
}
