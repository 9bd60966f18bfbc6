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
        .get("/api/alerts", api::alerts);
    return UiPages.fromClasspath().addTo(routes);
  }
}
