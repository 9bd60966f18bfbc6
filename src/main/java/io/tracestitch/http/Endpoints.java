package io.tracestitch.http;

/** Every path the server answers, and what answers it. */
final class Endpoints {
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private Endpoints() {}

  static Routes routes(ApiContext context) {
    Health health = new Health(context.streams(), context.restorations(), context.streamThreads());
    Instances instances = new Instances(context.streams(), context.self());
    LocalState local = new LocalState(context.streams(), context.settings(), context.clock(),
        context.self().host() + ":" + context.self().port());
    WorkflowApi api = new WorkflowApi(instances, new PeerClient(context.peerTimeout()), local, context.settings());
    return new Routes()
        .get("/healthz", request -> health.live())
        .get("/readyz", request -> health.ready())
        .get("/metrics", request -> ApiResponse.text(200, PROMETHEUS_TEXT, context.metricsText().get()))
        // Before /api/workflows/{id}: "open" is this list, not a workflow id (that one is reached by ?correlationId=).
        .get("/api/workflows/open", api::open)
        .get("/api/workflows/{id}", api::workflow)
        .get("/api/workflows", api::byCorrelation)
        .get("/api/traces/{id}", api::trace)
        .get("/api/events/{id}", api::event)
        .get("/api/alerts", api::alerts);
  }
}
