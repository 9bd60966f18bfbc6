package io.tracestitch.topology.trace;

import io.tracestitch.avro.internal.EventRecord;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.TraceMessage;
import io.tracestitch.avro.internal.TraceState;
import io.tracestitch.topology.DueIndex;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The by-trace stage's store room: a state per trace, the records a trace holds while its workflow is unknown
 * (under the trace's key prefix), and the deadline index. It alone knows that layout and when a trace is due:
 * at the end of its hold while it is unassigned, at its expiry once it is.
 */
public final class TraceStore extends TraceView {
  private static final char SEPARATOR = '\u0000';
  private static final long EXPIRY_STEPS = 16;

  private final KeyValueStore<String, TraceState> states;
  private final KeyValueStore<String, TraceMessage> held;
  private final DueIndex due;

  /** What a trace held: its spans and events, in the order they came. */
  public record Held(List<SpanRecord> spans, List<EventRecord> events) {}

  public TraceStore(KeyValueStore<String, TraceState> states, KeyValueStore<String, TraceMessage> held,
      KeyValueStore<String, String> due) {
    super(states);
    this.states = states;
    this.held = held;
    this.due = new DueIndex(due);
  }

  public static TraceStore of(ProcessorContext<?, ?> context) {
    return new TraceStore(context.getStateStore(STATE_STORE), context.getStateStore(HELD_STORE),
        context.getStateStore(DUE_STORE));
  }

  /** When the trace must be looked at next: the end of its hold while unassigned, its expiry once assigned. */
  static long dueOf(TraceState state) {
    return state.getWorkflowId() == null ? state.getHoldUntilMs() : state.getExpiresAtMs();
  }

  /**
   * Writes the state and files it in the deadline index at {@link #dueOf}. Filing is lazy: a due time that moves
   * later (an assigned trace's expiry, pushed by each record) keeps its earlier entry, filed again when it comes up.
   */
  public void save(String traceId, TraceState state) {
    state.setIndexedAtMs(due.fileBy(dueOf(state), traceId, state.getIndexedAtMs()));
    states.put(traceId, state);
  }

  /**
   * Writes the state after a record of the trace, and keeps the trace at least {@code keepMs} after that record. A
   * record of an assigned trace usually changes nothing but that expiry, and writing the state for it alone would
   * send every trace to the changelog once per commit it has spans in (a quarter of a record per span in the
   * benchmark). So the expiry moves only when it falls short, a step of {@code keepMs / 16} beyond what is needed,
   * and a state whose only change would have been the expiry is not written: a trace stays at least
   * {@code keepMs} after its last record, as before, and at most that step longer.
   *
   * @param stored the state as read before the record (null for a new trace), unchanged by the caller
   */
  public void saveAfterRecord(String traceId, TraceState stored, TraceState state, long nowMs, long keepMs) {
    boolean extend = state.getExpiresAtMs() < nowMs + keepMs;
    if (extend) {
      state.setExpiresAtMs(nowMs + keepMs + keepMs / EXPIRY_STEPS);
    }
    if (stored == null || extend || !state.equals(stored)) {
      save(traceId, state);
    }
  }

  /**
   * Keeps a record of a trace whose workflow is unknown, counted in its state (the caller saves the state). Spans
   * join the trace's last held record while it holds no event and has room for them (at most
   * {@code maxSpansPerRecord}, as a routing record): the store has a record cache, so a held trace reaches the
   * changelog once per commit and leaves it with one tombstone per held record, not one per batch it came in.
   * Held records an earlier release wrote one per batch are the same records with fewer spans.
   */
  public void hold(String traceId, TraceState state, TraceMessage message, int maxSpansPerRecord) {
    state.setHeldItems(state.getHeldItems() + items(message));
    if (state.getHeldBatches() > 0 && message.getEvent() == null) {
      String lastKey = heldKey(traceId, state.getHeldBatches() - 1);
      TraceMessage last = held.get(lastKey);
      if (last != null && last.getEvent() == null
          && last.getSpans().size() + message.getSpans().size() <= maxSpansPerRecord) {
        // A store read decodes afresh, so the record is ours to change (a builder copy would deep-copy its spans).
        List<SpanRecord> spans = new ArrayList<>(last.getSpans());
        spans.addAll(message.getSpans());
        last.setSpans(spans);
        held.put(lastKey, last);
        return;
      }
    }
    held.put(heldKey(traceId, state.getHeldBatches()), message);
    state.setHeldBatches(state.getHeldBatches() + 1);
  }

  private static String heldKey(String traceId, int sequence) {
    return traceId + SEPARATOR + String.format("%08d", sequence);
  }

  /** What a record counts for in a trace's {@code heldItems}: its spans, and its event if it has one. */
  public static int items(TraceMessage message) {
    return message.getSpans().size() + (message.getEvent() == null ? 0 : 1);
  }

  /** Removes what the trace held and returns it; its state counts nothing held (the caller saves the state). */
  public Held release(String traceId, TraceState state) {
    List<SpanRecord> spans = new ArrayList<>();
    List<EventRecord> events = new ArrayList<>();
    if (state.getHeldBatches() == 0) {
      return new Held(spans, events);
    }
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, TraceMessage> it = held.prefixScan(traceId + SEPARATOR, new StringSerializer())) {
      while (it.hasNext()) {
        KeyValue<String, TraceMessage> entry = it.next();
        keys.add(entry.key);
        spans.addAll(entry.value.getSpans());
        if (entry.value.getEvent() != null) {
          events.add(entry.value.getEvent());
        }
      }
    }
    keys.forEach(held::delete);
    state.setHeldBatches(0);
    state.setHeldItems(0);
    return new Held(spans, events);
  }

  /** The trace leaves the store (an assigned trace holds nothing; its due entries are stale now). */
  public void remove(String traceId) {
    states.delete(traceId);
  }

  /**
   * The traces whose filed due time has come, at most {@code limit}, earliest first, each with its state as it now
   * stands and no longer filed. Stale entries are skipped. Lazy, as {@link DueIndex#takeDue} is.
   */
  public Iterable<KeyValue<String, TraceState>> takeDue(long nowMs, int limit) {
    return due.takeDue(nowMs, limit, states::get, TraceState::getIndexedAtMs, record -> record.setIndexedAtMs(0));
  }


  /**
   * The deadline index has no changelog and a crash can lose an entry besides: once per task start every trace
   * that is not filed is filed again, so no held trace waits forever. Returns how many were.
   */
  public int refileAfterRestart() {
    List<KeyValue<String, TraceState>> stranded = new ArrayList<>();
    try (KeyValueIterator<String, TraceState> it = states.all()) {
      while (it.hasNext()) {
        KeyValue<String, TraceState> entry = it.next();
        if (!due.isFiled(entry.value.getIndexedAtMs(), entry.key)) {
          stranded.add(entry);
        }
      }
    }
    for (KeyValue<String, TraceState> entry : stranded) {
      entry.value.setIndexedAtMs(0);
      save(entry.key, entry.value);
    }
    return stranded.size();
  }
}
