package io.tracestitch.topology.workflow;

import io.tracestitch.avro.internal.EventRecord;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.WorkflowItem;
import java.util.List;

/** Unpacks stored workflow items, whichever shape they were stored in; for every reader of the item store. */
public final class WorkflowItems {
  private WorkflowItems() {}

  public static void unpack(WorkflowItem item, List<SpanRecord> spans, List<EventRecord> events) {
    if (item.getSpan() != null) {
      spans.add(item.getSpan());
    }
    spans.addAll(item.getSpans());
    if (item.getEvent() != null) {
      events.add(item.getEvent());
    }
  }
}
