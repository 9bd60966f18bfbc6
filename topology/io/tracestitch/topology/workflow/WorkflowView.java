package io.tracestitch.topology.workflow;

import io.tracestitch.avro.internal.EventRecord;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.WorkflowItem;
import io.tracestitch.avro.internal.WorkflowSummary;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The by-workflow stage's state, read only: a workflow's summary, what it holds, and which workflow stores an
 * event. The stitcher writes through {@link WorkflowStore}; the HTTP API and the benchmark read through this, so
 * the key layout is known here and nowhere else.
 *
 * <p>Every read decodes the stored bytes afresh: what it returns is the caller's to change, and changing it
 * changes nothing stored.
 */
public class WorkflowView {
  public static final String SUMMARY_STORE = "workflow-summary";
  public static final String ITEM_STORE = "workflow-items";
  public static final String DUE_STORE = "workflow-due";
  /**
   * Event id -> id of the workflow storing it, for finding a workflow by one of its events (the HTTP
   * API). Kept in the workflow's task; an entry leaves with its event (merge or expiry).
   */
  public static final String EVENT_INDEX_STORE = "event-index";

  static final char SEPARATOR = '\u0000';

  private final ReadOnlyKeyValueStore<String, WorkflowSummary> summaries;
  private final ReadOnlyKeyValueStore<String, WorkflowItem> items;
  private final ReadOnlyKeyValueStore<String, String> eventIndex;

  /** What a workflow holds: its spans and its event deliveries, in the order they were stored. */
  public record Contents(List<SpanRecord> spans, List<EventRecord> events) {
    public boolean isEmpty() {
      return spans.isEmpty() && events.isEmpty();
    }
  }

  public WorkflowView(ReadOnlyKeyValueStore<String, WorkflowSummary> summaries,
      ReadOnlyKeyValueStore<String, WorkflowItem> items, ReadOnlyKeyValueStore<String, String> eventIndex) {
    this.summaries = summaries;
    this.items = items;
    this.eventIndex = eventIndex;
  }

  /** The workflow's summary, or null when this task stores no such workflow. */
  public WorkflowSummary summary(String workflowId) {
    return summaries.get(workflowId);
  }

  /** Every summary here; the caller closes the iterator. */
  public KeyValueIterator<String, WorkflowSummary> summaries() {
    return summaries.all();
  }

  /** What the workflow holds: its summary and one prefix scan, however many workflows are open. */
  public Contents contents(String workflowId) {
    return read(workflowId, summaries.get(workflowId), null);
  }

  /** What the workflow holds, given its summary as the caller has it (with the newest spans). */
  public Contents contents(String workflowId, WorkflowSummary summary) {
    return read(workflowId, summary, null);
  }

  /** The id of the workflow that stores the event here, or null. */
  public String workflowOfEvent(String eventId) {
    return eventIndex.get(eventId);
  }

  /**
   * Reads a workflow's items, then the open spans its summary carries (the newest), and when {@code keys} is given
   * collects the items' keys too (to delete them).
   */
  Contents read(String workflowId, WorkflowSummary summary, List<String> keys) {
    List<SpanRecord> spans = new ArrayList<>();
    List<EventRecord> events = new ArrayList<>();
    try (KeyValueIterator<String, WorkflowItem> it = items.prefixScan(prefix(workflowId), new StringSerializer())) {
      while (it.hasNext()) {
        var entry = it.next();
        if (keys != null) {
          keys.add(entry.key);
        }
        WorkflowItems.unpack(entry.value, spans, events);
      }
    }
    if (summary != null) {
      spans.addAll(summary.getOpenSpans());
    }
    return new Contents(spans, events);
  }

  /** The common prefix of a workflow's keys in {@link #ITEM_STORE}: a prefix scan reads the whole workflow. */
  static String prefix(String workflowId) {
    return workflowId + SEPARATOR;
  }
}
