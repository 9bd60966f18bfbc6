package io.tracestitch.topology.faults;

import static io.tracestitch.topology.faults.FaultSchedule.at;

import io.tracestitch.topology.expect.ExpectationSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The named fault schedules (each is one test in {@link FaultScheduleScenariosTest}) and the seeded random
 * ones. Checkout traffic, one order every two seconds unless said otherwise; inventory, loyalty and
 * notification consume {@code order.created}; faults start after a few minutes in which the consumers are
 * learned, and every schedule ends with a healthy stretch long enough for its pages to resolve.
 */
public final class FaultScenarios {
  /** A consumer four seconds slow at its best, so that five times slower is past its deadline (not its floor). */
  static final CheckoutTraffic.Consumer FRAUD_CHECK = new CheckoutTraffic.Consumer("fraud-check", 4_000);

  private FaultScenarios() {}

  public static List<FaultSchedule> named() {
    return List.of(fullOutage(), repeatOutageInsideTheResolvePeriod(), repeatOutageAfterRecovery(), everyThirdOrder(),
        onePartitionOfThreeStuck(), fiveTimesSlower(), gradualSlowdown(), retryStormThatSucceeds(),
        consumerRemovedOnPurpose(), rebalancePauseInsideTheDeadline(), healthyTrafficAtHighRate());
  }

  /** Loyalty handles nothing for three minutes. */
  public static FaultSchedule fullOutage() {
    return FaultSchedule.of("full outage", Duration.ofMinutes(25), 2_000,
        List.of(new Fault.Outage("loyalty", at(5), at(8))));
  }

  /**
   * The issue's own numbers: after a minute of orders (one every 2 s) loyalty stops for 30 orders, handles the
   * next 40, stops for 20. The 80 s between the outages are inside the resolve period: one problem, one page,
   * count 50, and all 50 workflows show loyalty PENDING.
   */
  public static FaultSchedule repeatOutageInsideTheResolvePeriod() {
    FaultSchedule s = FaultSchedule.of("repeat outage, 80 s apart", Duration.ofMinutes(16), 2_000,
        List.of(new Fault.Outage("loyalty", at(1), at(2)), new Fault.Outage("loyalty", at(3 + 1 / 3.0), at(4))));
    return new FaultSchedule(s.name(), s.startMs(), s.endMs(), s.everyMs(), false, s.consumers(), s.faults(), s.seed(),
        s.settings(), s.rules(), s.partitions());
  }

  /**
   * Loyalty is down for three minutes after two healthy ones, recovers, and is down again eleven minutes later:
   * two problems, two pages, each resolved.
   */
  public static FaultSchedule repeatOutageAfterRecovery() {
    return FaultSchedule.of("repeat outage, 11 min apart", Duration.ofMinutes(36), 2_000,
        List.of(new Fault.Outage("loyalty", at(2), at(5)), new Fault.Outage("loyalty", at(16), at(18))));
  }

  /** Loyalty misses every third order for five minutes (a poison pill in a share of its work). */
  public static FaultSchedule everyThirdOrder() {
    return FaultSchedule.of("every third order missed", Duration.ofMinutes(27), 2_000,
        List.of(new Fault.EveryKth("loyalty", at(5), at(10), 3)));
  }

  /** Loyalty's partition 2 of 3 is stuck for five minutes; its other partitions keep going. */
  public static FaultSchedule onePartitionOfThreeStuck() {
    return FaultSchedule.of("one partition of three stuck", Duration.ofMinutes(27), 2_000,
        List.of(new Fault.StuckPartition("loyalty", at(5), at(10), 2, 3)));
  }

  /**
   * Fraud-check becomes five times slower for good: late (succeeded after its deadline) until its deadline has
   * grown at the baseline's bounded pace to cover the new times, then that pace is normal. An order every 10 s.
   */
  public static FaultSchedule fiveTimesSlower() {
    return FaultSchedule.of("5x slower for good", Duration.ofMinutes(150), 10_000,
        List.of(new Fault.Slowdown(FRAUD_CHECK.name(), at(10), Long.MAX_VALUE, 5)))
        .withConsumers(List.of(FaultSchedule.CHECKOUT.get(0), FRAUD_CHECK));
  }

  /**
   * Fraud-check's latency creeps up from 4 s to 32 s over 40 minutes (a little slower every order), then stays:
   * it must page once it passes its deadline, not follow its own drift for ever.
   */
  public static FaultSchedule gradualSlowdown() {
    return FaultSchedule.of("gradual slowdown to 8x over 40 min", Duration.ofMinutes(190), 10_000,
        List.of(new Fault.GradualSlowdown(FRAUD_CHECK.name(), at(10), at(50), 8),
            new Fault.Slowdown(FRAUD_CHECK.name(), at(50), Long.MAX_VALUE, 8)))
        .withConsumers(List.of(FaultSchedule.CHECKOUT.get(0), FRAUD_CHECK));
  }

  /** Loyalty fails four times on every order for five minutes, and then succeeds, well inside its deadline. */
  public static FaultSchedule retryStormThatSucceeds() {
    return FaultSchedule.of("retry storm that succeeds", Duration.ofMinutes(15), 2_000,
        List.of(new Fault.RetryStorm("loyalty", at(5), at(10), 4)));
  }

  /**
   * Notification is taken out of service on purpose after 5 minutes and never comes back (an order every 5 s). It pages (nothing in
   * the traffic tells a removal from an outage) until it is forgotten ({@code expectations.forget.after.ms}, 30
   * minutes here), then resolves, and never pages again.
   */
  public static FaultSchedule consumerRemovedOnPurpose() {
    FaultSchedule s = FaultSchedule.of("consumer removed on purpose", Duration.ofMinutes(75), 5_000,
        List.of(new Fault.Removed("notification", at(5))));
    return s.withSettings(s.settings().withExpectations(forgetAfter(Duration.ofMinutes(30))));
  }

  /** Loyalty's group rebalances three times: six seconds without consuming, then it catches up, inside its deadline. */
  public static FaultSchedule rebalancePauseInsideTheDeadline() {
    return FaultSchedule.of("rebalance pauses inside the deadline", Duration.ofMinutes(15), 2_000,
        List.of(new Fault.Pause("loyalty", at(4), at(4.1)), new Fault.Pause("loyalty", at(7), at(7.1)),
            new Fault.Pause("loyalty", at(10), at(10.1))));
  }

  /** Ten orders a second for four minutes, nothing wrong: nothing may page. */
  public static FaultSchedule healthyTrafficAtHighRate() {
    return FaultSchedule.of("healthy, 10 orders/s", Duration.ofMinutes(4), 100, List.of());
  }

  /**
   * A random schedule: for each consumer up to two faults (outage, every k-th order, one partition of three,
   * retry storm, rebalance pause) at random times after a four-minute warm-up, at least 14 minutes apart (longer
   * than a page needs to resolve, so each is its own problem), and a random order rate.
   */
  public static FaultSchedule random(long seed) {
    Random r = new Random(seed);
    long every = 1_500 + r.nextInt(1_500);
    List<Fault> faults = new ArrayList<>();
    double end = 0;
    for (CheckoutTraffic.Consumer c : FaultSchedule.CHECKOUT) {
      double t = 4 + r.nextDouble() * 6;
      int count = r.nextInt(3);
      for (int i = 0; i < count; i++) {
        double length = 1 + r.nextDouble() * 4;
        faults.add(switch (r.nextInt(5)) {
          case 0 -> new Fault.Outage(c.name(), at(t), at(t + length));
          case 1 -> new Fault.EveryKth(c.name(), at(t), at(t + length), 2 + r.nextInt(4));
          case 2 -> new Fault.StuckPartition(c.name(), at(t), at(t + length), r.nextInt(3), 3);
          case 3 -> new Fault.RetryStorm(c.name(), at(t), at(t + length), 2 + r.nextInt(4));
          default -> new Fault.Pause(c.name(), at(t), at(t + (3 + r.nextInt(6)) / 60.0));
        });
        end = Math.max(end, t + length);
        t += length + 14 + r.nextDouble() * 4;
      }
    }
    return FaultSchedule.of("random #" + seed, Duration.ofMillis(Math.round((end + 12) * 60_000)), every, faults)
        .withSeed(seed);
  }

  static ExpectationSettings forgetAfter(Duration forget) {
    return ExpectationSettings.defaults().withForgetAfter(forget);
  }
}
