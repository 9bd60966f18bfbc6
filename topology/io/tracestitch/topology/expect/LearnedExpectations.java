package io.tracestitch.topology.expect;

import io.tracestitch.avro.internal.ConsumerStats;
import io.tracestitch.avro.internal.ExpectationStats;
import io.tracestitch.topology.StitchCounters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Expectations learned from traffic and kept in a (changelogged) store, so learning survives restarts.
 *
 * <p>Each by-workflow task learns from the workflows it publishes; workflows are spread over tasks by id,
 * so every task sees a fair sample of all traffic and no table has to be shared. The rules:
 * <ul>
 *   <li><b>Becoming expected</b> is learned, with no configuration: a consumer that has handled at least
 *       {@code minObservations} (decayed) events of a name, and at least {@code minRatio} of those seen since it
 *       first handled one, is expected from then on.</li>
 *   <li><b>Staying expected</b>: misses never undo it. An outage (every event missed), a partial outage (a share
 *       missed) or a retry storm are the problem being reported, not a change of pattern; a ratio that let them
 *       count would stop expecting the consumer in the middle of its outage, or right after it.</li>
 *   <li><b>Forgetting</b>: a consumer that has handled nothing for {@code forgetAfter} is no longer expected (a
 *       consumer removed on purpose stops paging then; an outage that long is treated alike, after paging all
 *       along). Should it come back, it is learned again from scratch.</li>
 *   <li><b>Deadline</b>: {@code deadlineMultiplier} × a high percentile of a slowly decaying histogram of its
 *       publish-to-success times (see {@link LatencyBaseline}), followed at no more than {@code baselineMaxChangePerHour}
 *       per hour, never below {@code deadlineFloor}. Late successes count too, so a consumer that is slower for
 *       good is late for {@link ExpectationSettings#slowdownHorizon} and then normal; an outage adds no samples,
 *       so it never moves the deadline.</li>
 * </ul>
 * The same rules hold for a calling span and its callee. The table is bounded: at most {@code maxKeys} event names
 * and calling spans and {@code maxConsumersPerEvent} consumers per name; what is over the cap is counted and not
 * learned, and keys that teach nothing any more (nothing expected, less than one event's weight left, or nothing
 * seen for {@code forgetAfter}) are swept out a few at a time as workflows are published.
 */
public final class LearnedExpectations implements Expectations {
  private static final String EVENT_PREFIX = "event:";
  private static final String CALL_PREFIX = "call:";
  private static final String CALLEE = "callee";
  /** Every this many publications, this many keys are looked at for sweeping: one key per publication on average. */
  private static final int SWEEP_EVERY = 64;

  private final KeyValueStore<String, ExpectationStats> store;
  private final ExpectationSettings settings;
  private final Contracts contracts;
  private final StitchCounters counters;
  /** Keys in the store, counted on the first new key (the store is bounded, so that is a bounded pass). */
  private long keys = -1;
  private int learned;
  private String sweepFrom;

  /** For reading only (the HTTP API shows a workflow as the stitcher would): nothing learned, nothing counted. */
  public LearnedExpectations(KeyValueStore<String, ExpectationStats> store, ExpectationSettings settings,
      Contracts contracts) {
    this(store, settings, contracts, new StitchCounters());
  }

  public LearnedExpectations(KeyValueStore<String, ExpectationStats> store, ExpectationSettings settings,
      Contracts contracts, StitchCounters counters) {
    this.store = store;
    this.settings = settings;
    this.contracts = contracts;
    this.counters = counters;
  }

  @Override
  public List<ExpectedConsumer> consumersOf(String eventName, long nowMs) {
    if (contracts.terminalEvents().contains(eventName)) {
      return List.of();
    }
    Map<String, ExpectedConsumer> expected = new HashMap<>();
    Contracts.Contract contract = contracts.byEvent().get(eventName);
    if (contract != null) {
      for (Contracts.Consumer c : contract.consumers()) {
        // A declared consumer is named by its consumer group (or its service, when its spans name no group).
        expected.put(c.name(), new ExpectedConsumer(c.name(), c.name(), c.deadline().toMillis(), true));
      }
    }
    ExpectationStats stats = store.get(EVENT_PREFIX + eventName);
    if (stats != null) {
      for (Map.Entry<String, ConsumerStats> entry : stats.getConsumers().entrySet()) {
        ConsumerStats c = entry.getValue();
        if (!expectedNow(c, stats, nowMs)) {
          continue;
        }
        ExpectedConsumer declared = expected.get(entry.getKey());
        expected.put(entry.getKey(), declared != null
            ? new ExpectedConsumer(declared.name(), c.getConsumerGroup() != null ? c.getConsumerGroup()
                : declared.consumerGroup(), declared.deadlineMs(), true)
            : new ExpectedConsumer(entry.getKey(), c.getConsumerGroup(), learnedDeadline(c, nowMs), false));
      }
    }
    List<ExpectedConsumer> list = new ArrayList<>(expected.values());
    list.sort(Comparator.comparing(ExpectedConsumer::name));
    return list;
  }

  @Override
  public boolean calleeExpected(String service, String spanName, long nowMs) {
    ExpectationStats stats = store.get(CALL_PREFIX + service + "/" + spanName);
    ConsumerStats callee = stats == null ? null : stats.getConsumers().get(CALLEE);
    return callee != null && expectedNow(callee, stats, nowMs);
  }

  /** Folds what a published workflow showed into the tables. */
  public void learn(Observations observations, long nowMs) {
    for (Observations.EventSeen event : observations.events()) {
      learnEvent(event, nowMs);
    }
    for (Observations.CallSeen call : observations.calls()) {
      learnCall(call, nowMs);
    }
    if (++learned % SWEEP_EVERY == 0) {
      sweep(nowMs);
    }
  }

  private void learnEvent(Observations.EventSeen event, long nowMs) {
    String key = EVENT_PREFIX + event.eventName();
    ExpectationStats current = store.get(key);
    if (current == null && !roomForKey()) {
      return;
    }
    double factor = current == null ? 1 : factor(current.getLastObservedMs(), nowMs, settings.halfLife().toMillis());
    Map<String, Observations.Handled> handled = new HashMap<>();
    event.handledBy().forEach(h -> handled.putIfAbsent(h.consumer(), h));
    Map<String, ConsumerStats> consumers = new HashMap<>();
    if (current != null) {
      for (Map.Entry<String, ConsumerStats> entry : current.getConsumers().entrySet()) {
        Observations.Handled h = handled.remove(entry.getKey());
        ConsumerStats c = entry.getValue();
        if (h == null && forgotten(c, nowMs)) {
          continue; // forgotten: it leaves the table, and would be learned afresh should it come back
        }
        consumers.put(entry.getKey(), observed(c, current, factor, h, nowMs));
      }
    }
    for (Observations.Handled h : handled.values()) {
      if (consumers.size() >= settings.maxConsumersPerEvent()) {
        counters.add("expectations.consumers_over_cap", 1);
        continue;
      }
      consumers.put(h.consumer(), observed(ConsumerStats.newBuilder().build(), null, 1, h, nowMs));
    }
    store.put(key, ExpectationStats.newBuilder()
        .setObservations((current == null ? 0 : current.getObservations() * factor) + 1)
        .setLastObservedMs(nowMs).setConsumers(consumers).build());
  }

  private void learnCall(Observations.CallSeen call, long nowMs) {
    String key = CALL_PREFIX + call.service() + "/" + call.spanName();
    ExpectationStats current = store.get(key);
    if (current == null && !roomForKey()) {
      return;
    }
    double factor = current == null ? 1 : factor(current.getLastObservedMs(), nowMs, settings.halfLife().toMillis());
    ConsumerStats callee = current == null ? null : current.getConsumers().get(CALLEE);
    if (callee != null && !call.calleeAppeared() && forgotten(callee, nowMs)) {
      callee = null; // forgotten, as a consumer is
    }
    Map<String, ConsumerStats> consumers = new HashMap<>();
    if (callee != null || call.calleeAppeared()) {
      Observations.Handled h = call.calleeAppeared() ? new Observations.Handled(CALLEE, null, 0) : null;
      consumers.put(CALLEE, observed(callee == null ? ConsumerStats.newBuilder().build() : callee, current,
          callee == null ? 1 : factor, h, nowMs));
    }
    store.put(key, ExpectationStats.newBuilder()
        .setObservations((current == null ? 0 : current.getObservations() * factor) + 1)
        .setLastObservedMs(nowMs).setConsumers(consumers).build());
  }

  /** A consumer's record after one more event: handled ({@code h}) or missed, and expected from now on if it qualifies. */
  private ConsumerStats observed(ConsumerStats c, ExpectationStats of, double factor, Observations.Handled h,
      long nowMs) {
    ConsumerStats.Builder next = ConsumerStats.newBuilder(c)
        .setHandled(c.getHandled() * factor).setMissedBefore(c.getMissedBefore() * factor)
        .setMissedSince(c.getMissedSince() * factor);
    if (legacyExpected(c, of)) {
      next.setExpectedSinceMs(nowMs);
    }
    if (h == null) {
      next.setMissedSince(next.getMissedSince() + 1);
    } else {
      LatencyBaseline baseline = baseline(c).withSample(h.latencyMs(), nowMs, settings.baselineHalfLife().toMillis());
      boolean learning = c.getExpectedSinceMs() == 0 && !legacyExpected(c, of);
      next.setMissedBefore(next.getMissedBefore() + next.getMissedSince()).setMissedSince(0)
          .setHandled(next.getHandled() + 1).setLastHandledMs(nowMs)
          .setLatencyFirstBucket(baseline.firstBucket()).setLatencyBuckets(baseline.weights())
          .setLatencyMeanMs(0).setLatencyVarMs2(0)
          // While it is being learned the baseline is simply the percentile; from then on it moves at a bounded pace.
          .setBaselineMs(learning ? percentileOf(baseline) : limited(c, percentileOf(baseline), nowMs))
          .setBaselineAtMs(nowMs);
      if (h.consumerGroup() != null) {
        next.setConsumerGroup(h.consumerGroup());
      }
    }
    double seen = next.getHandled() + next.getMissedBefore() + next.getMissedSince();
    if (next.getExpectedSinceMs() == 0 && next.getHandled() >= settings.minObservations()
        && next.getHandled() / seen >= settings.minRatio()) {
      next.setExpectedSinceMs(nowMs);
    }
    return next.build();
  }

  private boolean expectedNow(ConsumerStats c, ExpectationStats of, long nowMs) {
    return (c.getExpectedSinceMs() > 0 || legacyExpected(c, of)) && !forgotten(c, nowMs);
  }

  private boolean forgotten(ConsumerStats c, long nowMs) {
    return nowMs - c.getLastHandledMs() > settings.forgetAfter().toMillis();
  }

  /**
   * A record written before expectations were kept for good (it has the old running mean and no histogram): it was
   * expected under the old rule, so it still is.
   */
  private boolean legacyExpected(ConsumerStats c, ExpectationStats of) {
    // Every success since adds to the histogram, so a record with successes and none in it was written before.
    if (c.getExpectedSinceMs() > 0 || !c.getLatencyBuckets().isEmpty() || c.getHandled() <= 0 || of == null) {
      return false;
    }
    double ratio = c.getHandled() / (c.getHandled() + c.getMissedBefore());
    return of.getObservations() >= settings.minObservations() && ratio >= settings.minRatio();
  }

  /** The stored histogram; for a record written before there was one, seeded with its old "usual" time. */
  private static LatencyBaseline baseline(ConsumerStats c) {
    if (c.getLatencyBuckets().isEmpty() && c.getLatencyMeanMs() > 0) {
      double usual = c.getLatencyMeanMs() + 3 * Math.sqrt(Math.max(0, c.getLatencyVarMs2()));
      return LatencyBaseline.empty().withSample(usual, c.getLastHandledMs(), 1);
    }
    return LatencyBaseline.of(c.getLatencyFirstBucket(), c.getLatencyBuckets(), c.getLastHandledMs());
  }

  private long learnedDeadline(ConsumerStats c, long nowMs) {
    double usual = limited(c, percentileOf(baseline(c)), nowMs);
    long floor = settings.deadlineFloor().toMillis();
    return usual <= 0 ? floor : Math.max(floor, Math.round(settings.deadlineMultiplier() * usual));
  }

  private double percentileOf(LatencyBaseline baseline) {
    return baseline.quantile(settings.baselinePercentile()).orElse(0);
  }

  /**
   * The percentile, held within {@code baselineMaxChangePerHour} per hour of the baseline last computed: however
   * much evidence of a new pace piles up, the deadline follows it at a pace of its own, so a consumer that became
   * slower is late for a horizon that does not depend on how long its history is or how busy it is.
   */
  private double limited(ConsumerStats c, double percentile, long nowMs) {
    if (c.getBaselineMs() <= 0 || percentile <= 0) {
      return percentile;
    }
    double hours = Math.max(0, nowMs - c.getBaselineAtMs()) / 3_600_000.0;
    double band = Math.pow(settings.baselineMaxChangePerHour(), hours);
    return Math.min(c.getBaselineMs() * band, Math.max(c.getBaselineMs() / band, percentile));
  }

  private boolean roomForKey() {
    if (keys < 0) {
      keys = 0;
      try (KeyValueIterator<String, ExpectationStats> it = store.all()) {
        while (it.hasNext()) {
          it.next();
          keys++;
        }
      }
    }
    if (keys >= settings.maxKeys()) {
      counters.add("expectations.keys_over_cap", 1);
      return false;
    }
    keys++;
    return true;
  }

  /** Looks at the next few keys and deletes those that teach nothing any more. */
  private void sweep(long nowMs) {
    List<String> gone = new ArrayList<>();
    String last = null;
    int visited = 0;
    try (KeyValueIterator<String, ExpectationStats> it = sweepFrom == null ? store.all() : store.range(sweepFrom, null)) {
      while (it.hasNext() && visited < SWEEP_EVERY) {
        KeyValue<String, ExpectationStats> entry = it.next();
        visited++;
        last = entry.key;
        if (spent(entry.value, nowMs)) {
          gone.add(entry.key);
        }
      }
      // Next time from just after the last key seen; from the start again once the end was reached.
      sweepFrom = it.hasNext() && last != null ? last + '\u0000' : null;
    }
    gone.forEach(store::delete);
    if (!gone.isEmpty()) {
      if (keys >= 0) {
        keys -= gone.size();
      }
      counters.add("expectations.keys_swept", gone.size());
    }
  }

  private boolean spent(ExpectationStats stats, long nowMs) {
    for (ConsumerStats c : stats.getConsumers().values()) {
      if (expectedNow(c, stats, nowMs)) {
        return false;
      }
    }
    double weight = stats.getObservations() * factor(stats.getLastObservedMs(), nowMs, settings.halfLife().toMillis());
    return weight < 1 || nowMs - stats.getLastObservedMs() > settings.forgetAfter().toMillis();
  }

  private static double factor(long sinceMs, long nowMs, long halfLifeMs) {
    long elapsed = Math.max(0, nowMs - sinceMs);
    return Math.pow(0.5, (double) elapsed / halfLifeMs);
  }
}
