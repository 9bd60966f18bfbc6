package io.tracestitch.topology.alert;

import io.tracestitch.avro.Alert;
import io.tracestitch.avro.AlertAction;
import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.internal.AlertState;
import io.tracestitch.avro.internal.FindingAction;
import io.tracestitch.avro.internal.FindingMessage;
import io.tracestitch.avro.internal.PartitionSeen;
import io.tracestitch.topology.ProcessorClock;
import io.tracestitch.topology.ReadToEnd;
import io.tracestitch.topology.StitchCounters;
import io.tracestitch.topology.graph.DedupKeys;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The alert stage (keyed by dedup key): one alert per problem, however many workflows show it, and one page per
 * problem however it comes and goes.
 *
 * <p>Lifecycle:
 * <ul>
 *   <li><b>Trigger</b>: the first fresh occurrence sends TRIGGER at once. An occurrence decided longer than
 *       {@code maxLag} ago (the stitcher is working through a backlog) is counted but does not page by itself:
 *       replaying yesterday must not wake anyone.</li>
 *   <li><b>Re-send</b>: while firing, every {@code resendInterval} (paging systems expect it; Alertmanager resolves
 *       an alert it has not heard of for its resolve_timeout), never more often, with the count so far and the
 *       latest diagnosis.</li>
 *   <li><b>Resolve</b> when the problem has really cleared: no new occurrence for {@code resolveAfter} (stretched to
 *       twice the longest gap between two of its occurrences, for a problem that comes and goes) <i>and</i> a
 *       healthy branch of the group seen since the last occurrence. A healthy branch alone resolves nothing: in a
 *       partial outage healthy branches come all the time. A problem that pauses and comes back within that
 *       period stays the same page; its count grows.</li>
 *   <li><b>Resolve on silence</b>: no occurrence for {@code quietPeriod}, healthy evidence or not (traffic stopped,
 *       the consumer was forgotten): nothing is left to say it is still wrong.</li>
 * </ul>
 *
 * <p>Time: occurrences and healthy evidence are dated by the stitcher's clock when it decided, and "now" for the
 * resolve rules is this stage's {@link ProcessorClock} of those records, so a stage that is catching up judges
 * quiet by the data's time, as replay does. Re-sends follow the wall clock (the processor context's), since they
 * are about the paging system's own timeouts; replay drives both.
 *
 * <p>The consumer-group offsets of a stalled branch are read by {@link ConsumerOffsets} off this thread; a send
 * carries whatever it has read by then (a first TRIGGER often nothing yet: the diagnosis then comes with the next
 * re-send). Alert groups are few (kinds × consumers × event names) and capped at {@code maxGroups} (counted
 * beyond), so the punctuator visits them all.
 */
public final class AlertProcessor implements Processor<String, FindingMessage, String, Alert> {
  public static final String STORE = "alerts";
  private static final int MAX_SAMPLES = 5;
  static final int MAX_PARTITIONS = 32;

  private final AlertSettings settings;
  private final ConsumerOffsets offsets;
  private final StitchCounters counters;
  private final ProcessorClock clock;
  private ProcessorContext<String, Alert> context;
  private KeyValueStore<String, AlertState> alerts;
  private long groups;
  /**
   * Per stalled-branch key with no alert state, the publication time of the latest event a healthy branch of it
   * handled: evidence that often comes before a spanless stall of an earlier event is decided (its deadline is
   * longer than the later events' quiet gap), and that the verdict needs then. On the heap, bounded like the alert
   * groups; lost on restart, which only means waiting for the next such evidence.
   */
  private final Map<String, Long> healthyBeforeAnyAlert = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > settings.maxGroups();
    }
  };

  public AlertProcessor(AlertSettings settings, ConsumerOffsets offsets, StitchCounters counters) {
    this(settings, offsets, counters, ReadToEnd.NOT_WATCHED_ANYWHERE);
  }

  /**
   * {@code readToEnd}: how far this instance has read the findings; an instance cut off from the broker must not take
   * the outage for quiet and resolve pages whose next occurrences wait unread.
   */
  public AlertProcessor(AlertSettings settings, ConsumerOffsets offsets, StitchCounters counters, ReadToEnd readToEnd) {
    this.settings = settings;
    this.offsets = offsets;
    this.counters = counters;
    this.clock = ProcessorClock.ofRecords(readToEnd);
  }

  @Override
  public void init(ProcessorContext<String, Alert> context) {
    this.context = context;
    this.alerts = context.getStateStore(STORE);
    clock.init(context);
    groups = all().size();
    context.schedule(settings.checkInterval(), PunctuationType.WALL_CLOCK_TIME, wall -> punctuate());
  }

  @Override
  public void process(Record<String, FindingMessage> record) {
    clock.recordArrived(record.timestamp());
    String key = record.key();
    FindingMessage finding = record.value();
    AlertState stored = alerts.get(key);
    if (finding.getAction() == FindingAction.CLEARED) {
      if (stored != null && stored.getFiring()) {
        alerts.put(key, healthy(stored, finding));
      } else if (finding.getKind() == AlertKind.STALLED_BRANCH && finding.getEventPublishedMs() != null) {
        healthyBeforeAnyAlert.merge(key, finding.getEventPublishedMs(), Math::max);
      }
      // A healthy branch of the consumer is evidence for its telemetry alert as well: its spans arrive again.
      String lostKey = telemetryKey(finding);
      AlertState lost = lostKey == null ? null : alerts.get(lostKey);
      if (lost != null && lost.getFiring()) {
        alerts.put(lostKey, healthy(lost, finding));
      }
      return;
    }
    AlertState.Builder state;
    if (stored == null || !stored.getFiring()) {
      if (stored == null && groups >= settings.maxGroups()) {
        counters.add("alerts.suppressed_group_cap", 1);
        return;
      }
      // Built first, so the builder starts from the schema's defaults (an unbuilt builder's lists are null).
      Long healthyEarlier = healthyBeforeAnyAlert.remove(key);
      state = AlertState.newBuilder(AlertState.newBuilder().setFiring(true).setFirstSeenMs(finding.getAtMs())
          .setLastSeenMs(finding.getAtMs()).setLastHealthyEventMs(healthyEarlier == null ? 0 : healthyEarlier)
          .build());
    } else {
      state = AlertState.newBuilder(stored)
          .setLongestGapMs(Math.max(stored.getLongestGapMs(), finding.getAtMs() - stored.getLastSeenMs()));
    }
    state.setCount(state.getCount() + 1)
        .setLastSeenMs(Math.max(state.getLastSeenMs(), finding.getAtMs()))
        .setLatest(finding)
        .setSamples(recent(state.getSamples(), finding.getWorkflowId()))
        .setSampleTraceIds(recent(state.getSampleTraceIds(), finding.getTraceId()))
        .setSampleCorrelationIds(recent(state.getSampleCorrelationIds(), finding.getCorrelationId()))
        .setPartitions(seen(state.getPartitions(), finding, true))
        .setDirty(true);
    if (spanless(finding)) {
      long published = finding.getEventPublishedMs();
      state.setFirstSpanlessEventMs(state.getFirstSpanlessEventMs() == 0 ? published
          : Math.min(state.getFirstSpanlessEventMs(), published));
    }
    AlertState next = state.build();
    long wall = context.currentSystemTimeMs();
    boolean fresh = wall - finding.getAtMs() <= settings.maxLag().toMillis();
    if (stored == null) {
      groups++;
    }
    if (!next.getTriggered() && fresh) {
      String lostKey = telemetryKey(finding);
      AlertState lost = lostKey == null ? null : alerts.get(lostKey);
      if (lost != null && lost.getFiring() && verdict(next, lost, wall, true) == Verdict.TELEMETRY_LOST) {
        // Its telemetry alert is firing and this occurrence shows the same: one more workflow of it, no hold.
        delete(key);
        telemetryLost(next);
        return;
      }
      next = judged(key, next, lost, wall);
      if (next == null) {
        return;
      }
    } else if (!fresh) {
      counters.add("alerts.suppressed_catching_up", 1);
    }
    alerts.put(key, next);
  }

  /**
   * A stall the consumer left no span for is either a stall or the consumer's telemetry lost (its instrumentation
   * or span export switched off while it goes on working). The witnesses, in this order:
   * <ol>
   *   <li>a branch of the same consumer for an event published <em>after</em> the spanless one arrived healthy, or
   *       an occurrence with spans of the consumer (stuck retrying, late): its spans do arrive, so it is a stall;</li>
   *   <li>nothing to ask (no consumer group, no event coordinates, no cluster as in replay, the Admin API failing,
   *       holding switched off): a stall, paged at once as ever;</li>
   *   <li>the group's committed offset, read since the hold began, has not got past the event: a stall;</li>
   *   <li>the group committed past every affected event, and for {@code telemetryHold} no later span of the
   *       consumer came: its telemetry is lost. It does not page as a stall; it raises TELEMETRY_MISSING, a
   *       warning, or is only counted.</li>
   * </ol>
   * Until one of them answers (at most {@code telemetryHold}; offsets not read by then page as a stall) the
   * occurrence is held: firing, not triggered.
   */
  private enum Verdict { STALL, TELEMETRY_LOST, WAIT }

  private Verdict verdict(AlertState state, AlertState lost, long wall, boolean holdServed) {
    FindingMessage f = state.getLatest();
    if (!spanless(f) || settings.telemetryHold().isZero() || f.getConsumerGroup() == null || f.getTopic() == null
        || f.getPartition() == null || f.getOffset() == null) {
      return Verdict.STALL;
    }
    long laterHealthy = Math.max(state.getLastHealthyEventMs(), lost == null ? 0 : lost.getLastHealthyEventMs());
    if (laterHealthy > state.getFirstSpanlessEventMs()) {
      return Verdict.STALL;
    }
    boolean served = holdServed || (state.getHeldSinceMs() > 0
        && wall - state.getHeldSinceMs() >= settings.telemetryHold().toMillis());
    GroupPositions positions = offsets.positions(f.getConsumerGroup(), f.getTopic());
    return switch (positions.status()) {
      case UNAVAILABLE, NOT_CHECKED -> Verdict.STALL;
      case PENDING -> served ? Verdict.STALL : Verdict.WAIT;
      case READY -> {
        if (committedPastEveryAffected(state, f.getTopic(), positions)) {
          yield served ? Verdict.TELEMETRY_LOST : Verdict.WAIT;
        }
        boolean readSinceHeld = state.getHeldSinceMs() > 0 && positions.asOfMs() >= state.getHeldSinceMs();
        yield readSinceHeld || served ? Verdict.STALL : Verdict.WAIT;
      }
    };
  }

  /** The state after its verdict: triggered (a stall), held (no verdict yet), or null (lost telemetry, moved). */
  private AlertState judged(String key, AlertState state, AlertState lost, long wall) {
    switch (verdict(state, lost, wall, false)) {
      case STALL -> {
        return send(key, AlertState.newBuilder(state).setHeldSinceMs(0).build(), AlertAction.TRIGGER, null);
      }
      case WAIT -> {
        return state.getHeldSinceMs() > 0 ? state : AlertState.newBuilder(state).setHeldSinceMs(wall).build();
      }
      default -> {
        delete(key);
        telemetryLost(state);
        return null;
      }
    }
  }

  private static boolean committedPastEveryAffected(AlertState state, String topic, GroupPositions positions) {
    boolean any = false;
    for (PartitionSeen p : state.getPartitions()) {
      if (p.getAffected() == 0 || !p.getTopic().equals(topic) || p.getLastOffset() < 0) {
        continue;
      }
      GroupPositions.Position at = positions.partitions().get(p.getPartition());
      if (at == null || at.committed() <= p.getLastOffset()) {
        return false;
      }
      any = true;
    }
    return any;
  }

  /**
   * Moves the occurrences of a spanless stall to the consumer's TELEMETRY_MISSING alert (its own lifecycle: a
   * warning, re-sent and resolved like any other), or only counts them when that alert is switched off.
   */
  private void telemetryLost(AlertState stall) {
    counters.add("alerts.suppressed_telemetry_missing", stall.getCount());
    if (!settings.telemetryMissingAlert()) {
      return;
    }
    FindingMessage f = stall.getLatest();
    String lostKey = telemetryKey(f);
    FindingMessage latest = FindingMessage.newBuilder(f).setKind(AlertKind.TELEMETRY_MISSING).setDedupKey(lostKey)
        .setSeverity(io.tracestitch.avro.Severity.warning.name())
        .setDetail(f.getConsumer() + " left no span for " + f.getEventName() + " (" + f.getEventId() + ") although "
            + "its consumer group " + f.getConsumerGroup() + " committed past it, and no span of it came for any "
            + "later " + f.getEventName() + ": its telemetry is lost (instrumentation or span export switched off), "
            + "or it drops every event without a trace.")
        .build();
    AlertState current = alerts.get(lostKey);
    AlertState.Builder next;
    if (current == null || !current.getFiring()) {
      next = AlertState.newBuilder(stall).setTriggered(false).setHeldSinceMs(0).setSequence(0).setLastSentMs(0)
          .setLastHealthyMs(0).setLastHealthyEventMs(0);
      if (current == null) {
        groups++;
      }
    } else {
      next = AlertState.newBuilder(current).setCount(current.getCount() + stall.getCount())
          .setLongestGapMs(Math.max(current.getLongestGapMs(), stall.getFirstSeenMs() - current.getLastSeenMs()))
          .setLastSeenMs(Math.max(current.getLastSeenMs(), stall.getLastSeenMs()))
          .setSamples(recent(current.getSamples(), stall.getSamples()))
          .setSampleTraceIds(recent(current.getSampleTraceIds(), stall.getSampleTraceIds()))
          .setSampleCorrelationIds(recent(current.getSampleCorrelationIds(), stall.getSampleCorrelationIds()))
          .setPartitions(combined(current.getPartitions(), stall.getPartitions()))
          .setFirstSpanlessEventMs(Math.min(current.getFirstSpanlessEventMs(), stall.getFirstSpanlessEventMs()))
          .setDirty(true);
    }
    AlertState state = next.setLatest(latest).setFiring(true).build();
    if (!state.getTriggered()) {
      state = send(lostKey, state, AlertAction.TRIGGER, null);
    }
    alerts.put(lostKey, state);
  }

  private static boolean spanless(FindingMessage f) {
    return f.getKind() == AlertKind.STALLED_BRANCH && f.getNoConsumerSpan() && f.getEventPublishedMs() != null;
  }

  /** The key of the TELEMETRY_MISSING alert a stalled-branch finding's consumer would have, or null for other kinds. */
  private static String telemetryKey(FindingMessage f) {
    if (f.getKind() != AlertKind.STALLED_BRANCH || f.getConsumer() == null) {
      return null;
    }
    return DedupKeys.of(AlertKind.TELEMETRY_MISSING, f.getConsumer(), f.getEventName());
  }

  private static AlertState healthy(AlertState stored, FindingMessage finding) {
    long published = finding.getEventPublishedMs() == null ? 0 : finding.getEventPublishedMs();
    return AlertState.newBuilder(stored).setLastHealthyMs(Math.max(stored.getLastHealthyMs(), finding.getAtMs()))
        .setLastHealthyEventMs(Math.max(stored.getLastHealthyEventMs(), published))
        .setPartitions(seen(stored.getPartitions(), finding, false)).build();
  }

  private void punctuate() {
    long wall = context.currentSystemTimeMs();
    List<KeyValue<String, AlertState>> all = all();
    groups = all.size();
    for (KeyValue<String, AlertState> entry : all) {
      // Read again: a held stall judged earlier in this round may have moved into another group's state.
      AlertState state = alerts.get(entry.key);
      if (state == null) {
        continue;
      }
      if (!state.getFiring()) {
        delete(entry.key);
        continue;
      }
      if (state.getHeldSinceMs() > 0 && !state.getTriggered()) {
        String lostKey = telemetryKey(state.getLatest());
        state = judged(entry.key, state, lostKey == null ? null : alerts.get(lostKey), wall);
        if (state == null) {
          continue;
        }
        alerts.put(entry.key, state);
        if (state.getHeldSinceMs() > 0) {
          continue;
        }
      }
      String resolution = clock.hasData() ? resolution(state, clock.now()) : null;
      if (resolution != null) {
        if (state.getTriggered()) {
          send(entry.key, state, AlertAction.RESOLVE, resolution);
        }
        delete(entry.key);
      } else if (state.getTriggered() && wall - state.getLastSentMs() >= settings.resendInterval().toMillis()) {
        alerts.put(entry.key, send(entry.key, state, AlertAction.TRIGGER, null));
      }
    }
  }

  /** Why the problem is over, or null while it is not. */
  private String resolution(AlertState state, long now) {
    long quiet = now - state.getLastSeenMs();
    long needed = Math.min(settings.quietPeriod().toMillis(),
        Math.max(settings.resolveAfter().toMillis(), 2 * state.getLongestGapMs()));
    if (quiet >= needed && state.getLastHealthyMs() > state.getLastSeenMs()) {
      return "no new occurrence for " + minutes(quiet) + ", healthy branches seen since";
    }
    if (quiet >= settings.quietPeriod().toMillis()) {
      return "no new occurrence for " + minutes(quiet) + " and no healthy branch to judge by either";
    }
    return null;
  }

  private AlertState send(String key, AlertState state, AlertAction action, String resolution) {
    long wall = context.currentSystemTimeMs();
    AlertState sent = AlertState.newBuilder(state).setSequence(state.getSequence() + 1).setLastSentMs(wall)
        .setDirty(false).setTriggered(state.getTriggered() || action == AlertAction.TRIGGER).build();
    long at = action == AlertAction.RESOLVE && clock.hasData() ? clock.now() : wall;
    Alert alert = AlertBuilder.build(key, sent, action, at, settings, diagnose(sent), resolution);
    counters.add("alerts." + alert.getKind().name().toLowerCase(Locale.ROOT) + "."
        + action.name().toLowerCase(Locale.ROOT), 1);
    context.forward(new Record<>(key, alert, wall));
    return sent;
  }

  /** Where the problem sits; for a stalled branch of a known consumer group, also what its offsets say (never waits). */
  private Optional<PartitionDiagnosis> diagnose(AlertState state) {
    FindingMessage f = state.getLatest();
    boolean checkable = (f.getKind() == AlertKind.STALLED_BRANCH || f.getKind() == AlertKind.TELEMETRY_MISSING)
        && f.getConsumerGroup() != null && f.getTopic() != null;
    if (state.getPartitions().isEmpty() && !checkable) {
      return Optional.empty();
    }
    GroupPositions positions = checkable ? offsets.positions(f.getConsumerGroup(), f.getTopic()) : null;
    return Optional.of(PartitionDiagnosis.of(state.getPartitions(), f.getConsumerGroup(), f.getTopic(), positions));
  }

  /** The partitions seen, with this finding counted; at most {@link #MAX_PARTITIONS}, the least recently seen dropped. */
  private static List<PartitionSeen> seen(List<PartitionSeen> current, FindingMessage f, boolean affected) {
    if (f.getTopic() == null || f.getPartition() == null) {
      return current;
    }
    List<PartitionSeen> out = new ArrayList<>(current.size() + 1);
    PartitionSeen hit = null;
    for (PartitionSeen p : current) {
      if (hit == null && p.getTopic().equals(f.getTopic()) && p.getPartition() == f.getPartition()) {
        hit = p;
      } else {
        out.add(p);
      }
    }
    PartitionSeen.Builder next = PartitionSeen.newBuilder(hit != null ? hit
        : PartitionSeen.newBuilder().setTopic(f.getTopic()).setPartition(f.getPartition()).build());
    long offset = f.getOffset() == null ? -1 : f.getOffset();
    if (affected) {
      next.setAffected(next.getAffected() + 1).setLastAffectedMs(Math.max(next.getLastAffectedMs(), f.getAtMs()));
      if (offset >= 0) {
        next.setFirstOffset(next.getFirstOffset() < 0 ? offset : Math.min(next.getFirstOffset(), offset))
            .setLastOffset(Math.max(next.getLastOffset(), offset));
      }
    } else {
      next.setHealthy(next.getHealthy() + 1).setLastHealthyMs(Math.max(next.getLastHealthyMs(), f.getAtMs()));
    }
    out.add(next.build());
    return capped(out);
  }

  /** At most {@link #MAX_PARTITIONS}: healthy-only partitions go first, then the least recently seen. */
  private static List<PartitionSeen> capped(List<PartitionSeen> partitions) {
    if (partitions.size() <= MAX_PARTITIONS) {
      return partitions;
    }
    // The affected ones are what the page is about.
    List<PartitionSeen> out = new ArrayList<>(partitions);
    out.sort(Comparator.comparing((PartitionSeen p) -> p.getAffected() > 0)
        .thenComparingLong(p -> Math.max(p.getLastAffectedMs(), p.getLastHealthyMs())));
    return new ArrayList<>(out.subList(out.size() - MAX_PARTITIONS, out.size()));
  }

  /** Two lifecycles' partitions as one: counts added, offset ranges joined, {@link #capped}. */
  private static List<PartitionSeen> combined(List<PartitionSeen> a, List<PartitionSeen> b) {
    List<PartitionSeen> out = new ArrayList<>(a);
    for (PartitionSeen p : b) {
      int at = -1;
      for (int i = 0; i < out.size(); i++) {
        if (out.get(i).getTopic().equals(p.getTopic()) && out.get(i).getPartition() == p.getPartition()) {
          at = i;
        }
      }
      if (at < 0) {
        out.add(p);
        continue;
      }
      PartitionSeen q = out.get(at);
      long first = q.getFirstOffset() < 0 ? p.getFirstOffset()
          : p.getFirstOffset() < 0 ? q.getFirstOffset() : Math.min(q.getFirstOffset(), p.getFirstOffset());
      out.set(at, PartitionSeen.newBuilder(q).setAffected(q.getAffected() + p.getAffected()).setFirstOffset(first)
          .setLastOffset(Math.max(q.getLastOffset(), p.getLastOffset()))
          .setLastAffectedMs(Math.max(q.getLastAffectedMs(), p.getLastAffectedMs()))
          .setHealthy(q.getHealthy() + p.getHealthy()).setLastHealthyMs(Math.max(q.getLastHealthyMs(),
              p.getLastHealthyMs())).build());
    }
    return capped(out);
  }

  private List<KeyValue<String, AlertState>> all() {
    List<KeyValue<String, AlertState>> all = new ArrayList<>();
    try (KeyValueIterator<String, AlertState> it = alerts.all()) {
      it.forEachRemaining(all::add);
    }
    return all;
  }

  private void delete(String key) {
    alerts.delete(key);
    groups = Math.max(0, groups - 1);
  }

  private static String minutes(long ms) {
    long s = ms / 1000;
    return s < 120 ? s + " s" : s / 60 + " min";
  }

  private static List<String> recent(List<String> current, List<String> added) {
    List<String> out = current;
    for (String next : added) {
      out = recent(out, next);
    }
    return out;
  }

  private static List<String> recent(List<String> current, String next) {
    List<String> out = new ArrayList<>(current);
    if (next != null && !out.contains(next)) {
      out.add(next);
    }
    return out.size() > MAX_SAMPLES ? new ArrayList<>(out.subList(out.size() - MAX_SAMPLES, out.size())) : out;
  }
}
