package io.tracestitch.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;

/** Liveness and readiness, as the Kubernetes probes ask them. */
final class Health {
  private final KafkaStreams streams;
  private final Restorations restorations;

  Health(KafkaStreams streams, Restorations restorations) {
    this.streams = streams;
    this.restorations = restorations;
  }

  /**
   * 200 while the process can still do its work. Only Kafka Streams' ERROR state fails it: every
   * stream thread is gone for good and nothing but a restart brings processing back.
   */
  ApiResponse live() {
    KafkaStreams.State state = streams.state();
    if (state == KafkaStreams.State.ERROR) {
      return ApiResponse.json(503, Json.object().put("status", "failed").put("state", state.name())
          .put("reason", "Kafka Streams stopped for good (ERROR): its stream threads failed and were not replaced; "
              + "the instance must be restarted."));
    }
    return ApiResponse.json(200, Json.object().put("status", "alive").put("state", state.name()));
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
