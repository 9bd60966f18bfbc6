package io.tracestitch.topology.workflow;

import io.tracestitch.avro.internal.EventRecord;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.WorkflowItem;
import io.tracestitch.avro.internal.WorkflowMessage;
import io.tracestitch.avro.internal.WorkflowSummary;
import io.tracestitch.topology.DueIndex;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The by-workflow stage's store room: a summary per workflow, its spans and events as items under the
 * workflow's key prefix, the event index, and the deadline index. It alone knows that layout; the stitcher
 * decides what happens to a workflow and says so here.
 *
 * <p>Per record the cost is one summary read and write per span group (the newest spans ride in the summary), and
 * an item write per event and per {@code internal.max.spans.per.record} spans: it does not depend on how many
 * workflows are open. Only {@link #contents} and {@link #take} read a whole workflow.
 */
public final class WorkflowStore extends WorkflowView {
  private static final int MAX_TRACE_IDS = 256;

  private final KeyValueStore<String, WorkflowSummary> summaries;
  private final KeyValueStore<String, WorkflowItem> items;
  private final KeyValueStore<String, String> eventIndex;
  private final DueIndex due;

  /** What a restart repaired: summaries filed again in the deadline index, and publications to repeat. */
  public record Repair(int refiled, int republished) {}

  public WorkflowStore(KeyValueStore<String, WorkflowSummary> summaries, KeyValueStore<String, WorkflowItem> items,
      KeyValueStore<String, String> eventIndex, KeyValueStore<String, String> due) {
    super(summaries, items, eventIndex);
    this.summaries = summaries;
    this.items = items;
    this.eventIndex = eventIndex;
    this.due = new DueIndex(due);
  }

  public static WorkflowStore of(ProcessorContext<?, ?> context) {
    return new WorkflowStore(context.getStateStore(SUMMARY_STORE), context.getStateStore(ITEM_STORE),
        context.getStateStore(EVENT_INDEX_STORE), context.getStateStore(DUE_STORE));
  }

  /**
   * Stores what a message brings for the workflow and counts it in the summary (the caller saves the summary).
   * A group of spans is one item, one write and one changelog record however many spans it holds; spans exported
   * twice are kept apart at assembly, where they are counted. Each event delivery is an item of its own: the
   * same event id at another offset is a duplicate that must stay visible, the same offset read again is the same
   * delivery. Beyond {@code maxItems} spans and events, what comes is counted as dropped and the workflow marked
   * truncated. A stored span item holds at most {@code maxSpansPerItem} spans (as a routing record does, and for
   * the same reason: the broker's record size bounds its changelog record).
   */
  public void add(String workflowId, WorkflowSummary summary, WorkflowMessage message, int maxItems,
      int maxSpansPerItem) {
    Set<String> traceIds = new LinkedHashSet<>(summary.getTraceIds());
    List<SpanRecord> accepted = new ArrayList<>();
    for (SpanRecord span : message.getSpans()) {
      traceIds.add(span.getTraceId());
      if (summary.getSpanCount() + summary.getEventCount() + accepted.size() >= maxItems) {
        dropOne(summary);
      } else {
        accepted.add(span);
      }
    }
    if (!accepted.isEmpty()) {
      appendSpans(workflowId, summary, accepted, maxSpansPerItem);
      summary.setSpanCount(summary.getSpanCount() + accepted.size());
    }
    for (EventRecord event : message.getEvents()) {
      if (event.getTraceId() != null) {
        traceIds.add(event.getTraceId());
      }
      if (summary.getSpanCount() + summary.getEventCount() >= maxItems) {
        dropOne(summary);
        continue;
      }
      String key = prefix(workflowId) + "e" + event.getEventId() + SEPARATOR + event.getTopic() + "/"
          + event.getPartition() + "@" + event.getOffset();
      if (items.putIfAbsent(key, new WorkflowItem(List.of(), event)) == null) {
        summary.setEventCount(summary.getEventCount() + 1);
        eventIndex.put(event.getEventId(), workflowId);
      }
    }
    if (message.getTraceId() != null) {
      traceIds.add(message.getTraceId());
    }
    traceIds.addAll(message.getTraceIds());
    summary.setTraceIds(new ArrayList<>(traceIds).subList(0, Math.min(traceIds.size(), MAX_TRACE_IDS)));
    if (!message.getMergedFrom().isEmpty()) {
      Set<String> merged = new LinkedHashSet<>(summary.getMergedFrom());
      merged.addAll(message.getMergedFrom());
      summary.setMergedFrom(new ArrayList<>(merged));
    }
  }

  /**
   * Spans join the workflow's open span group, kept in its summary, while the group has room for them; a full group
   * is stored as an item of its own and the spans start the next one. The summary is written for every span group
   * anyway (counts, clocks, deadline), so spans carried in it cost no write of their own: the record cache sends
   * the summary once per commit, a workflow's span groups arriving within one commit reach Kafka as one record, and a
   * workflow of up to {@code maxSpansPerItem} spans stores no span item at all. The bound keeps the rewrite (the
   * summary is decoded and encoded with its open spans per group) small for a workflow of many spans, and the
   * record under the broker's record size. Span items that earlier releases wrote (one per group, or the shared open
   * item) are read as they are; the summary's open spans come after all of them.
   */
  private void appendSpans(String workflowId, WorkflowSummary summary, List<SpanRecord> accepted, int maxSpansPerItem) {
    List<SpanRecord> open = summary.getOpenSpans();
    if (!open.isEmpty() && open.size() + accepted.size() > maxSpansPerItem) {
      summary.setItemSequence(summary.getItemSequence() + 1);
      // The constructor, not the builder: a builder looks up the default of each field left unset, and Avro hashes
      // the field's whole schema to do so (a few percent of the stream thread's time in the benchmark's profile).
      items.put(spanItemKey(workflowId, summary.getItemSequence()), new WorkflowItem(open, null));
      open = List.of();
    }
    List<SpanRecord> spans = new ArrayList<>(open.size() + accepted.size());
    spans.addAll(open);
    spans.addAll(accepted);
    summary.setOpenSpans(spans);
  }

  private static String spanItemKey(String workflowId, int sequence) {
    return prefix(workflowId) + "s" + String.format("%010d", sequence);
  }

  private static void dropOne(WorkflowSummary summary) {
    summary.setDroppedSpans(summary.getDroppedSpans() + 1);
    summary.setTruncated(true);
  }

  /**
   * Writes the summary and files it in the deadline index at its {@code dueMs}. Filing is lazy: a deadline that
   * moves later keeps its earlier entry, which is filed again when it comes up ({@link #takeDue}).
   */
  public void save(String workflowId, WorkflowSummary summary) {
    summary.setIndexedDueMs(due.fileBy(summary.getDueMs(), workflowId, summary.getIndexedDueMs()));
    summaries.put(workflowId, summary);
  }

  /**
   * The workflows whose filed deadline has come, at most {@code limit}, earliest first, each with its summary as
   * it now stands and no longer filed (its {@code indexedDueMs} cleared). A stale entry (the workflow left, or
   * was filed again at another time) is skipped. Lazy, as {@link DueIndex#takeDue} is: an entry leaves the index
   * only as the iteration reaches it, so a workflow whose handling throws strands none after it.
   */
  public Iterable<KeyValue<String, WorkflowSummary>> takeDue(long nowMs, int limit) {
    return due.takeDue(nowMs, limit, summaries::get, WorkflowSummary::getIndexedDueMs, record -> record.setIndexedDueMs(0));
  }


  /**
   * Removes the workflow's items, its open spans (from {@code summary}, which the caller saves) and its own
   * event-index entries, and returns what they held.
   */
  public Contents take(String workflowId, WorkflowSummary summary) {
    List<String> keys = new ArrayList<>();
    Contents contents = read(workflowId, summary, keys);
    keys.forEach(items::delete);
    summary.setOpenSpans(List.of());
    // Only this workflow's own entries: a merge target in the same task may already have indexed the event.
    contents.events().stream().map(EventRecord::getEventId).distinct()
        .filter(eventId -> workflowId.equals(eventIndex.get(eventId))).forEach(eventIndex::delete);
    return contents;
  }

  /** The workflow leaves the stores: items, event-index entries and summary (its due entries are stale now). */
  public void remove(String workflowId, WorkflowSummary summary) {
    take(workflowId, summary);
    summaries.delete(workflowId);
  }

  /**
   * A publication changes three things at once — the due index, the summary, the graph topic — and without
   * exactly-once a crash can keep some and lose others. Once per task start (restoration has just read every record
   * anyway, so one more pass costs little and nothing per record): a summary whose due entry was lost is filed
   * again, so no workflow is stranded; and when {@code republishWindowMs} is above zero (at-least-once), workflows
   * published that long before the latest publication are made due again, at the same revision, in case their
   * graph record was lost.
   */
  public Repair repairAfterRestart(long republishWindowMs) {
    List<KeyValue<String, WorkflowSummary>> all = new ArrayList<>();
    long latestPublication = 0;
    try (KeyValueIterator<String, WorkflowSummary> it = summaries.all()) {
      while (it.hasNext()) {
        KeyValue<String, WorkflowSummary> entry = it.next();
        all.add(entry);
        latestPublication = Math.max(latestPublication, entry.value.getPublishedAtMs());
      }
    }
    int refiled = 0;
    int republished = 0;
    for (KeyValue<String, WorkflowSummary> entry : all) {
      WorkflowSummary summary = entry.value;
      boolean changed = false;
      if (republishWindowMs > 0 && !summary.getDirty() && summary.getRevision() > 0 && summary.getMergedInto() == null
          && summary.getPublishedAtMs() >= latestPublication - republishWindowMs) {
        // Publish the same revision again: the next publication adds one to the revision.
        summary.setRevision(summary.getRevision() - 1);
        summary.setDirty(true);
        summary.setDueMs(summary.getPublishedAtMs());
        summary.setIndexedDueMs(0);
        republished++;
        changed = true;
      }
      if (!due.isFiled(summary.getIndexedDueMs(), entry.key)) {
        summary.setIndexedDueMs(0);
        refiled++;
        changed = true;
      }
      if (changed) {
        save(entry.key, summary);
      }
    }
    return new Repair(refiled, republished);
  }
}
