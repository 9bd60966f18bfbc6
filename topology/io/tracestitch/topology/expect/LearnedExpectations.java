package io.tracestitch.topology.expect;

import io.tracestitch.avro.internal.ConsumerStats;
import io.tracestitch.avro.internal.ExpectationStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Expectations learned from traffic and kept in a (changelogged) store, so learning survives restarts.
 *
 * <p>Each by-workflow task learns from the workflows it publishes; workflows are spread over tasks by
 * id, so every task sees a fair sample of all traffic and no table has to be shared. A consumer is
 * expected for an event name when it handled most such events while it was active; a consumer that
 * stops keeps that record (so a stall keeps paging) until {@code forgetAfter} passes without a success
 * (so removing a consumer does not page forever). Counts decay with a half-life so the table follows
 * change. Every update touches one store entry per event name or calling span.
 */
public final class LearnedExpectations implements Expectations {
  private static final String EVENT_PREFIX = "event:";
  private static final String CALL_PREFIX = "call:";

  private final KeyValueStore<String, ExpectationStats> store;
  private final ExpectationSettings settings;
  private final Contracts contracts;

  public LearnedExpectations(KeyValueStore<String, ExpectationStats> store, ExpectationSettings settings,
      Contracts contracts) {
    this.store = store;
    this.settings = settings;
    this.contracts = contracts;
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
    if (stats != null && decayed(stats.getObservations(), stats.getLastObservedMs(), nowMs) >= settings.minObservations()) {
      for (Map.Entry<String, ConsumerStats> entry : stats.getConsumers().entrySet()) {
        ConsumerStats c = entry.getValue();
        double handled = c.getHandled();
        boolean active = nowMs - c.getLastHandledMs() <= settings.forgetAfter().toMillis();
        if (active && handled / (handled + c.getMissedBefore()) >= settings.minRatio()) {
          ExpectedConsumer declared = expected.get(entry.getKey());
          expected.put(entry.getKey(), declared != null
              ? new ExpectedConsumer(declared.name(), c.getConsumerGroup() != null ? c.getConsumerGroup()
                  : declared.consumerGroup(), declared.deadlineMs(), true)
              : new ExpectedConsumer(entry.getKey(), c.getConsumerGroup(), learnedDeadline(c), false));
        }
      }
    }
    List<ExpectedConsumer> list = new ArrayList<>(expected.values());
    list.sort(java.util.Comparator.comparing(ExpectedConsumer::name));
    return list;
  }

  @Override
  public boolean calleeExpected(String service, String spanName, long nowMs) {
    ExpectationStats stats = store.get(CALL_PREFIX + service + "/" + spanName);
    if (stats == null || nowMs - stats.getLastObservedMs() > settings.forgetAfter().toMillis()) {
      return false;
    }
    ConsumerStats callee = stats.getConsumers().get("callee");
    double observed = decayed(stats.getObservations(), stats.getLastObservedMs(), nowMs);
    return callee != null && observed >= settings.minObservations()
        && callee.getHandled() / (callee.getHandled() + callee.getMissedBefore()) >= settings.minRatio();
  }

  /** Folds what a published workflow showed into the tables. */
  public void learn(Observations observations, long nowMs) {
    for (Observations.EventSeen event : observations.events()) {
      learnEvent(event, nowMs);
    }
    for (Observations.CallSeen call : observations.calls()) {
      learnCall(call, nowMs);
    }
  }

  private void learnEvent(Observations.EventSeen event, long nowMs) {
    String key = EVENT_PREFIX + event.eventName();
    ExpectationStats stats = decay(store.get(key), nowMs);
    stats.setObservations(stats.getObservations() + 1);
    Map<String, ConsumerStats> consumers = new HashMap<>(stats.getConsumers());
    Map<String, Observations.Handled> handled = new HashMap<>();
    event.handledBy().forEach(h -> handled.put(h.consumer(), h));
    for (Observations.Handled h : event.handledBy()) {
      consumers.putIfAbsent(h.consumer(), ConsumerStats.newBuilder().build());
    }
    for (Map.Entry<String, ConsumerStats> entry : consumers.entrySet()) {
      ConsumerStats c = ConsumerStats.newBuilder(entry.getValue()).build();
      Observations.Handled h = handled.get(entry.getKey());
      if (h == null) {
        c.setMissedSince(c.getMissedSince() + 1);
      } else {
        // Misses followed by a success were real misses of a live consumer: they count against its ratio now.
        c.setMissedBefore(c.getMissedBefore() + c.getMissedSince());
        c.setMissedSince(0);
        c.setHandled(c.getHandled() + 1);
        c.setLastHandledMs(nowMs);
        if (h.consumerGroup() != null) {
          c.setConsumerGroup(h.consumerGroup());
        }
        double alpha = c.getHandled() < 10 ? 1 / c.getHandled() : 0.1;
        double delta = h.latencyMs() - c.getLatencyMeanMs();
        c.setLatencyMeanMs(c.getLatencyMeanMs() + alpha * delta);
        c.setLatencyVarMs2((1 - alpha) * (c.getLatencyVarMs2() + alpha * delta * delta));
      }
      consumers.put(entry.getKey(), c);
    }
    stats.setConsumers(consumers);
    stats.setLastObservedMs(nowMs);
    store.put(key, stats);
  }

  private void learnCall(Observations.CallSeen call, long nowMs) {
    String key = CALL_PREFIX + call.service() + "/" + call.spanName();
    ExpectationStats stats = decay(store.get(key), nowMs);
    stats.setObservations(stats.getObservations() + 1);
    Map<String, ConsumerStats> consumers = new HashMap<>(stats.getConsumers());
    ConsumerStats callee = consumers.containsKey("callee")
        ? ConsumerStats.newBuilder(consumers.get("callee")).build() : ConsumerStats.newBuilder().build();
    if (call.calleeAppeared()) {
      callee.setHandled(callee.getHandled() + 1);
      callee.setLastHandledMs(nowMs);
    } else {
      callee.setMissedBefore(callee.getMissedBefore() + 1);
    }
    consumers.put("callee", callee);
    stats.setConsumers(consumers);
    stats.setLastObservedMs(nowMs);
    store.put(key, stats);
  }

  private ExpectationStats decay(ExpectationStats current, long nowMs) {
    if (current == null) {
      return ExpectationStats.newBuilder().setLastObservedMs(nowMs).build();
    }
    double factor = factor(current.getLastObservedMs(), nowMs);
    ExpectationStats next = ExpectationStats.newBuilder(current).build();
    next.setObservations(current.getObservations() * factor);
    Map<String, ConsumerStats> consumers = new HashMap<>();
    current.getConsumers().forEach((name, c) -> consumers.put(name, ConsumerStats.newBuilder(c)
        .setHandled(c.getHandled() * factor).setMissedBefore(c.getMissedBefore() * factor)
        .setMissedSince(c.getMissedSince() * factor).build()));
    next.setConsumers(consumers);
    return next;
  }

  private double decayed(double value, long sinceMs, long nowMs) {
    return value * factor(sinceMs, nowMs);
  }

  private double factor(long sinceMs, long nowMs) {
    long elapsed = Math.max(0, nowMs - sinceMs);
    return Math.pow(0.5, (double) elapsed / settings.halfLife().toMillis());
  }

  private long learnedDeadline(ConsumerStats c) {
    double usual = c.getLatencyMeanMs() + 3 * Math.sqrt(Math.max(0, c.getLatencyVarMs2()));
    return Math.max(settings.deadlineFloor().toMillis(), Math.round(settings.deadlineMultiplier() * usual));
  }
}
