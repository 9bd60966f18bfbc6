package io.tracestitch.delivery;

import io.tracestitch.avro.Alert;
import io.tracestitch.avro.AlertAction;
import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.Severity;
import io.tracestitch.serdes.AvroSingleObjectSerde;
import io.tracestitch.serdes.AvroTrust;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Alert records as the processor writes them, for tests that drive delivery without running the processor:
 * one consumer's stalled branch, identified by its dedup key, in lifecycles that start at {@code firstSeenMs} and
 * count their sends in {@code sequence}.
 */
final class Alerts {
  private Alerts() {}

  static Alert trigger(String consumer, long firstSeenMs, long sequence) {
    return alert(consumer, firstSeenMs, sequence, AlertAction.TRIGGER, null);
  }

  static Alert resolve(String consumer, long firstSeenMs, long sequence, long endsAtMs) {
    return alert(consumer, firstSeenMs, sequence, AlertAction.RESOLVE, endsAtMs);
  }

  static String dedupKey(String consumer) {
    return "tracestitch/stalled_branch/" + consumer + "/order.created";
  }

  static Alert alert(String consumer, long firstSeenMs, long sequence, AlertAction action, Long endsAtMs) {
    AvroTrust.trustGeneratedRecords();
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("alertname", "TracestitchStalledBranch");
    labels.put("kind", "STALLED_BRANCH");
    labels.put("consumer", consumer);
    labels.put("event_name", "order.created");
    labels.put("severity", "error");
    Map<String, String> details = new LinkedHashMap<>();
    details.put("count", Long.toString(sequence));
    details.put("lifecycle", Long.toString(firstSeenMs));
    details.put("sequence", Long.toString(sequence));
    String summary = consumer + " has not handled order.created by its deadline in " + sequence + " workflows"
        + (action == AlertAction.RESOLVE ? " (resolved)" : "");
    return Alert.newBuilder()
        .setDedupKey(dedupKey(consumer)).setKind(AlertKind.STALLED_BRANCH).setAction(action)
        .setSeverity(Severity.error).setSummary(summary).setSource("tracestitch").setComponent(consumer)
        .setGroup("order.created").setClass$("stalled_branch").setConsumer(consumer).setEventName("order.created")
        .setCount(sequence).setSampleWorkflowIds(List.of("order-" + sequence)).setFirstSeenMs(firstSeenMs)
        .setLastSeenMs(firstSeenMs + sequence).setEndsAtMs(endsAtMs).setSequence(sequence).setLabels(labels)
        .setAnnotations(Map.of("summary", summary)).setCustomDetails(details).build();
  }

  static Alert withLabel(Alert alert, String name, String value) {
    Map<String, String> labels = new LinkedHashMap<>(alert.getLabels());
    labels.put(name, value);
    return Alert.newBuilder(alert).setLabels(labels).build();
  }

  static byte[] avro(Alert alert) {
    return AvroSingleObjectSerde.of(Alert.class).serializer().serialize("alerts", alert);
  }

  static ProducerRecord<byte[], byte[]> record(String topic, Alert alert) {
    return new ProducerRecord<>(topic, alert.getDedupKey().getBytes(StandardCharsets.UTF_8), avro(alert));
  }
}
