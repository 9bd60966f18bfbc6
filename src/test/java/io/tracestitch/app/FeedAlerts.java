package io.tracestitch.app;

import io.tracestitch.avro.Alert;
import io.tracestitch.avro.AlertAction;
import io.tracestitch.avro.AlertKind;
import io.tracestitch.serdes.AvroSingleObjectSerde;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import io.tracestitch.testing.Orders.Outcome;

/**
 * The alerts of a {@link WorkflowFeed} run, judged against what its workflows really did: an alert is false when
 * one of its sample workflows contradicts it — a silent failure of a consumer that did not fail there, a stalled
 * branch or unconsumed event for a consumer that did handle the event, a missing callee (the feed has none), or a
 * sample that is not a workflow the feed sent. A fault must not make tracestitch page for a problem the traffic
 * does not have.
 */
final class FeedAlerts {
  private FeedAlerts() {}

  static List<Alert> read(String bootstrapServers, String alertsTopic) {
    var deserializer = AvroSingleObjectSerde.of(Alert.class).deserializer();
    return TopicReader.readAll(bootstrapServers, alertsTopic, Duration.ofSeconds(30)).stream()
        .filter(r -> r.value() != null).map(r -> deserializer.deserialize(alertsTopic, r.value())).toList();
  }

  /** Triggered alerts the traffic contradicts, as "kind consumer event: why" lines. */
  static List<String> falseAlerts(List<Alert> alerts, Map<String, Map<String, Outcome>> truth) {
    return alerts.stream().filter(a -> a.getAction() == AlertAction.TRIGGER)
        .map(a -> contradiction(a, truth).map(why -> a.getKind() + " "
            + Objects.requireNonNullElse(a.getConsumer(), a.getService()) + " " + a.getEventName() + ": " + why))
        .flatMap(Optional::stream).distinct().toList();
  }

  private static Optional<String> contradiction(Alert alert, Map<String, Map<String, Outcome>> truth) {
    if (alert.getKind() == AlertKind.MISSING_CALLEE) {
      return Optional.of("the feed's workflows have no calls that could miss a callee");
    }
    for (String workflow : alert.getSampleWorkflowIds()) {
      Map<String, Outcome> outcomes = truth.get(workflow);
      if (outcomes == null) {
        return Optional.of("sample " + workflow + " is not a workflow that was sent");
      }
      Outcome outcome = outcomes.getOrDefault(alert.getConsumer(), Outcome.NONE);
      boolean handled = outcome == Outcome.OK || outcome == Outcome.RETRY_THEN_OK;
      if (alert.getKind() == AlertKind.SILENT_FAILURE && outcome != Outcome.FAIL) {
        return Optional.of(alert.getConsumer() + " did not fail in " + workflow);
      }
      if (alert.getKind() != AlertKind.SILENT_FAILURE && handled) {
        return Optional.of(alert.getConsumer() + " did handle the event in " + workflow);
      }
    }
    return Optional.empty();
  }
}
