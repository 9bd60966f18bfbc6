package io.tracestitch.delivery;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import java.time.Clock;
import java.util.List;
import java.util.Locale;

/**
 * deliver-alerts' metrics, on tracestitch's own meter (so on {@code /metrics} and, when configured, over OTLP):
 * <ul>
 *   <li>{@code tracestitch.delivery.alerts} (counter; {@code target}, {@code outcome}): records delivered (the
 *       target took them), retried (a try failed with 429, 5xx or no answer, per record and try), failed (refused
 *       with a 4xx and dead-lettered), superseded (skipped: the target already had that state or a newer one, or a
 *       later re-send was waiting), unreadable (not an Alert; dead-lettered once, by the first target).</li>
 *   <li>{@code tracestitch.delivery.reposts} (counter; {@code target}): firing alerts posted to Alertmanager again
 *       without a new record.</li>
 *   <li>{@code tracestitch.delivery.latency} (histogram, seconds; {@code target}): from the record's time (when the
 *       processor wrote it) to the target taking it.</li>
 *   <li>{@code tracestitch.delivery.failing} (gauge, seconds; {@code target}): how long every try has failed, 0 when
 *       the last one worked; readiness turns false past delivery.unready.after.ms.</li>
 *   <li>{@code tracestitch.delivery.pending} and {@code tracestitch.delivery.firing} (gauges; {@code target}):
 *       records read and not yet settled, alerts this instance knows to be firing.</li>
 * </ul>
 * Recording never blocks: the loops call it between requests.
 */
final class DeliveryMetrics {
  static final String ALERTS = "tracestitch.delivery.alerts";
  static final String REPOSTS = "tracestitch.delivery.reposts";
  static final String LATENCY = "tracestitch.delivery.latency";
  static final String FAILING = "tracestitch.delivery.failing";
  static final String PENDING = "tracestitch.delivery.pending";
  static final String FIRING = "tracestitch.delivery.firing";
  static final AttributeKey<String> TARGET = AttributeKey.stringKey("target");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outcome");

  /** What became of an alert record at a target. */
  enum Outcome { DELIVERED, RETRIED, FAILED, SUPERSEDED, UNREADABLE }

  private final LongCounter alerts;
  private final LongCounter reposts;
  private final DoubleHistogram latency;

  DeliveryMetrics(Meter meter, List<TargetHealth> targets, Clock clock) {
    this.alerts = meter.counterBuilder(ALERTS).setUnit("{record}")
        .setDescription("Alert records per target and outcome: delivered, retried (per failed try), failed "
            + "(refused, dead-lettered), superseded (skipped as older than what the target has), unreadable.")
        .build();
    this.reposts = meter.counterBuilder(REPOSTS).setUnit("{alert}")
        .setDescription("Firing alerts posted again without a new record, so Alertmanager does not resolve them.")
        .build();
    this.latency = meter.histogramBuilder(LATENCY).setUnit("s")
        .setDescription("From an alert record's time to its target taking it.")
        .setExplicitBucketBoundariesAdvice(List.of(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
            900.0, 3600.0))
        .build();
    meter.gaugeBuilder(FAILING).setUnit("s")
        .setDescription("How long every try to the target has failed; 0 when the last one succeeded.")
        .buildWithCallback(m -> targets.forEach(t -> m.record(t.failingForMs(clock.millis()) / 1000.0, of(t))));
    meter.gaugeBuilder(PENDING).ofLongs().setUnit("{record}")
        .setDescription("Alert records read and not yet delivered, skipped or dead-lettered.")
        .buildWithCallback(m -> targets.forEach(t -> m.record(t.pending(), of(t))));
    meter.gaugeBuilder(FIRING).ofLongs().setUnit("{alert}")
        .setDescription("Alerts this instance knows to be firing, for the partitions it delivers.")
        .buildWithCallback(m -> targets.forEach(t -> m.record(t.firing(), of(t))));
  }

  void count(DeliverySettings.Target target, Outcome outcome, long records) {
    if (records > 0) {
      alerts.add(records, Attributes.of(TARGET, target.settingName(), OUTCOME,
          outcome.name().toLowerCase(Locale.ROOT)));
    }
  }

  void reposted(DeliverySettings.Target target, long alertCount) {
    if (alertCount > 0) {
      reposts.add(alertCount, Attributes.of(TARGET, target.settingName()));
    }
  }

  void latency(DeliverySettings.Target target, long millis) {
    latency.record(Math.max(0, millis) / 1000.0, Attributes.of(TARGET, target.settingName()));
  }

  private static Attributes of(TargetHealth target) {
    return Attributes.of(TARGET, target.target().settingName());
  }
}
