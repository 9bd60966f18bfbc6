package io.tracestitch.telemetry;

import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import io.tracestitch.topology.StitchCounters;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link StitchCounters} as observable counters: read once per collection, one snapshot for all of
 * them, so the processors keep counting with a bare {@code LongAdder} and never touch the SDK.
 */
final class CounterMetrics {
  private CounterMetrics() {}

  static void register(Meter meter, StitchCounters counters) {
    Map<String, ObservableLongMeasurement> byMetric = new LinkedHashMap<>();
    byMetric.put(CounterName.INPUT_RECORDS, counter(meter, CounterName.INPUT_RECORDS, "{record}",
        "Records read from the input topics, by topic and outcome; per topic in = used + dead_lettered."));
    byMetric.put(CounterName.WORKFLOWS, counter(meter, CounterName.WORKFLOWS, "{workflow}",
        "Workflow lifecycle: opened, published (every revision), merged (merges decided), merged_moves "
            + "(workflows moved into another), expired (left the stores), unrecorded (NOT_SAMPLED, not published)."));
    byMetric.put(CounterName.SPANS, counter(meter, CounterName.SPANS, "{span}",
        "Spans: used (stitched), dead_lettered (rejected one by one), attributes_truncated (kept with cut "
            + "attributes)."));
    byMetric.put(CounterName.ALERTS_SENT, counter(meter, CounterName.ALERTS_SENT, "{alert}",
        "Alerts written to the alerts topic, by kind and action (trigger includes re-sends, resolve)."));
    byMetric.put(CounterName.ALERTS_SUPPRESSED, counter(meter, CounterName.ALERTS_SUPPRESSED, "{occurrence}",
        "Alert occurrences counted but not paged, by reason (catching_up: decided more than alerts.max.lag.ms ago)."));
    byMetric.put(CounterName.FAILURES, counter(meter, CounterName.FAILURES, "{failure}",
        "Records and punctuations Kafka Streams' exception handlers caught, by stage (deserialization, processing, "
            + "punctuation, production, stream_thread) and where (topic, processor, or replaced/gave_up)."));
    byMetric.put(CounterName.OTHER, counter(meter, CounterName.OTHER, "1",
        "Internal counters no other metric covers, by name."));
    ObservableLongMeasurement[] all = byMetric.values().toArray(ObservableLongMeasurement[]::new);
    meter.batchCallback(() -> counters.snapshot().forEach((counter, value) -> {
      CounterName name = CounterName.of(counter);
      byMetric.get(name.metric()).record(value, name.attributes());
    }), all[0], Arrays.copyOfRange(all, 1, all.length));
  }

  private static ObservableLongMeasurement counter(Meter meter, String name, String unit, String description) {
    return meter.counterBuilder(name).setUnit(unit).setDescription(description).buildObserver();
  }
}
