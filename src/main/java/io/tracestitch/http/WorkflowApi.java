package io.tracestitch.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.api.trace.TraceId;
import io.tracestitch.avro.WorkflowStatus;
import io.tracestitch.avro.internal.TraceState;
import io.tracestitch.avro.internal.WorkflowKind;
import io.tracestitch.topology.StitchSettings;
import io.tracestitch.topology.WorkflowIds;
import io.tracestitch.topology.trace.TraceView;
import io.tracestitch.topology.workflow.WorkflowStitcher;
import io.tracestitch.topology.workflow.WorkflowView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The read-only workflow API. A key (workflow, trace) is answered by the instance whose active task
 * holds it: asked elsewhere, the request is forwarded there once with {@code forwarded=true}, which
 * means "answer from your own state only". A list is gathered from every instance (each asked with
 * {@code forwarded=true}, so none fans out again), checked to cover every partition, merged, and cut
 * to its limit once.
 */
final class WorkflowApi {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;
  /** Merges are decided order-independently, so pointers never cycle; a long chain means a bug, not data. */
  private static final int MAX_MERGE_HOPS = 8;
  /** How many recently active workflows an instance assembles per entry asked for, to find those of a status. */
  static final int RECENT_EXAMINED_PER_LIMIT = 10;

  private final Instances instances;
  private final PeerClient peers;
  private final LocalState local;
  private final StitchSettings settings;

  WorkflowApi(Instances instances, PeerClient peers, LocalState local, StitchSettings settings) {
    this.instances = instances;
    this.peers = peers;
    this.local = local;
    this.settings = settings;
  }

  /** {@code GET /api/workflows/{id}}: the workflow with its graph; a merged-away id answers as the one it joined. */
  ApiResponse workflow(ApiRequest request) {
    ObjectNode workflow = workflowView(request);
    if (Boolean.parseBoolean(request.query().get("nodegraph"))) {
      // The web view draws the steps from the frames Grafana gets; one assembly serves both.
      workflow.set("nodegraph", NodeGraphFrames.of(workflow));
    }
    return ApiResponse.json(200, workflow);
  }

  /** {@code GET /api/workflows/{id}/nodegraph}: the workflow's business steps as Grafana node-graph frames. */
  ApiResponse nodeGraph(ApiRequest request) {
    return ApiResponse.json(200, NodeGraphFrames.of(workflowView(request)));
  }

  private ObjectNode workflowView(ApiRequest request) {
    String workflowId = request.pathParam("id");
    return request.forwarded() ? workflowHere(workflowId) : resolve(workflowId);
  }

  /** {@code GET /api/workflows?correlationId=}: the workflow of that correlation id, as a list of zero or one. */
  ApiResponse byCorrelation(ApiRequest request) {
    String correlationId = request.query().get("correlationId");
    if (correlationId == null || correlationId.isBlank()) {
      throw ApiException.badRequest("Name the correlation id: /api/workflows?correlationId=order-1 (the unfinished "
          + "workflows are listed by /api/workflows/open).");
    }
    ObjectNode body = Json.object();
    ArrayNode workflows = body.putArray("workflows");
    if (correlationId.startsWith(WorkflowIds.TRACE_PREFIX)) {
      return ApiResponse.json(200, body); // Those ids name trace-derived workflows, which have no correlation id.
    }
    try {
      ObjectNode workflow = request.forwarded() ? workflowHere(correlationId) : resolve(correlationId);
      if (WorkflowKind.CORRELATION.name().equals(workflow.path("kind").asText())) {
        workflows.add(workflow);
      }
    } catch (ApiException e) {
      if (e.status() != 404) {
        throw e;
      }
    }
    return ApiResponse.json(200, body);
  }

  /** {@code GET /api/traces/{traceId}}: the workflow the trace belongs to. */
  ApiResponse trace(ApiRequest request) {
    String traceId = traceId(request.pathParam("id"));
    Instances.Location at = instances.locate(TraceView.STATE_STORE, traceId, "trace " + traceId);
    if (!at.local()) {
      if (request.forwarded()) {
        throw movedHere("trace " + traceId, at.host());
      }
      return relay(peers.get(at.host(), "/api/traces/" + traceId + "?" + ApiRequest.FORWARDED + "=true"));
    }
    TraceState state = local.traceState(traceId, at.partition()).orElseThrow(() -> ApiException.notFound(
        "No trace " + traceId + " is known: it was never seen, or it left the stores after workflow.retention.ms."));
    if (state.getWorkflowId() == null) {
      throw ApiException.notFound("The trace " + traceId + " is known but not yet part of a workflow: it is held "
          + "for up to trace.hold.ms until its workflow is known. Try again shortly.");
    }
    // Another key, possibly on another instance: forwarding it once more cannot loop.
    ObjectNode workflow = resolve(state.getWorkflowId());
    return ApiResponse.json(200, workflow);
  }

  /** {@code GET /api/events/{eventId}}: the workflow storing the event, wherever it is. */
  ApiResponse event(ApiRequest request) {
    String eventId = request.pathParam("id");
    if (request.forwarded()) {
      return eventHere(eventId);
    }
    Set<Integer> covered = new TreeSet<>();
    for (Answer answer : askAll("/api/events/" + PeerClient.segment(eventId), () -> eventHere(eventId))) {
      if (answer.response().ok()) {
        return answer.response();
      }
      if (answer.response().status() != 404) {
        throw fromPeer(answer);
      }
      answer.response().bodyJson().path("partitions").forEach(p -> covered.add(p.asInt()));
    }
    instances.requireCovered(settings.byWorkflowTopic(), covered, "workflows");
    throw ApiException.notFound("No stored workflow holds the event '" + eventId + "': it was never seen, or its "
        + "workflow left the stores after workflow.retention.ms.");
  }

  /** {@code GET /api/workflows/open?limit=N}: the N oldest unfinished workflows of all instances. */
  ApiResponse open(ApiRequest request) {
    int limit = request.intParam("limit", DEFAULT_LIMIT, MAX_LIMIT);
    if (request.forwarded()) {
      return scanAnswer("workflows", local.openWorkflows(limit));
    }
    List<JsonNode> all = gather("/api/workflows/open?limit=" + limit, () -> scanAnswer("workflows",
        local.openWorkflows(limit)), "workflows", settings.byWorkflowTopic(), "open workflows");
    all.sort(Comparator.comparingLong((JsonNode w) -> w.path("firstSeenMs").asLong())
        .thenComparing(w -> w.path("workflowId").asText()));
    return listAnswer("workflows", all, limit);
  }

  /**
   * {@code GET /api/workflows/recent?status=S&limit=N}: the N most recently active workflows of all instances
   * whose graph has that status (any when absent), newest first; each instance assembles at most
   * {@link #RECENT_EXAMINED_PER_LIMIT} × N of its most recently active ones to find them.
   */
  ApiResponse recent(ApiRequest request) {
    int limit = request.intParam("limit", DEFAULT_LIMIT, MAX_LIMIT);
    String status = status(request.query().get("status"));
    int examine = limit * RECENT_EXAMINED_PER_LIMIT;
    Supplier<ApiResponse> here = () -> scanAnswer("workflows", local.recentWorkflows(status, limit, examine));
    if (request.forwarded()) {
      return here.get();
    }
    List<JsonNode> all = gather("/api/workflows/recent?limit=" + limit + (status == null ? "" : "&status=" + status),
        here, "workflows", settings.byWorkflowTopic(), "recent workflows");
    all.sort(Comparator.comparingLong((JsonNode w) -> -w.path("lastActivityMs").asLong())
        .thenComparing(w -> w.path("workflowId").asText()));
    return listAnswer("workflows", all, limit);
  }

  /**
   * {@code GET /api/workflows/{id}/spans/{traceId}/{spanId}}: one stored span of the workflow, with the
   * attributes kept for it; a merged-away id answers from the workflow it joined.
   */
  ApiResponse span(ApiRequest request) {
    String workflowId = request.pathParam("id");
    String traceId = traceId(request.pathParam("traceId"));
    String spanId = request.pathParam("spanId").trim().toLowerCase(Locale.ROOT);
    String query = "?" + ApiRequest.FORWARDED + "=true";
    String current = workflowId;
    for (int hop = 0; hop < MAX_MERGE_HOPS; hop++) {
      Instances.Location at = instances.locate(WorkflowView.SUMMARY_STORE, current, workflowName(current));
      ObjectNode found;
      if (at.local()) {
        String asked = current;
        found = local.span(current, at.partition(), traceId, spanId).orElseThrow(() -> ApiException.notFound(
            "The workflow '" + asked + "' stores no span " + spanId + " of trace " + traceId + "."));
      } else if (request.forwarded()) {
        throw movedHere(workflowName(current), at.host());
      } else {
        found = (ObjectNode) relay(peers.get(at.host(), "/api/workflows/" + PeerClient.segment(current) + "/spans/"
            + traceId + "/" + PeerClient.segment(spanId) + query)).bodyJson();
      }
      JsonNode into = found.get("mergedInto");
      if (into == null || into.isNull() || request.forwarded()) {
        return ApiResponse.json(200, found);
      }
      current = into.asText();
    }
    throw new IllegalStateException("The workflow '" + workflowId + "' leads through more than " + MAX_MERGE_HOPS
        + " merge pointers; the merge records are inconsistent.");
  }

  /** {@code GET /api/alerts?limit=N}: the alerts firing now on any instance, most recently seen first. */
  ApiResponse alerts(ApiRequest request) {
    int limit = request.intParam("limit", DEFAULT_LIMIT, MAX_LIMIT);
    if (request.forwarded()) {
      return scanAnswer("alerts", local.firingAlerts(limit));
    }
    List<JsonNode> all = gather("/api/alerts?limit=" + limit, () -> scanAnswer("alerts", local.firingAlerts(limit)),
        "alerts", settings.findingsTopic(), "alerts");
    all.sort(Comparator.comparingLong((JsonNode a) -> -a.path("lastSeenMs").asLong())
        .thenComparing(a -> a.path("dedupKey").asText()));
    return listAnswer("alerts", all, limit);
  }

  /** Follows merge pointers, asking whichever instance holds each id. */
  private ObjectNode resolve(String workflowId) {
    String current = workflowId;
    for (int hop = 0; hop < MAX_MERGE_HOPS; hop++) {
      Instances.Location at = instances.locate(WorkflowView.SUMMARY_STORE, current, workflowName(current));
      ObjectNode found = at.local() ? workflowAt(current, at.partition())
          : (ObjectNode) relay(peers.get(at.host(), "/api/workflows/" + PeerClient.segment(current) + "?"
              + ApiRequest.FORWARDED + "=true")).bodyJson();
      JsonNode into = found.get("mergedInto");
      if (into == null || into.isNull()) {
        return found;
      }
      current = into.asText();
    }
    throw new IllegalStateException("The workflow '" + workflowId + "' leads through more than " + MAX_MERGE_HOPS
        + " merge pointers; the merge records are inconsistent.");
  }

  /** This instance's own answer for a workflow: its view, or its merge pointer. */
  private ObjectNode workflowHere(String workflowId) {
    Instances.Location at = instances.locate(WorkflowView.SUMMARY_STORE, workflowId, workflowName(workflowId));
    if (!at.local()) {
      throw movedHere(workflowName(workflowId), at.host());
    }
    return workflowAt(workflowId, at.partition());
  }

  private ObjectNode workflowAt(String workflowId, int partition) {
    return local.workflow(workflowId, partition).orElseThrow(() -> ApiException.notFound("No workflow '" + workflowId
        + "' is stored: it was never seen, or it left the stores after workflow.retention.ms."));
  }

  private ApiResponse eventHere(String eventId) {
    LocalState.Scan<String> scan = local.workflowOfEvent(eventId);
    if (scan.found().isEmpty()) {
      ObjectNode body = Json.object()
          .put("error", "This instance stores no workflow holding the event '" + eventId + "'.");
      ArrayNode partitions = body.putArray("partitions");
      scan.partitions().forEach(partitions::add);
      return ApiResponse.json(404, body);
    }
    return ApiResponse.json(200, resolve(scan.found().get(0)));
  }

  /** Asks every instance (this one without HTTP) with forwarded=true and checks they covered every partition. */
  private List<JsonNode> gather(String pathAndQuery, Supplier<ApiResponse> here, String field, String topic,
      String what) {
    List<JsonNode> all = new ArrayList<>();
    Set<Integer> covered = new TreeSet<>();
    for (Answer answer : askAll(pathAndQuery, here)) {
      if (!answer.response().ok()) {
        throw fromPeer(answer);
      }
      JsonNode body = answer.response().bodyJson();
      body.path(field).forEach(all::add);
      body.path("partitions").forEach(p -> covered.add(p.asInt()));
    }
    instances.requireCovered(topic, covered, what);
    return all;
  }

  private List<Answer> askAll(String pathAndQuery, Supplier<ApiResponse> here) {
    String forwarded = pathAndQuery + (pathAndQuery.contains("?") ? "&" : "?") + ApiRequest.FORWARDED + "=true";
    List<HostInfo> hosts = instances.all();
    Map<HostInfo, CompletableFuture<ApiResponse>> pending = new LinkedHashMap<>();
    for (HostInfo host : hosts) {
      if (!host.equals(instances.self())) {
        pending.put(host, peers.getAsync(host, forwarded));
      }
    }
    List<Answer> answers = new ArrayList<>();
    if (hosts.contains(instances.self())) {
      answers.add(new Answer(instances.self(), here.get())); // Meanwhile the others are working on theirs.
    }
    for (Map.Entry<HostInfo, CompletableFuture<ApiResponse>> entry : pending.entrySet()) {
      try {
        answers.add(new Answer(entry.getKey(), entry.getValue().join()));
      } catch (CompletionException e) {
        throw (ApiException) e.getCause();
      }
    }
    return answers;
  }

  private static ApiResponse scanAnswer(String field, LocalState.Scan<ObjectNode> scan) {
    ObjectNode body = Json.object();
    ArrayNode items = body.putArray(field);
    scan.found().forEach(items::add);
    ArrayNode partitions = body.putArray("partitions");
    scan.partitions().forEach(partitions::add);
    return ApiResponse.json(200, body);
  }

  private ApiResponse listAnswer(String field, List<JsonNode> all, int limit) {
    ObjectNode body = Json.object().put("limit", limit);
    ArrayNode items = body.putArray(field);
    all.subList(0, Math.min(limit, all.size())).forEach(items::add);
    ArrayNode asked = body.putArray("instances");
    instances.all().forEach(h -> asked.add(h.host() + ":" + h.port()));
    return ApiResponse.json(200, body);
  }

  /** Another instance's answer, as ours: its status and sentence survive. */
  private static ApiResponse relay(ApiResponse answer) {
    if (answer.ok()) {
      return answer;
    }
    throw new ApiException(answer.status(), errorSentence(answer));
  }

  private static ApiException fromPeer(Answer answer) {
    return new ApiException(answer.response().status(), "The instance at " + answer.host().host() + ":"
        + answer.host().port() + " answered " + answer.response().status() + ": " + errorSentence(answer.response()));
  }

  private static String errorSentence(ApiResponse answer) {
    try {
      String error = answer.bodyJson().path("error").asText("");
      if (!error.isEmpty()) {
        return error;
      }
    } catch (IllegalArgumentException e) {
      // Not JSON: said below.
    }
    return "Another instance answered " + answer.status() + " without an explanation.";
  }

  private static ApiException movedHere(String what, HostInfo holder) {
    return ApiException.unavailable("This instance does not hold " + what + " (" + holder.host() + ":" + holder.port()
        + " does, since a rebalance); ask again.");
  }

  private static String status(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String wanted = text.trim().toUpperCase(Locale.ROOT);
    for (WorkflowStatus status : WorkflowStatus.values()) {
      if (status.name().equals(wanted)) {
        return wanted;
      }
    }
    throw ApiException.badRequest("The query parameter 'status' must be one of "
        + java.util.Arrays.toString(WorkflowStatus.values()) + "; got '" + text + "'.");
  }

  private static String workflowName(String workflowId) {
    return "workflow '" + workflowId + "'";
  }

  private static String traceId(String text) {
    String candidate = text.trim().toLowerCase(Locale.ROOT);
    if (!TraceId.isValid(candidate)) {
      throw ApiException.badRequest("'" + text + "' is not a trace id: a trace id is 32 hexadecimal digits, "
          + "not all zero.");
    }
    return candidate;
  }

  private record Answer(HostInfo host, ApiResponse response) {}
}
