package io.tracestitch.topology.workflow;

import io.tracestitch.avro.internal.EventRecord;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.WorkflowItem;
import java.util.List;

/** Unpacks a stored workflow item (a group of spans, or one event delivery); for every reader of the item store. */
public final class WorkflowItems {
  private WorkflowItems() {}

  public static void unpack(WorkflowItem item, List<SpanRecord> spans, List<EventRecord> events) {
    spans.addAll(item.getSpans());
    if (item.getEvent() != null) {
      events.add(item.getEvent());
    }
  }
}
