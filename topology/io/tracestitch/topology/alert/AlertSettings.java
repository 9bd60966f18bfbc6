package io.tracestitch.topology.alert;

import java.time.Duration;

/**
 * How findings become pages.
 *
 * @param resendInterval a firing alert is re-sent this often (well inside Alertmanager's 5-minute resolve
 *     timeout), and never more often
 * @param resolveAfter a firing alert resolves once no new occurrence has come for this long (or twice its longest
 *     gap between occurrences, if longer) and healthy branches of its group were seen in that time
 * @param quietPeriod a firing alert with no new occurrence for this long resolves even with no healthy evidence
 *     (nothing arrives at all: traffic stopped, the consumer was forgotten); also the most {@code resolveAfter}
 *     is stretched to
 * @param maxLag an occurrence decided longer ago than this (the processor is catching up on a backlog) is
 *     counted but does not trigger a page by itself
 * @param source the PagerDuty {@code source} / Alertmanager {@code instance} label: which tracestitch said it
 * @param linkTemplate a URL with {@code {workflowId}} where a person can see a sample workflow; empty for none
 * @param maxGroups cap on alert groups held per alert task; a new group beyond it is counted and not paged
 * @param offsetsRefresh how often the consumer-group offsets of stalled consumers are read again
 * @param offsetsTimeout how long one such read may take before its diagnosis is left out
 * @param telemetryHold how long a stall whose consumer left no span is held back, at most, while its consumer
 *     group's offsets and the consumer's later branches tell a stall from lost telemetry (see {@link AlertProcessor})
 * @param telemetryMissingAlert whether lost telemetry of a consumer raises a TELEMETRY_MISSING warning; when off it
 *     is only counted (it never pages as a stall either way)
 */
public record AlertSettings(Duration resendInterval, Duration resolveAfter, Duration quietPeriod, Duration maxLag,
    String source, String linkTemplate, int maxGroups, Duration offsetsRefresh, Duration offsetsTimeout,
    Duration telemetryHold, boolean telemetryMissingAlert) {

  public AlertSettings {
    if (resolveAfter.compareTo(quietPeriod) > 0) {
      throw new IllegalArgumentException("alerts.resolve.after.ms (" + resolveAfter.toMillis() + ") must not be longer "
          + "than alerts.quiet.period.ms (" + quietPeriod.toMillis() + "): with no occurrence for the quiet period an "
          + "alert resolves anyway. Raise the quiet period or shorten the resolve period.");
    }
    if (maxGroups < 1) {
      throw new IllegalArgumentException("The cap on alert groups must be at least 1, but was " + maxGroups + ".");
    }
  }

  public static AlertSettings defaults() {
    return new AlertSettings(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofMinutes(5),
        "tracestitch", "", 10_000, Duration.ofSeconds(15), Duration.ofSeconds(5), Duration.ofMinutes(2), true);
  }

  /** Every how often the alert stage looks at its groups: a quarter of the shortest period it keeps. */
  public Duration checkInterval() {
    long shortest = Math.min(resendInterval.toMillis(), Math.min(resolveAfter.toMillis(), quietPeriod.toMillis()));
    return Duration.ofMillis(Math.max(1_000, shortest / 4));
  }

  public AlertSettings withPeriods(Duration resend, Duration resolve, Duration quiet) {
    return new AlertSettings(resend, resolve, quiet, maxLag, source, linkTemplate, maxGroups, offsetsRefresh,
        offsetsTimeout, telemetryHold, telemetryMissingAlert);
  }

  public AlertSettings withMaxGroups(int groups) {
    return new AlertSettings(resendInterval, resolveAfter, quietPeriod, maxLag, source, linkTemplate, groups,
        offsetsRefresh, offsetsTimeout, telemetryHold, telemetryMissingAlert);
  }

  public AlertSettings withTelemetryHold(Duration hold, boolean alert) {
    return new AlertSettings(resendInterval, resolveAfter, quietPeriod, maxLag, source, linkTemplate, maxGroups,
        offsetsRefresh, offsetsTimeout, hold, alert);
  }
}
