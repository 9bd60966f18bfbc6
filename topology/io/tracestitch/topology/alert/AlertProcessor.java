package io.tracestitch.topology.alert;

import io.tracestitch.avro.Alert;
import io.tracestitch.avro.AlertAction;
import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.internal.AlertState;
import io.tracestitch.avro.internal.FindingAction;
import io.tracestitch.avro.internal.FindingMessage;
import io.tracestitch.topology.StitchCounters;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The alert stage (keyed by dedup key): one alert per problem, however many workflows show it.
 *
 * <p>The first fresh occurrence sends TRIGGER at once; while firing, the alert is re-sent every
 * {@code resendInterval} with its count (paging systems expect re-sends, Alertmanager within 5 minutes),
 * never more often; it is resolved (RESOLVE) when a healthy branch of the same group is seen, or after
 * {@code quietPeriod} without occurrences. The lifecycle runs on the wall clock, since it is about paging
 * people now. An occurrence decided longer than {@code maxLag} ago (the stitcher is working through a
 * backlog) is counted but does not page by itself: replaying yesterday must not wake anyone.
 * Alert groups are few (kinds × consumers × event names), so the punctuator visits them all.
 */
public final class AlertProcessor implements Processor<String, FindingMessage, String, Alert> {
  public static final String STORE = "alerts";
  private static final int MAX_SAMPLES = 5;

  private final AlertSettings settings;
  private final ConsumerOffsets offsets;
  private final StitchCounters counters;
  private ProcessorContext<String, Alert> context;
  private KeyValueStore<String, AlertState> alerts;

  public AlertProcessor(AlertSettings settings, ConsumerOffsets offsets, StitchCounters counters) {
    this.settings = settings;
    this.offsets = offsets;
    this.counters = counters;
  }

  @Override
  public void init(ProcessorContext<String, Alert> context) {
    this.context = context;
    this.alerts = context.getStateStore(STORE);
    long every = Math.max(1_000, Math.min(settings.resendInterval().toMillis(), settings.quietPeriod().toMillis()) / 4);
    context.schedule(java.time.Duration.ofMillis(every), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
  }

  @Override
  public void process(Record<String, FindingMessage> record) {
    long now = context.currentSystemTimeMs();
    String key = record.key();
    FindingMessage finding = record.value();
    AlertState state = alerts.get(key);
    if (finding.getAction() == FindingAction.CLEARED) {
      if (state != null && state.getFiring()) {
        resolve(key, state, now);
      }
      return;
    }
    if (state == null || !state.getFiring()) {
      state = AlertState.newBuilder().setFiring(true).setFirstSeenMs(now).build();
    }
    state.setCount(state.getCount() + 1);
    state.setLastSeenMs(now);
    state.setLatest(finding);
    state.setSamples(recent(state.getSamples(), finding.getWorkflowId()));
    state.setSampleTraceIds(recent(state.getSampleTraceIds(), finding.getTraceId()));
    state.setSampleCorrelationIds(recent(state.getSampleCorrelationIds(), finding.getCorrelationId()));
    state.setDirty(true);
    boolean fresh = now - finding.getAtMs() <= settings.maxLag().toMillis();
    if (!state.getTriggered() && fresh) {
      state.setTriggered(true);
      send(key, state, AlertAction.TRIGGER, now);
    } else if (!fresh) {
      counters.add("alerts.suppressed_catching_up", 1);
    }
    alerts.put(key, state);
  }

  private void punctuate(long wallMs) {
    long now = context.currentSystemTimeMs();
    List<KeyValue<String, AlertState>> all = new ArrayList<>();
    try (KeyValueIterator<String, AlertState> it = alerts.all()) {
      it.forEachRemaining(all::add);
    }
    for (KeyValue<String, AlertState> entry : all) {
      AlertState state = entry.value;
      if (!state.getFiring()) {
        alerts.delete(entry.key);
      } else if (now - state.getLastSeenMs() >= settings.quietPeriod().toMillis()) {
        resolve(entry.key, state, now);
      } else if (state.getTriggered() && now - state.getLastSentMs() >= settings.resendInterval().toMillis()) {
        send(entry.key, state, AlertAction.TRIGGER, now);
        alerts.put(entry.key, state);
      }
    }
  }

  private void resolve(String key, AlertState state, long now) {
    if (state.getTriggered()) {
      send(key, state, AlertAction.RESOLVE, now);
    }
    alerts.delete(key);
  }

  private void send(String key, AlertState state, AlertAction action, long now) {
    state.setSequence(state.getSequence() + 1);
    state.setLastSentMs(now);
    state.setDirty(false);
    Alert alert = AlertBuilder.build(key, state, action, now, settings,
        action == AlertAction.TRIGGER ? diagnose(state) : Optional.empty());
    counters.add("alerts." + alert.getKind().name().toLowerCase() + "." + action.name().toLowerCase(), 1);
    context.forward(new Record<>(key, alert, now));
  }

  /** Only a stalled branch of a known consumer group at a known offset can be checked against the cluster. */
  private Optional<String> diagnose(AlertState state) {
    var f = state.getLatest();
    if (f.getKind() != AlertKind.STALLED_BRANCH || f.getConsumerGroup() == null || f.getTopic() == null
        || f.getPartition() == null || f.getOffset() == null) {
      return Optional.empty();
    }
    return offsets.diagnose(f.getConsumerGroup(), f.getTopic(), f.getPartition(), f.getOffset())
        .map(d -> d.sentence(f.getConsumerGroup(), f.getTopic(), f.getPartition(), f.getOffset()));
  }

  private static List<String> recent(List<String> current, String next) {
    List<String> out = new ArrayList<>(current);
    if (next != null && !out.contains(next)) {
      out.add(next);
    }
    return out.size() > MAX_SAMPLES ? new ArrayList<>(out.subList(out.size() - MAX_SAMPLES, out.size())) : out;
  }
}
