package io.tracestitch.http;

/** Every path the server answers, and what answers it. */
final class Endpoints {
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private Endpoints() {}

  static Routes probes(java.util.function.Supplier<HealthStatus> live,
      java.util.function.Supplier<HealthStatus> ready, java.util.function.Supplier<String> metricsText) {
    return new Routes()
        .get("/healthz", request -> answer(live.get()))
        .get("/readyz", request -> answer(ready.get()))
        .get("/metrics", request -> ApiResponse.text(200, PROMETHEUS_TEXT, metricsText.get()));
  }

  private static ApiResponse answer(HealthStatus status) {
    return ApiResponse.json(status.ok() ? 200 : 503, status.body());
  }

  /**
   * This instance's telemetry completeness per consuming service. Not gathered from the other instances: each
   * counts the workflows its own tasks published, and /metrics (summed by the scraper) is the fleet-wide view.
   */
  static ApiResponse telemetry(ApiContext context) {
    com.fasterxml.jackson.databind.node.ObjectNode body = Json.object();
    body.put("instance", context.self().host() + ":" + context.self().port());
    com.fasterxml.jackson.databind.node.ArrayNode services = body.putArray("services");
    for (var share : context.telemetryCompleteness().get()) {
      services.addObject().put("service", share.service()).put("expectedWorkflows", share.expected())
          .put("missingWorkflows", share.missing()).put("missingShare", share.missingShare());
    }
    return ApiResponse.json(200, body);
  }

  static Routes routes(ApiContext context) {
    Health health = new Health(context.streams(), context.restorations(), context.streamThreads());
    Instances instances = new Instances(context.streams(), context.self());
    LocalState local = new LocalState(context.streams(), context.settings(), context.clock(),
        context.self().host() + ":" + context.self().port());
    WorkflowApi api = new WorkflowApi(instances, new PeerClient(context.peerTimeout()), local, context.settings());
    Routes routes = new Routes()
        .get("/healthz", request -> health.live())
        .get("/readyz", request -> health.ready())
        .get("/metrics", request -> ApiResponse.text(200, PROMETHEUS_TEXT, context.metricsText().get()))
        // Before /api/workflows/{id}: "open" and "recent" are lists, not workflow ids (those are reached by ?correlationId=).
        .get("/api/workflows/open", api::open)
        .get("/api/workflows/recent", api::recent)
        .get("/api/workflows/{id}", api::workflow)
        .get("/api/workflows/{id}/nodegraph", api::nodeGraph)
        .get("/api/workflows/{id}/spans/{traceId}/{spanId}", api::span)
        .get("/api/workflows", api::byCorrelation)
        .get("/api/traces/{id}", api::trace)
        .get("/api/events/{id}", api::event)
        .get("/api/alerts", api::alerts)
        .get("/api/telemetry", request -> telemetry(context));
    return UiPages.fromClasspath().addTo(routes);
  }
}
