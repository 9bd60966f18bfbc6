package io.tracestitch.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server and its routing over real HTTP, with routes of the test's own. */
class HttpServerTest {
  private HttpServer server;
  private HttpProbe http;

  @BeforeEach
  void start() {
    server = HttpServer.bind(0);
    server.serve(new Routes()
        .get("/things/special", r -> ApiResponse.json(200, Json.object().put("special", true)))
        .get("/things/{id}", r -> ApiResponse.json(200, Json.object().put("id", r.pathParam("id"))
            .put("limit", r.intParam("limit", 5, 10)).put("forwarded", r.forwarded())))
        .get("/missing", r -> {
          throw ApiException.notFound("Nothing is here.");
        })
        .get("/moving", r -> {
          throw new InvalidStateStoreException("the store moved");
        })
        .get("/broken", r -> {
          throw new IllegalStateException("a bug");
        }));
    http = new HttpProbe(server.port());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void shouldDecodeEachPathSegmentSoAnIdMayHoldASlashOrASpace() {
    HttpProbe.Answer answer = http.get("/things/order%2F7%20b?limit=7&forwarded=true");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().path("id").asText()).isEqualTo("order/7 b");
    assertThat(answer.json().path("limit").asInt()).isEqualTo(7);
    assertThat(answer.json().path("forwarded").asBoolean()).isTrue();
    assertThat(http.get("/things/special").json().path("special").asBoolean()).as("the earlier route wins").isTrue();
  }

  @Test
  void shouldAnswerEveryFailureAsJsonWithItsStatus() throws Exception {
    assertThat(http.get("/missing")).isEqualTo(new HttpProbe.Answer(404, "{\"error\":\"Nothing is here.\"}"));
    assertThat(http.get("/moving").status()).isEqualTo(503);
    assertThat(http.get("/moving").json().path("error").asText()).contains("the store moved").contains("try again");
    assertThat(http.get("/broken").status()).isEqualTo(500);
    assertThat(http.get("/broken").json().path("error").asText()).contains("IllegalStateException");
    assertThat(http.get("/things/x?limit=11").status()).isEqualTo(400);
    assertThat(http.get("/elsewhere").json().path("error").asText()).isEqualTo(
        "There is no endpoint /elsewhere; see docs/http-api.md for the ones there are.");

    HttpResponse<String> post = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.port() + "/things/x")).POST(HttpRequest.BodyPublishers.noBody())
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Content-Type")).hasValue("application/json");
  }

  @Test
  void shouldSayWhichPortIsTakenWhenItCannotListen() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      assertThatThrownBy(() -> HttpServer.bind(taken.getLocalPort()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("port " + taken.getLocalPort()).hasMessageContaining("http.port");
    }
  }
}
