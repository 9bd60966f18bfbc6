package io.tracestitch.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The web view's pages and assets as the server sends them, and the rules their source keeps. */
class UiPagesTest {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static final Path ASSETS = Path.of("src/main/resources/ui/assets");
  private HttpServer server;

  @BeforeEach
  void start() {
    server = HttpServer.bind(0);
    server.serve(UiPages.fromClasspath().addTo(new Routes()
        .get("/api/thing", r -> ApiResponse.json(200, Json.object().put("thing", true)))));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void everyPageAndAssetComesFromTheJarWithAStrictContentSecurityPolicy() throws Exception {
    for (String path : List.of("/ui", "/ui/", "/ui/workflows/order%2F7", "/ui/assets/workflow.js",
        "/ui/assets/tracestitch.css", "/api/thing")) {
      HttpResponse<String> answer = get(path);
      assertThat(answer.statusCode()).as(path).isEqualTo(200);
      String policy = answer.headers().firstValue("Content-Security-Policy").orElse("");
      assertThat(policy).as(path).contains("default-src 'none'", "script-src 'self'", "style-src 'self'",
          "connect-src 'self'", "frame-ancestors 'none'").doesNotContain("unsafe", "http:", "https:", "*");
      assertThat(answer.headers().firstValue("X-Content-Type-Options")).as(path).contains("nosniff");
    }
    assertThat(get("/ui/").body()).contains("<title>tracestitch: workflows</title>");
    assertThat(get("/ui/workflows/anything").body()).contains("/ui/assets/workflow.js");
    assertThat(get("/ui/assets/workflow.js").headers().firstValue("Content-Type"))
        .contains("text/javascript; charset=utf-8");
    assertThat(get("/ui/assets/tracestitch.css").headers().firstValue("Content-Type"))
        .contains("text/css; charset=utf-8");
  }

  @Test
  void onlyTheListedAssetsAreServedAndEveryAssetIsListed() throws Exception {
    assertThat(get("/ui/assets/nothing.js").statusCode()).isEqualTo(404);
    assertThat(get("/ui/assets/..%2Findex.html").statusCode()).isEqualTo(404);
    assertThat(get("/ui/assets/..%2F..%2Flogback.xml").statusCode()).isEqualTo(404);
    try (Stream<Path> files = Files.list(ASSETS)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList())
          .containsExactlyInAnyOrderElementsOf(UiPages.ASSETS);
    }
  }

  @Test
  void thePagesHaveNoInlineScriptOrStyleAndTheScriptsNeverWriteMarkup() throws IOException {
    for (String page : List.of("src/main/resources/ui/index.html", "src/main/resources/ui/workflow.html")) {
      String html = Files.readString(Path.of(page));
      assertThat(Pattern.compile("<script(?![^>]*\\bsrc=)").matcher(html).find()).as("inline script in " + page)
          .isFalse();
      assertThat(Pattern.compile("\\s(style|on[a-z]+)=").matcher(html).find()).as("inline style or handler in "
          + page).isFalse();
      assertThat(html).doesNotContain("<style");
    }
    try (Stream<Path> files = Files.list(ASSETS)) {
      for (Path script : files.filter(p -> p.toString().endsWith(".js")).toList()) {
        String code = Files.readString(script);
        for (String sink : List.of("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
            "new Function", "setAttribute('on", "srcdoc")) {
          assertThat(code).as(script + " uses " + sink).doesNotContain(sink);
        }
      }
    }
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
