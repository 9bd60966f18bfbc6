package io.tracestitch.topology.faults;

import io.tracestitch.avro.Alert;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.replay.ReplayDriver;
import io.tracestitch.testing.TimedInput;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A schedule's traffic through the real topology on Kafka's test driver (the driver offline replay runs on:
 * records' timestamps are the clock, punctuators fire once per interval as live), and its verdict.
 *
 * @param endMs when the run stopped: traffic end plus the settle time
 */
public record FaultRun(FaultSchedule schedule, CheckoutTraffic.Generated traffic, List<Problem> problems,
    List<Problem> allowed, List<Alert> alerts, List<WorkflowGraph> graphs, long endMs, Verdict verdict) {

  /** After the last order: long enough for its workflow to be published and its findings to reach the alerts. */
  static final Duration SETTLE = Duration.ofMinutes(2);

  public static FaultRun of(FaultSchedule schedule) {
    CheckoutTraffic.Generated traffic = schedule.traffic();
    List<Problem> problems = schedule.problems(traffic);
    List<Problem> allowed = schedule.allowed(traffic);
    try (ReplayDriver driver = new ReplayDriver(schedule.settings(), Instant.ofEpochMilli(schedule.startMs()))) {
      TimedInput.pipeAll(traffic.inputs(), driver);
      driver.advanceTo(schedule.endMs() + SETTLE.toMillis());
      List<Alert> alerts = driver.alerts();
      List<WorkflowGraph> graphs = driver.graphs();
      long end = driver.wallMs();
      return new FaultRun(schedule, traffic, problems, allowed, alerts, graphs, end,
          Verdict.of(schedule, problems, allowed, Page.of(alerts), graphs, end));
    }
  }

  public List<Page> pages() {
    return verdict.pages();
  }
}
