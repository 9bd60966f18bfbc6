package io.tracestitch.topology.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.testing.InMemoryStores;
import io.tracestitch.avro.internal.EventRecord;
import io.tracestitch.avro.internal.SpanKind;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.SpanStatus;
import io.tracestitch.avro.internal.WorkflowItem;
import io.tracestitch.avro.internal.WorkflowKind;
import io.tracestitch.avro.internal.WorkflowMessage;
import io.tracestitch.avro.internal.WorkflowMessageType;
import io.tracestitch.avro.internal.WorkflowSummary;
import io.tracestitch.topology.StitchSerdes;
import io.tracestitch.serdes.SchemaHistory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/** The by-workflow store room on Kafka's in-memory stores: what it keeps of a workflow, and when it gives it back. */
class WorkflowStoreTest {
  static final String ORDER = "order-7";
  static final int CAP = 10;
  static final int SPANS_PER_ITEM = 200;

  final KeyValueStore<String, WorkflowSummary> summaries = InMemoryStores.open(WorkflowView.SUMMARY_STORE,
      StitchSerdes.avro().workflowSummary());
  final KeyValueStore<String, WorkflowItem> items = InMemoryStores.open(WorkflowView.ITEM_STORE,
      StitchSerdes.avro().workflowItem());
  final KeyValueStore<String, String> eventIndex = InMemoryStores.open(WorkflowView.EVENT_INDEX_STORE, Serdes.String());
  final KeyValueStore<String, String> dueIndex = InMemoryStores.open(WorkflowView.DUE_STORE, Serdes.String());
  final WorkflowStore store = new WorkflowStore(summaries, items, eventIndex, dueIndex);

  static WorkflowSummary summary(String id, long dueMs) {
    return WorkflowSummary.newBuilder().setWorkflowId(id).setWorkflowKind(WorkflowKind.CORRELATION).setFirstSeenMs(0)
        .setLastActivityMs(0).setDueMs(dueMs).build();
  }

  static SpanRecord span(String trace, String id) {
    return SpanRecord.newBuilder().setTraceId(trace).setSpanId(id).setName("order.created process").setKind(SpanKind.CONSUMER)
        .setService("loyalty").setStatusCode(SpanStatus.OK).setStartNanos(0).setEndNanos(1).setAttributes(Map.of()).build();
  }

  static EventRecord event(String id, long offset) {
    return EventRecord.newBuilder().setEventId(id).setEventName("order.created").setTraceId("t2").setTopic("orders")
        .setPartition(0).setOffset(offset).setTimestampMs(0).build();
  }

  static WorkflowMessage message(List<SpanRecord> spans, List<EventRecord> events) {
    return WorkflowMessage.newBuilder().setType(spans.isEmpty() ? WorkflowMessageType.EVENTS : WorkflowMessageType.SPANS)
        .setWorkflowId(ORDER).setWorkflowKind(WorkflowKind.CORRELATION).setSpans(spans).setEvents(events).build();
  }

  WorkflowSummary added(WorkflowSummary summary, WorkflowMessage message) {
    store.add(ORDER, summary, message, CAP, SPANS_PER_ITEM);
    store.save(ORDER, summary);
    return summary;
  }

  List<String> due(long nowMs) {
    List<String> ids = new ArrayList<>();
    for (KeyValue<String, WorkflowSummary> entry : store.takeDue(nowMs, 100)) {
      ids.add(entry.key);
    }
    return ids;
  }

  @Test
  void aGroupOfSpansRidesInTheSummaryAndEachEventDeliveryIsAnItemWithItsIndexEntry() {
    WorkflowSummary s = added(summary(ORDER, 100), message(List.of(span("t1", "a"), span("t1", "b"), span("t1", "c")),
        List.of(event("evt-1", 4), event("evt-2", 5))));

    assertThat(items.approximateNumEntries()).as("two deliveries; the span group is in the summary").isEqualTo(2);
    assertThat(store.summary(ORDER).getOpenSpans()).extracting(SpanRecord::getSpanId).containsExactly("a", "b", "c");
    assertThat(store.contents(ORDER).spans()).extracting(SpanRecord::getSpanId).containsExactly("a", "b", "c");
    assertThat(store.contents(ORDER).events()).extracting(EventRecord::getEventId).containsExactly("evt-1", "evt-2");
    assertThat(s.getSpanCount()).isEqualTo(3);
    assertThat(s.getEventCount()).isEqualTo(2);
    assertThat(s.getTraceIds()).containsExactly("t1", "t2");
    assertThat(store.workflowOfEvent("evt-2")).isEqualTo(ORDER);
  }

  static List<SpanRecord> spans(String trace, int from, int count) {
    List<SpanRecord> spans = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      spans.add(span(trace, "s" + i));
    }
    return spans;
  }

  @Test
  void spanGroupsOfAWorkflowShareItsOpenGroupUntilItIsFullThenItIsStoredAsAnItemAndANewOneOpens() {
    WorkflowSummary s = summary(ORDER, 100);
    int group = SPANS_PER_ITEM / 2 - 1;
    for (int g = 0; g < 3; g++) {
      store.add(ORDER, s, message(spans("t" + g, g * group, group), List.of()), 100_000, SPANS_PER_ITEM);
    }
    store.add(ORDER, s, message(List.of(), List.of(event("evt-1", 4))), 100_000, SPANS_PER_ITEM);

    assertThat(items.approximateNumEntries()).as("two groups fill one item, the third opens the next, plus the delivery")
        .isEqualTo(2);
    assertThat(s.getOpenSpans()).as("the third group").hasSize(group);
    assertThat(store.contents(ORDER, s).spans()).extracting(SpanRecord::getSpanId)
        .containsExactlyElementsOf(spans("t", 0, 3 * group).stream().map(SpanRecord::getSpanId).toList());
    assertThat(s.getSpanCount()).isEqualTo(3 * group);
    store.remove(ORDER, s);
    assertThat(items.approximateNumEntries()).isZero();
  }

  @Test
  void aSpanItemAnEarlierReleaseWroteForOneGroupIsReadAndTheNextGroupJoinsIt() {
    // As the release before span items were shared left it: one item per group, the summary numbering them.
    items.put(ORDER + "\u0000s0000000001", WorkflowItem.newBuilder().setSpans(List.of(span("t1", "a"))).build());
    items.put(ORDER + "\u0000s0000000002", WorkflowItem.newBuilder().setSpans(List.of(span("t1", "b"))).build());
    WorkflowSummary s = summary(ORDER, 100);
    s.setItemSequence(2);
    s.setSpanCount(2);

    added(s, message(List.of(span("t1", "c"), span("t1", "d")), List.of()));

    assertThat(store.contents(ORDER).spans()).extracting(SpanRecord::getSpanId).containsExactly("a", "b", "c", "d");
    assertThat(items.approximateNumEntries()).isEqualTo(2);
    assertThat(s.getSpanCount()).isEqualTo(4);
  }

  @Test
  void aSummaryAndTheOpenSpanItemAnEarlierReleaseWroteAreReadAndTheNextSpansRideInTheSummary() throws IOException {
    // As the release before WorkflowSummary v2 left a workflow: a v1 summary numbering one shared open span item.
    items.put(ORDER + "\u0000s0000000001", new WorkflowItem(List.of(span("t1", "a"), span("t1", "b")), null));
    Schema v1 = SchemaHistory.shippedVersions("WorkflowSummary").get(0);
    GenericData.Record old = new GenericRecordBuilder(v1).set("workflowId", ORDER)
        .set("workflowKind", new GenericData.EnumSymbol(v1.getField("workflowKind").schema(), "CORRELATION"))
        .set("firstSeenMs", 0L).set("lastActivityMs", 0L).set("dueMs", 100L).set("itemSequence", 1).set("spanCount", 2)
        .build();
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old, written);
    WorkflowSummary s = StitchSerdes.avro().workflowSummary().deserializer().deserialize("changelog", written.toByteArray());
    assertThat(s.getOpenSpans()).as("v1 has no open spans").isEmpty();

    added(s, message(List.of(span("t1", "c")), List.of()));

    assertThat(store.contents(ORDER).spans()).extracting(SpanRecord::getSpanId).containsExactly("a", "b", "c");
    assertThat(items.approximateNumEntries()).as("the old item is left as it is").isEqualTo(1);
    assertThat(s.getSpanCount()).isEqualTo(3);
  }

  @Test
  void aWorkflowWhoseItemsWereMovedAwayOpensAFreshItemForWhatComesNext() {
    WorkflowSummary s = added(summary(ORDER, 100), message(List.of(span("t1", "a")), List.of()));
    store.take(ORDER, s);

    added(s, message(List.of(span("t1", "b")), List.of()));

    assertThat(store.contents(ORDER).spans()).extracting(SpanRecord::getSpanId).containsExactly("b");
  }

  @Test
  void theSameDeliveryReadTwiceIsKeptOnceAndTheSameEventAtAnotherOffsetStaysVisibleAsADuplicate() {
    WorkflowSummary s = summary(ORDER, 100);
    added(s, message(List.of(), List.of(event("evt-1", 4))));
    added(s, message(List.of(), List.of(event("evt-1", 4))));
    added(s, message(List.of(), List.of(event("evt-1", 9))));

    assertThat(store.contents(ORDER).events()).extracting(EventRecord::getOffset).containsExactly(4L, 9L);
    assertThat(s.getEventCount()).isEqualTo(2);
  }

  @Test
  void whatComesBeyondTheCapIsCountedAsDroppedAndTheWorkflowSaysItIsTruncated() {
    WorkflowSummary s = summary(ORDER, 100);
    List<SpanRecord> twelve = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      twelve.add(span("t1", "s" + i));
    }
    added(s, message(twelve, List.of()));
    added(s, message(List.of(), List.of(event("evt-1", 1))));

    assertThat(store.contents(ORDER).spans()).hasSize(CAP);
    assertThat(store.contents(ORDER).events()).isEmpty();
    assertThat(s.getDroppedSpans()).isEqualTo(3);
    assertThat(s.getTruncated()).isTrue();
  }

  @Test
  void takingAWorkflowRemovesItsItemsAndOnlyItsOwnEventIndexEntries() {
    WorkflowSummary s = added(summary(ORDER, 100),
        message(List.of(span("t1", "a")), List.of(event("evt-1", 1), event("evt-2", 2))));
    eventIndex.put("evt-2", "order-8"); // the merge target, in the same task, indexed it already

    WorkflowView.Contents taken = store.take(ORDER, s);
    store.save(ORDER, s); // as the stitcher does: the summary becomes the forwarding pointer

    assertThat(taken.spans()).hasSize(1);
    assertThat(taken.events()).hasSize(2);
    assertThat(store.contents(ORDER).isEmpty()).isTrue();
    assertThat(store.workflowOfEvent("evt-1")).isNull();
    assertThat(store.workflowOfEvent("evt-2")).isEqualTo("order-8");
    assertThat(store.summary(ORDER)).as("the summary stays: it becomes the forwarding pointer").isNotNull();
  }

  @Test
  void aWorkflowComesDueOnceAtItsTimeAndADeadlineMovedLaterIsFiledAgainWhenTheEarlierEntryFires() {
    WorkflowSummary s = added(summary(ORDER, 100), message(List.of(span("t1", "a")), List.of()));
    s.setDueMs(200);
    store.save(ORDER, s); // later: the entry at 100 stays, and counts

    assertThat(due(99)).isEmpty();
    List<KeyValue<String, WorkflowSummary>> fired = new ArrayList<>();
    store.takeDue(150, 100).forEach(fired::add);
    assertThat(fired).singleElement().satisfies(e -> {
      assertThat(e.value.getIndexedDueMs()).as("no longer filed").isZero();
      assertThat(e.value.getDueMs()).isEqualTo(200);
    });
    store.save(ORDER, fired.get(0).value); // the stitcher files it again at its real deadline
    assertThat(due(150)).isEmpty();
    assertThat(due(200)).containsExactly(ORDER);
    assertThat(due(10_000)).as("taken once").isEmpty();
  }

  @Test
  void aRemovedWorkflowsDueEntryIsStaleAndSkipped() {
    WorkflowSummary s = added(summary(ORDER, 100), message(List.of(span("t1", "a")), List.of(event("evt-1", 1))));
    store.remove(ORDER, s);

    assertThat(due(1_000)).isEmpty();
    assertThat(store.summary(ORDER)).isNull();
    assertThat(items.approximateNumEntries()).isZero();
    assertThat(eventIndex.approximateNumEntries()).isZero();
  }

  @Test
  void dueEntriesLeaveTheIndexOnlyAsTheyAreReachedSoAFailureStrandsNoneAfterIt() {
    for (int i = 0; i < 3; i++) {
      store.save("order-" + i, summary("order-" + i, 100 + i));
    }
    var it = store.takeDue(1_000, 100).iterator();
    assertThat(it.next().key).isEqualTo("order-0");
    // Handling order-0 throws here and the punctuation stops: the next one finds the others still filed.
    assertThat(due(1_000)).containsExactly("order-1", "order-2");
  }

  @Test
  void aRestartFilesAgainASummaryWhoseDueEntryWasLostAndRepeatsRecentPublicationsWhenAsked() {
    WorkflowSummary lost = summary("order-1", 500);
    lost.setIndexedDueMs(500);
    summaries.put("order-1", lost); // its due entry never reached the changelog
    WorkflowSummary published = summary("order-2", 9_000);
    published.setRevision(1);
    published.setDirty(false);
    published.setPublishedAtMs(1_000);
    store.save("order-2", published);

    WorkflowStore.Repair repair = store.repairAfterRestart(60_000);

    assertThat(repair.refiled()).isEqualTo(2);
    assertThat(repair.republished()).isEqualTo(1);
    WorkflowSummary again = store.summary("order-2");
    assertThat(again.getRevision()).as("the same revision is published again").isZero();
    assertThat(again.getDirty()).isTrue();
    assertThat(new WorkflowStore(summaries, items, eventIndex, dueIndex).repairAfterRestart(0).refiled())
        .as("nothing left to repair").isZero();
    assertThat(due(1_000)).containsExactlyInAnyOrder("order-1", "order-2");
  }

  @Test
  void whatAReadReturnsIsTheCallersToChange() {
    added(summary(ORDER, 100), message(List.of(span("t1", "a")), List.of()));
    store.summary(ORDER).setSpanCount(99);
    store.contents(ORDER).spans().clear();

    assertThat(store.summary(ORDER).getSpanCount()).isEqualTo(1);
    assertThat(store.contents(ORDER).spans()).hasSize(1);
  }
}
