package io.tracestitch.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;

/** A test's HTTP client for one instance: plain GETs on 127.0.0.1, answers as JSON or text. */
final class HttpProbe {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  record Answer(int status, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("Not JSON (status " + status + "): " + body, e);
      }
    }
  }

  private final int port;

  HttpProbe(int port) {
    this.port = port;
  }

  int port() {
    return port;
  }

  /** @param pathAndQuery encoded as it goes on the wire */
  Answer get(String pathAndQuery) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
        .timeout(Duration.ofSeconds(30)).GET().build();
    try {
      HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new AssertionError("GET " + pathAndQuery + " on port " + port + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted during GET " + pathAndQuery, e);
    }
  }

  /** Asks again until the answer satisfies the condition; the last answer when the time is up. */
  Answer await(String pathAndQuery, Predicate<Answer> condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Answer last = get(pathAndQuery);
    while (!condition.test(last) && System.nanoTime() < deadline) {
      sleep(200);
      last = get(pathAndQuery);
    }
    return last;
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted while waiting.", e);
    }
  }
}
