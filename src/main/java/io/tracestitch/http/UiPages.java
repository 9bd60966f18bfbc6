package io.tracestitch.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The web view: two pages (the lists at {@code /ui/}, one workflow at {@code /ui/workflows/{id}}) and their
 * scripts and style sheet under {@code /ui/assets/}, all read from the jar ({@code ui/} on the classpath) once,
 * at start. The pages are static; their scripts ask this same server's API, which forwards to whichever
 * instance holds a workflow, so any instance shows any workflow. Nothing is fetched from elsewhere.
 *
 * <p>Everything the pages show comes from services and the network, so it is written into the page as text
 * only (the scripts build the DOM with {@code textContent}), and every response carries a Content-Security-Policy
 * that allows scripts and styles from this server only: no inline script, no {@code eval}, no inline style.
 */
final class UiPages {
  /**
   * Sent with every response of the server (for JSON they cost nothing and forbid rendering it as a page).
   * {@code style-src 'self'} forbids style attributes in markup; the scripts set styles through the CSSOM,
   * which the policy allows.
   */
  static final Map<String, String> SECURITY_HEADERS = Map.of(
      "Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
          + "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
      "X-Content-Type-Options", "nosniff",
      "Referrer-Policy", "no-referrer",
      "X-Frame-Options", "DENY");

  /** Every asset the pages load; a file under ui/assets/ that is not listed here is not served. */
  static final List<String> ASSETS = List.of("tracestitch.css", "common.js", "lists.js", "workflow.js",
      "waterfall.js", "stepgraph.js", "details.js");
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8",
      "js", "text/javascript; charset=utf-8",
      "css", "text/css; charset=utf-8");

  private final ApiResponse listsPage;
  private final ApiResponse workflowPage;
  private final Map<String, ApiResponse> assets;

  private UiPages(ApiResponse listsPage, ApiResponse workflowPage, Map<String, ApiResponse> assets) {
    this.listsPage = listsPage;
    this.workflowPage = workflowPage;
    this.assets = Map.copyOf(assets);
  }

  /**
   * Reads the pages and assets from the classpath.
   *
   * @throws IllegalStateException when one is missing: the jar was built without its resources
   */
  static UiPages fromClasspath() {
    Map<String, ApiResponse> assets = new LinkedHashMap<>();
    for (String name : ASSETS) {
      assets.put(name, resource("ui/assets/" + name));
    }
    return new UiPages(resource("ui/index.html"), resource("ui/workflow.html"), assets);
  }

  Routes addTo(Routes routes) {
    return routes
        .get("/ui", request -> listsPage)
        .get("/ui/", request -> listsPage)
        .get("/ui/workflows/{id}", request -> workflowPage)
        .get("/ui/assets/{name}", request -> asset(request.pathParam("name")));
  }

  private ApiResponse asset(String name) {
    ApiResponse found = assets.get(name);
    if (found == null) {
      throw ApiException.notFound("The web view has no asset '" + name + "'.");
    }
    return found;
  }

  private static ApiResponse resource(String path) {
    String extension = path.substring(path.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
    String type = TYPES.get(extension);
    if (type == null) {
      throw new IllegalStateException("The web view's resource " + path + " has no known content type.");
    }
    try (InputStream in = UiPages.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("The web view's resource " + path + " is not on the classpath; the jar was "
            + "built without src/main/resources/ui.");
      }
      return new ApiResponse(200, type, in.readAllBytes());
    } catch (IOException e) {
      throw new IllegalStateException("The web view's resource " + path + " could not be read: " + e.getMessage(), e);
    }
  }
}
