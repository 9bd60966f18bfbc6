package io.tracestitch.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.tracestitch.topology.workflow.TelemetryCompleteness;
import io.tracestitch.topology.workflow.TelemetryCompleteness.ServiceShare;

/**
 * Telemetry completeness per consuming service on /metrics: workflows that expected its spans, those that lacked
 * them, and the share lacking them. Read at each scrape from what {@link TelemetryCompleteness} has counted, so the
 * stream thread only adds to counters.
 */
final class CompletenessMetrics {
  static final String EXPECTED = "tracestitch.telemetry.expected";
  static final String MISSING = "tracestitch.telemetry.missing";
  static final String MISSING_SHARE = "tracestitch.telemetry.missing.share";
  static final AttributeKey<String> SERVICE = AttributeKey.stringKey("service");

  private CompletenessMetrics() {}

  static void register(Meter meter, TelemetryCompleteness completeness) {
    meter.counterBuilder(EXPECTED).setUnit("{workflow}")
        .setDescription("Published workflows in which a contract or learned expectation asked for this service's spans.")
        .buildWithCallback(m -> completeness.services().forEach(s -> m.record(s.expected(), of(s))));
    meter.counterBuilder(MISSING).setUnit("{workflow}")
        .setDescription("...of those, the workflows in which none of its expected spans arrived (lost telemetry or "
            + "a stall).")
        .buildWithCallback(m -> completeness.services().forEach(s -> m.record(s.missing(), of(s))));
    meter.gaugeBuilder(MISSING_SHARE).setUnit("1")
        .setDescription("missing over expected, since this instance started: the share of this service's expected "
            + "spans that did not arrive.")
        .buildWithCallback(m -> completeness.services().forEach(s -> m.record(s.missingShare(), of(s))));
  }

  private static Attributes of(ServiceShare share) {
    return Attributes.of(SERVICE, share.service());
  }
}
