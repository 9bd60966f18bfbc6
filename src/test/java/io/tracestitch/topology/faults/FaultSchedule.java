package io.tracestitch.topology.faults;

import io.tracestitch.topology.StitchSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Checkout traffic with a schedule of faults per consumer, and the ground truth it implies: which
 * stretches are problems someone must be paged for (a consumer that misses events, or handles them after
 * its deadline before its baseline has accepted the new pace), and which are healthy (everything else:
 * retries and pauses that stay inside the deadline, traffic at any rate).
 *
 * <p>Extend it by adding a {@link Fault} kind (what the consumer does with an event, in {@link CheckoutTraffic})
 * and, when it is a problem of a new shape, how {@link #problems} recognises it.
 *
 * @param name what the schedule shows, for reports
 * @param startMs when traffic starts
 * @param endMs when traffic stops (the run then waits for the last workflows and pages to settle)
 * @param everyMs one order every this many milliseconds (±25 % with {@code jitter})
 * @param consumers who handles {@code order.created}, each with its usual latency
 * @param faults what goes wrong, per consumer
 * @param seed latencies and jitter
 * @param settings the topology's settings for this run
 * @param rules what the ground truth assumes of the paging rules
 * @param partitions partitions of the event topic on the driver this runs on (1 on Kafka's test driver)
 */
public record FaultSchedule(String name, long startMs, long endMs, long everyMs, boolean jitter,
    List<CheckoutTraffic.Consumer> consumers, List<Fault> faults, long seed, StitchSettings settings, Rules rules,
    int partitions) {

  public static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
  public static final List<CheckoutTraffic.Consumer> CHECKOUT = List.of(
      new CheckoutTraffic.Consumer("inventory", 150), new CheckoutTraffic.Consumer("loyalty", 120),
      new CheckoutTraffic.Consumer("notification", 200));

  /**
   * What a paging system's user may expect, written down so the ground truth can be computed.
   *
   * @param mergeWindowMs affected events closer than this are one problem: a page may stay open across such a
   *     gap (the alert's resolve period), so they must not count as two
   * @param deadlineMultiplier a consumer is late when it takes longer than this many times its usual 95th
   *     percentile latency...
   * @param deadlineFloorMs ...and longer than this
   * @param deadlineGrowthPerHour once a consumer is slower, its deadline may grow by at most this factor per hour
   *     from the start of the slowdown: an event later than that deadline is a problem
   * @param resolveWithinMs a page must resolve within this long after the last affected event was decided
   */
  public record Rules(long mergeWindowMs, double deadlineMultiplier, long deadlineFloorMs, double deadlineGrowthPerHour,
      long resolveWithinMs) {
    public static Rules defaults() {
      return new Rules(Duration.ofMinutes(5).toMillis(), 3, 10_000, 1.5, Duration.ofMinutes(16).toMillis());
    }
  }

  /**
   * A schedule on the default settings, but for the punctuation interval: 2 s instead of 500 ms. It only moves
   * publications (and so decisions) by up to 2 s, and the test driver then spends a quarter of the time firing
   * punctuators, which is most of a run's time.
   */
  public static FaultSchedule of(String name, Duration length, long everyMs, List<Fault> faults) {
    return new FaultSchedule(name, T0, T0 + length.toMillis(), everyMs, true, CHECKOUT, faults, name.hashCode(),
        StitchSettings.defaults().withEventTopics(List.of(CheckoutTraffic.EVENT))
            .withPunctuationInterval(Duration.ofSeconds(2)), Rules.defaults(), 1);
  }

  /** Minutes after the start of traffic, for writing schedules. */
  public static long at(double minutes) {
    return T0 + Math.round(minutes * 60_000);
  }

  /** "12:34" minutes:seconds after {@link #T0}, for messages. */
  static String clock(long ms) {
    long s = Math.max(0, (ms - T0) / 1000);
    return (s / 60) + ":" + String.format("%02d", s % 60);
  }

  public FaultSchedule withSettings(StitchSettings s) {
    return new FaultSchedule(name, startMs, endMs, everyMs, jitter, consumers, faults, seed, s, rules, partitions);
  }

  public FaultSchedule withRules(Rules r) {
    return new FaultSchedule(name, startMs, endMs, everyMs, jitter, consumers, faults, seed, settings, r, partitions);
  }

  public FaultSchedule withConsumers(List<CheckoutTraffic.Consumer> c) {
    return new FaultSchedule(name, startMs, endMs, everyMs, jitter, c, faults, seed, settings, rules, partitions);
  }

  public FaultSchedule withSeed(long s) {
    return new FaultSchedule(name, startMs, endMs, everyMs, jitter, consumers, faults, s, settings, rules, partitions);
  }

  public FaultSchedule withPartitions(int p) {
    return new FaultSchedule(name, startMs, endMs, everyMs, jitter, consumers, faults, seed, settings, rules, p);
  }

  public CheckoutTraffic.Generated traffic() {
    return CheckoutTraffic.generate(startMs, endMs, everyMs, jitter, consumers, faults, seed);
  }

  /** The reference deadline of a consumer: its usual 95th percentile (log-normal, sigma 0.2) times the multiplier. */
  public long deadlineMs(String consumer) {
    long usual = consumers.stream().filter(c -> c.name().equals(consumer)).findFirst().orElseThrow().latencyMs();
    double p95 = usual * Math.exp(0.2 * 1.645);
    return Math.max(rules.deadlineFloorMs(), Math.round(rules.deadlineMultiplier() * p95));
  }

  /**
   * The ground truth: every stretch someone must be paged for, per consumer, in time order: missed events, and
   * events handled surely late (by more than {@link #TOLERANCE} past the reference deadline, which approximates the
   * learned one only that closely); for a consumer removed on purpose, its events until shortly before it is
   * forgotten (when exactly depends on when its last success was learned).
   */
  public List<Problem> problems(CheckoutTraffic.Generated traffic) {
    return stretches(traffic, 1 / TOLERANCE, -FORGET_SLACK_MS);
  }

  /**
   * Every stretch a page may be about without being a false page: the problems, and what is only perhaps one
   * (handled perhaps late, a removed consumer perhaps not forgotten yet).
   */
  public List<Problem> allowed(CheckoutTraffic.Generated traffic) {
    return stretches(traffic, TOLERANCE, FORGET_SLACK_MS);
  }

  /** How far the reference deadline may be from the learned one (its histogram buckets are 19 % wide). */
  static final double TOLERANCE = 1.2;
  private static final long FORGET_SLACK_MS = 120_000;

  private List<Problem> stretches(CheckoutTraffic.Generated traffic, double deadlineScale, long forgetSlackMs) {
    List<Problem> problems = new ArrayList<>();
    long gap = settings.inactivityGap().toMillis();
    for (CheckoutTraffic.Consumer c : consumers) {
      List<CheckoutTraffic.Delivery> affected = new ArrayList<>();
      for (CheckoutTraffic.Delivery d : traffic.deliveries()) {
        CheckoutTraffic.Handling h = d.byConsumer().get(c.name());
        boolean late = h.handled() && h.latencyMs() * deadlineScale > deadlineMs(c.name(), d.publishedMs());
        if (!h.handled() && !forgotten(c.name(), d.publishedMs() - forgetSlackMs) || late) {
          if (!affected.isEmpty() && d.publishedMs() - affected.get(affected.size() - 1).publishedMs()
              > rules.mergeWindowMs()) {
            problems.add(problem(c.name(), affected, gap));
            affected = new ArrayList<>();
          }
          affected.add(d);
        }
      }
      if (!affected.isEmpty()) {
        problems.add(problem(c.name(), affected, gap));
      }
    }
    problems.sort(java.util.Comparator.comparingLong(Problem::firstMs));
    return problems;
  }

  /**
   * A consumer removed on purpose is a problem until it has handled nothing for
   * {@code expectations.forget.after.ms}: then it is no longer expected, and its events are nobody's problem.
   */
  private boolean forgotten(String consumer, long publishedMs) {
    return faults.stream().anyMatch(f -> f instanceof Fault.Removed && f.consumer().equals(consumer)
        && publishedMs - f.fromMs() >= settings.expectations().forgetAfter().toMillis());
  }

  /**
   * The reference deadline of a consumer for an event published at {@code publishedMs}: during a slowdown it grows
   * at the rules' pace from the slowdown's start.
   */
  public long deadlineMs(String consumer, long publishedMs) {
    long base = deadlineMs(consumer);
    for (Fault f : faults) {
      if (f.consumer().equals(consumer) && (f instanceof Fault.Slowdown || f instanceof Fault.GradualSlowdown)
          && publishedMs >= f.fromMs()) {
        long slowSince = faults.stream().filter(g -> g.consumer().equals(consumer)
            && (g instanceof Fault.Slowdown || g instanceof Fault.GradualSlowdown)).mapToLong(Fault::fromMs).min()
            .orElse(f.fromMs());
        double hours = (publishedMs - slowSince) / 3_600_000.0;
        return Math.round(base * Math.pow(rules.deadlineGrowthPerHour(), hours));
      }
    }
    return base;
  }

  private Problem problem(String consumer, List<CheckoutTraffic.Delivery> affected, long gap) {
    Set<Integer> partitionsHit = new LinkedHashSet<>();
    List<String> missed = new ArrayList<>();
    long lastDecided = 0;
    for (CheckoutTraffic.Delivery d : affected) {
      partitionsHit.add(d.partition(partitions));
      CheckoutTraffic.Handling h = d.byConsumer().get(consumer);
      if (!h.handled()) {
        missed.add(d.workflowId());
      }
      long decided = d.publishedMs() + Math.max(gap, h.handled() ? h.latencyMs() + CheckoutTraffic.EXPORT_DELAY_MS + gap
          : deadlineMs(consumer)) + 5_000;
      lastDecided = Math.max(lastDecided, decided);
    }
    return new Problem(consumer, CheckoutTraffic.EVENT, affected.get(0).publishedMs(),
        affected.get(affected.size() - 1).publishedMs(), lastDecided, affected.size(), partitionsHit, missed);
  }
}
