package io.tracestitch.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/** Liveness and readiness, as the Kubernetes probes ask them. */
final class Health {
  private final KafkaStreams streams;
  private final Restorations restorations;
  private final Supplier<StreamThreadReport> streamThreads;

  Health(KafkaStreams streams, Restorations restorations, Supplier<StreamThreadReport> streamThreads) {
    this.streams = streams;
    this.restorations = restorations;
    this.streamThreads = streamThreads;
  }

  /**
   * 200 while the process can still do its work. Only Kafka Streams' ERROR state fails it: every
   * stream thread is gone for good and nothing but a restart brings processing back. Stream threads that failed
   * and were replaced (or the failure that made the instance give up) are shown under {@code streamThreads}.
   */
  ApiResponse live() {
    KafkaStreams.State state = streams.state();
    StreamThreadReport threads = streamThreads.get();
    if (state == KafkaStreams.State.ERROR) {
      String reason = threads.gaveUp()
          ? "Kafka Streams was shut down (ERROR): a stream thread failed " + threads.sameInARow() + " times in a row "
              + "at the same place, so it was not replaced again: " + threads.lastFailure() + ". Fix the cause and "
              + "restart the instance."
          : "Kafka Streams stopped for good (ERROR): its stream threads failed and were not replaced; "
              + "the instance must be restarted.";
      return ApiResponse.json(503, withThreads(Json.object().put("status", "failed").put("state", state.name())
          .put("reason", reason), threads));
    }
    return ApiResponse.json(200, withThreads(Json.object().put("status", "alive").put("state", state.name()),
        threads));
  }

  private static ObjectNode withThreads(ObjectNode body, StreamThreadReport threads) {
    if (threads.replacements() > 0 || threads.gaveUp()) {
      body.putObject("streamThreads").put("replaced", threads.replacements())
          .put("lastFailure", threads.lastFailure()).put("lastFailureAt", threads.lastFailureAt())
          .put("sameInARow", threads.sameInARow()).put("gaveUp", threads.gaveUp());
    }
    return body;
  }

  /** 200 only when Kafka Streams is RUNNING and no active task is still restoring its state. */
  ApiResponse ready() {
    KafkaStreams.State state = streams.state();
    List<Restorations.Progress> restoring = restorations.inProgress();
    ObjectNode body = Json.object().put("state", state.name());
    ArrayNode list = body.putArray("restoring");
    long remaining = 0;
    for (Restorations.Progress p : restoring) {
      list.addObject().put("store", p.store()).put("changelog", p.changelog().topic())
          .put("partition", p.changelog().partition()).put("restored", p.restored()).put("remaining", p.remaining());
      remaining += p.remaining();
    }
    if (state == KafkaStreams.State.RUNNING && restoring.isEmpty()) {
      return ApiResponse.json(200, body.put("status", "ready"));
    }
    String reason = state != KafkaStreams.State.RUNNING
        ? "Kafka Streams is " + state + ", not RUNNING."
        : "Kafka Streams is RUNNING but still restoring " + restoring.size() + " changelog partition(s), about "
            + remaining + " record(s) to go; until then queries would see incomplete state.";
    return ApiResponse.json(503, body.put("status", "not ready").put("reason", reason));
  }
}
