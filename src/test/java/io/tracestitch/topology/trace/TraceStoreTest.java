package io.tracestitch.topology.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.testing.InMemoryStores;
import io.tracestitch.avro.internal.EventRecord;
import io.tracestitch.avro.internal.SpanKind;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.SpanStatus;
import io.tracestitch.avro.internal.TraceMessage;
import io.tracestitch.avro.internal.TraceMessageType;
import io.tracestitch.avro.internal.TraceState;
import io.tracestitch.avro.internal.WorkflowKind;
import io.tracestitch.topology.StitchSerdes;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/** The by-trace store room on Kafka's in-memory stores: what a held trace keeps, and when a trace comes due. */
class TraceStoreTest {
  static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final int PER_RECORD = 3;

  final KeyValueStore<String, TraceState> states = InMemoryStores.open(TraceView.STATE_STORE,
      StitchSerdes.avro().traceState());
  final KeyValueStore<String, TraceMessage> held = InMemoryStores.open(TraceView.HELD_STORE,
      StitchSerdes.avro().traceMessage());
  final KeyValueStore<String, String> dueIndex = InMemoryStores.open(TraceView.DUE_STORE, Serdes.String());
  final TraceStore store = new TraceStore(states, held, dueIndex);

  static TraceState unassigned(long holdUntilMs, long expiresAtMs) {
    return TraceState.newBuilder().setHoldUntilMs(holdUntilMs).setExpiresAtMs(expiresAtMs).build();
  }

  static TraceMessage spans(String... ids) {
    List<SpanRecord> spans = new ArrayList<>();
    for (String id : ids) {
      spans.add(SpanRecord.newBuilder().setTraceId(TRACE).setSpanId(id).setName("POST /orders").setKind(SpanKind.SERVER)
          .setService("order").setStatusCode(SpanStatus.OK).setStartNanos(0).setEndNanos(1).setAttributes(Map.of())
          .build());
    }
    return TraceMessage.newBuilder().setType(TraceMessageType.SPANS).setTraceId(TRACE).setSpans(spans).build();
  }

  static TraceMessage event(String id) {
    return TraceMessage.newBuilder().setType(TraceMessageType.EVENT).setTraceId(TRACE).setEvent(EventRecord.newBuilder()
        .setEventId(id).setTopic("orders").setPartition(0).setOffset(1).setTimestampMs(0).build()).build();
  }

  List<String> due(long nowMs) {
    List<String> ids = new ArrayList<>();
    for (KeyValue<String, TraceState> entry : store.takeDue(nowMs, 100)) {
      ids.add(entry.key);
    }
    return ids;
  }

  @Test
  void aHeldTraceKeepsItsRecordsInOrderCountsThemAndGivesThemBackOnce() {
    TraceState state = unassigned(1_000, 90_000);
    store.hold(TRACE, state, spans("a", "b"), PER_RECORD);
    store.hold(TRACE, state, event("evt-1"), PER_RECORD);
    store.hold(TRACE, state, spans("c"), PER_RECORD);
    assertThat(state.getHeldBatches()).isEqualTo(3);
    assertThat(state.getHeldItems()).isEqualTo(4);

    TraceStore.Held released = store.release(TRACE, state);

    assertThat(released.spans()).extracting(SpanRecord::getSpanId).containsExactly("a", "b", "c");
    assertThat(released.events()).extracting(EventRecord::getEventId).containsExactly("evt-1");
    assertThat(held.approximateNumEntries()).isZero();
    assertThat(state.getHeldItems()).isZero();
    assertThat(store.release(TRACE, state).spans()).as("given back once").isEmpty();
  }

  @Test
  void batchesOfSpansOfAHeldTraceShareItsLastHeldRecordWhileItHasRoomAndAnEventKeepsARecordOfItsOwn() {
    TraceState state = unassigned(1_000, 90_000);
    store.hold(TRACE, state, spans("a"), PER_RECORD);
    store.hold(TRACE, state, spans("b", "c"), PER_RECORD);
    store.hold(TRACE, state, spans("d"), PER_RECORD); // a, b, c are full: d opens the next record
    store.hold(TRACE, state, event("evt-1"), PER_RECORD);
    store.hold(TRACE, state, spans("e"), PER_RECORD); // the last record holds an event: e opens the next

    assertThat(held.approximateNumEntries()).isEqualTo(4);
    assertThat(state.getHeldBatches()).isEqualTo(4);
    assertThat(state.getHeldItems()).isEqualTo(6);
    TraceStore.Held released = store.release(TRACE, state);
    assertThat(released.spans()).extracting(SpanRecord::getSpanId).containsExactly("a", "b", "c", "d", "e");
    assertThat(released.events()).extracting(EventRecord::getEventId).containsExactly("evt-1");
    assertThat(held.approximateNumEntries()).isZero();
  }

  @Test
  void recordsAnEarlierReleaseHeldOneBatchEachAreGivenBackAndTheNextBatchJoinsTheLast() {
    // As the release before held records were shared left them: one per batch, the state counting them.
    held.put(TRACE + "\u000000000000", spans("a"));
    held.put(TRACE + "\u000000000001", spans("b"));
    TraceState state = unassigned(1_000, 90_000);
    state.setHeldBatches(2);
    state.setHeldItems(2);

    store.hold(TRACE, state, spans("c"), PER_RECORD);

    assertThat(held.approximateNumEntries()).isEqualTo(2);
    assertThat(store.release(TRACE, state).spans()).extracting(SpanRecord::getSpanId).containsExactly("a", "b", "c");
  }

  @Test
  void anUnassignedTraceIsDueAtTheEndOfItsHoldAndAnAssignedOneAtItsExpiry() {
    TraceState state = unassigned(1_000, 90_000);
    store.save(TRACE, state);
    assertThat(due(999)).isEmpty();
    KeyValue<String, TraceState> atHoldEnd = store.takeDue(1_000, 10).iterator().next();
    assertThat(atHoldEnd.value.getIndexedAtMs()).as("no longer filed").isZero();

    TraceState assigned = atHoldEnd.value;
    assigned.setWorkflowId("order-7");
    assigned.setWorkflowKind(WorkflowKind.CORRELATION);
    store.save(TRACE, assigned);
    assertThat(due(89_999)).isEmpty();
    assertThat(due(90_000)).containsExactly(TRACE);
  }

  @Test
  void anExpiryPushedLaterKeepsItsEarlierEntryWhichComesUpAndIsFiledAgain() {
    TraceState state = unassigned(0, 10_000);
    state.setWorkflowId("order-7");
    store.save(TRACE, state);
    state.setExpiresAtMs(20_000); // a later record pushes the expiry
    store.save(TRACE, state);

    List<KeyValue<String, TraceState>> fired = new ArrayList<>();
    store.takeDue(15_000, 10).forEach(fired::add);
    assertThat(fired).singleElement().satisfies(e -> assertThat(e.value.getExpiresAtMs()).isEqualTo(20_000));
    store.save(TRACE, fired.get(0).value);
    assertThat(due(19_999)).isEmpty();
    assertThat(due(20_000)).containsExactly(TRACE);
  }

  @Test
  void anAssignedTracesLaterRecordsWriteItsStateOnlyWhenSomethingButTheExpiryMovesOrItsExpiryFallsShort() {
    AtomicInteger writes = new AtomicInteger();
    TraceStore counted = new TraceStore(countingPuts(states, writes), held, dueIndex);
    long keep = 16_000;
    TraceState first = unassigned(0, 0);
    first.setWorkflowId("order-7");
    first.setWorkflowKind(WorkflowKind.CORRELATION);
    counted.saveAfterRecord(TRACE, null, first, 0, keep);
    assertThat(writes).as("a new trace is written").hasValue(1);

    for (long now = 100; now <= 1_000; now += 100) {
      TraceState stored = counted.state(TRACE);
      counted.saveAfterRecord(TRACE, stored, TraceState.newBuilder(stored).build(), now, keep);
    }
    assertThat(writes).as("records that change nothing but the expiry, within its step").hasValue(1);

    TraceState stored = counted.state(TRACE);
    counted.saveAfterRecord(TRACE, stored, TraceState.newBuilder(stored).build(), 1_001, keep);
    assertThat(writes).as("the expiry fell short of the last record + keep").hasValue(2);

    stored = counted.state(TRACE);
    TraceState asked = TraceState.newBuilder(stored).setClaimedTraces(List.of("linked")).build();
    counted.saveAfterRecord(TRACE, stored, asked, 1_100, keep);
    assertThat(writes).as("a change besides the expiry").hasValue(3);

    // Never shorter than keep after the last record, at most one step longer.
    assertThat(counted.state(TRACE).getExpiresAtMs()).isBetween(1_100 + keep, 1_100 + keep + keep / 16);
    assertThat(counted.state(TRACE).getClaimedTraces()).containsExactly("linked");
  }

  /** The store, counting its puts: what reaches the changelog once per key and commit. */
  @SuppressWarnings("unchecked")
  static <V> KeyValueStore<String, V> countingPuts(KeyValueStore<String, V> store, AtomicInteger puts) {
    return (KeyValueStore<String, V>) Proxy.newProxyInstance(KeyValueStore.class.getClassLoader(),
        new Class<?>[] {KeyValueStore.class}, (proxy, method, args) -> {
          if (method.getName().equals("put")) {
            puts.incrementAndGet();
          }
          try {
            return method.invoke(store, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Test
  void aRemovedTracesEntryIsStale() {
    store.save(TRACE, unassigned(1_000, 90_000));
    store.remove(TRACE);
    assertThat(due(100_000)).isEmpty();
    assertThat(store.state(TRACE)).isNull();
  }

  @Test
  void aTaskStartFilesAgainEveryTraceTheDeadlineIndexDoesNotHold() {
    // The deadline index has no changelog: after a restore, a move or a standby taking over, it starts empty.
    TraceState restored = unassigned(1_000, 90_000);
    restored.setIndexedAtMs(1_000);
    states.put(TRACE, restored);
    states.put("other", unassigned(2_000, 90_000));
    store.save("filed", unassigned(3_000, 90_000));

    assertThat(store.refileAfterRestart()).isEqualTo(2);
    assertThat(store.refileAfterRestart()).as("nothing left").isZero();
    assertThat(due(3_000)).containsExactly(TRACE, "other", "filed");
  }
}
