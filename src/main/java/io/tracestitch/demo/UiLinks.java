package io.tracestitch.demo;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Where the demo's web view is (this process's HTTP server, {@code http.port}), as the lines the demo prints:
 * the start page once, and the page of the first workflow it prints. Lines start with {@code UI}, so scripts
 * reading WORKFLOW and ALERT lines can tell them apart.
 */
public final class UiLinks {
  private final String base;

  private UiLinks(String base) {
    this.base = base;
  }

  /** The web view of a server listening on this machine's port. */
  public static UiLinks onLocalPort(int port) {
    return new UiLinks("http://localhost:" + port);
  }

  public String home() {
    return base + "/ui/";
  }

  public String workflow(String workflowId) {
    return base + "/ui/workflows/" + URLEncoder.encode(workflowId, StandardCharsets.UTF_8).replace("+", "%20");
  }

  public String homeLine() {
    return "UI " + home() + " shows open workflows, firing alerts and recent workflows; search by correlation, trace "
        + "or event id";
  }

  public String workflowLine(String workflowId) {
    return "UI " + workflow(workflowId) + " shows the first workflow above: waterfall, business steps, branches";
  }
}
