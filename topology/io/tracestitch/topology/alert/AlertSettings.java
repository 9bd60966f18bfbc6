package io.tracestitch.topology.alert;

import java.time.Duration;

/**
 * How findings become pages.
 *
 * @param resendInterval a firing alert is re-sent this often (well inside Alertmanager's 5-minute resolve
 *     timeout), and never more often
 * @param quietPeriod a firing alert with no new occurrence for this long is resolved
 * @param maxLag an occurrence decided longer ago than this (the processor is catching up on a backlog) is
 *     counted but does not trigger a page by itself
 * @param source the PagerDuty {@code source} / Alertmanager {@code instance} label: which tracestitch said it
 * @param linkTemplate a URL with {@code {workflowId}} where a person can see a sample workflow; empty for none
 */
public record AlertSettings(Duration resendInterval, Duration quietPeriod, Duration maxLag, String source,
    String linkTemplate) {

  public static AlertSettings defaults() {
    return new AlertSettings(Duration.ofMinutes(1), Duration.ofMinutes(15), Duration.ofMinutes(5), "tracestitch", "");
  }
}
