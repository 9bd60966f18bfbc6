package io.tracestitch.topology.workflow;

import io.tracestitch.avro.PublishReason;
import io.tracestitch.avro.TelemetryState;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.avro.internal.EventRecord;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.WorkflowItem;
import io.tracestitch.avro.internal.WorkflowKind;
import io.tracestitch.avro.internal.WorkflowMessage;
import io.tracestitch.avro.internal.WorkflowMessageType;
import io.tracestitch.avro.internal.WorkflowSummary;
import io.tracestitch.topology.DueIndex;
import io.tracestitch.topology.ProcessorClock;
import io.tracestitch.topology.StitchCounters;
import io.tracestitch.topology.StitchSettings;
import io.tracestitch.topology.WorkflowIds;
import io.tracestitch.avro.internal.FindingAction;
import io.tracestitch.avro.internal.FindingMessage;
import io.tracestitch.topology.expect.LearnedExpectations;
import io.tracestitch.topology.graph.AssembledWorkflow;
import io.tracestitch.topology.graph.DiagnosisSettings;
import io.tracestitch.topology.graph.GraphAssembler;
import io.tracestitch.topology.steps.StepLearning;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The by-workflow stage: stores each span and event as its own record under the workflow's key
 * prefix, keeps a small summary per workflow, and publishes the graph when the workflow has been
 * quiet for the inactivity gap (or at the maximum duration). Late data after publication makes it
 * dirty again and produces the next revision; after the retention period the workflow leaves the
 * stores.
 *
 * <p>Per record the work is a summary read and write plus one store write per span: it does not
 * depend on how big the workflow is or how many are open. Only publication reads a whole workflow,
 * once per revision, and the punctuator visits only workflows that are due.
 */
public final class WorkflowStitcher implements Processor<String, WorkflowMessage, String, Object> {
  public static final String SUMMARY_STORE = "workflow-summary";
  public static final String ITEM_STORE = "workflow-items";
  public static final String DUE_STORE = "workflow-due";
  public static final String EXPECTATION_STORE = "expectations";
  /**
   * Event id -> id of the workflow storing it, for finding a workflow by one of its events (the HTTP
   * API). Kept in the workflow's task; an entry leaves with its event (merge or expiry).
   */
  public static final String EVENT_INDEX_STORE = "event-index";

  private static final int MAX_TRACE_IDS = 256;
  private static final int MAX_DUE_PER_PUNCTUATION = 5_000;
  private static final char SEPARATOR = '\u0000';

  private final StitchSettings settings;
  private final StitchCounters counters;
  private final GraphAssembler assembler;
  private final List<GraphListener> listeners;
  private final String toWorkflows;
  private final String toGraphs;
  private final String toFindings;
  private final ProcessorClock clock;
  private final ClearThrottle clears = new ClearThrottle();
  private LearnedExpectations expectations;
  private StepLearning steps;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, WorkflowSummary> summaries;
  private KeyValueStore<String, WorkflowItem> items;
  private KeyValueStore<String, String> eventIndex;
  private DueIndex due;

  public WorkflowStitcher(StitchSettings settings, StitchCounters counters, GraphAssembler assembler,
      List<GraphListener> listeners, String toWorkflows, String toGraphs, String toFindings) {
    this.settings = settings;
    this.counters = counters;
    this.assembler = assembler;
    this.listeners = List.copyOf(listeners);
    this.toWorkflows = toWorkflows;
    this.toGraphs = toGraphs;
    this.toFindings = toFindings;
    this.clock = ProcessorClock.ofUpstreamTicks(settings.punctuationInterval());
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.summaries = context.getStateStore(SUMMARY_STORE);
    this.items = context.getStateStore(ITEM_STORE);
    this.eventIndex = context.getStateStore(EVENT_INDEX_STORE);
    this.due = new DueIndex(context.getStateStore(DUE_STORE));
    this.expectations = new LearnedExpectations(context.getStateStore(EXPECTATION_STORE), settings.expectations(),
        settings.contracts(), counters);
    this.steps = new StepLearning(context.getStateStore(StepLearning.STORE), settings.diagnosis().stepHalfLife(),
        settings.diagnosis().slowStepMinSamples(), DiagnosisSettings.MAX_STEPS_LEARNED_PER_WORKFLOW);
    clock.init(context);
    repairAfterRestart();
    context.schedule(settings.punctuationInterval(), PunctuationType.WALL_CLOCK_TIME, wall -> punctuate());
  }

  /**
   * A publication changes three things at once — the due index, the summary, the graph topic — and
   * without exactly-once a crash can keep some and lose others. Once per task start (restoration has
   * just read every record anyway, so one more pass costs little and nothing per record): a summary
   * whose due entry was lost is filed again, so no workflow is stranded; and, when enabled (at-least-once),
   * workflows published just before the latest publication are published again in case their graph
   * record was lost.
   */
  private void repairAfterRestart() {
    List<KeyValue<String, WorkflowSummary>> all = new ArrayList<>();
    long latestPublication = 0;
    try (KeyValueIterator<String, WorkflowSummary> it = summaries.all()) {
      while (it.hasNext()) {
        KeyValue<String, WorkflowSummary> entry = it.next();
        all.add(entry);
        latestPublication = Math.max(latestPublication, entry.value.getPublishedAtMs());
      }
    }
    long window = settings.republishAfterRestart().toMillis();
    int refiled = 0;
    int republished = 0;
    for (KeyValue<String, WorkflowSummary> entry : all) {
      WorkflowSummary summary = entry.value;
      boolean changed = false;
      if (window > 0 && !summary.getDirty() && summary.getRevision() > 0 && summary.getMergedInto() == null
          && summary.getPublishedAtMs() >= latestPublication - window) {
        // Publish the same revision again: the next publication adds one to the revision.
        summary.setRevision(summary.getRevision() - 1);
        summary.setDirty(true);
        summary.setDueMs(summary.getPublishedAtMs());
        summary.setIndexedDueMs(0);
        republished++;
        changed = true;
      }
      if (summary.getIndexedDueMs() == 0 || !due.contains(summary.getIndexedDueMs(), entry.key)) {
        summary.setIndexedDueMs(0);
        reindex(summary, entry.key);
        refiled++;
        changed = true;
      }
      if (changed) {
        summaries.put(entry.key, summary);
      }
    }
    if (refiled > 0 || republished > 0) {
      counters.add("workflows.refiled_after_restart", refiled);
      counters.add("workflows.republished_after_restart", republished);
    }
  }

  @Override
  public void process(Record<String, WorkflowMessage> record) {
    WorkflowMessage message = record.value();
    if (message.getType() == WorkflowMessageType.TICK) {
      clock.upstreamTick(message.getSender(), message.getTickMs());
      return;
    }
    clock.recordArrived(record.timestamp());
    long now = clock.now();
    String workflowId = record.key();
    WorkflowSummary summary = summaries.get(workflowId);
    if (message.getType() == WorkflowMessageType.MERGE) {
      merge(workflowId, summary, message, now, record.timestamp());
      return;
    }
    if (summary != null && summary.getMergedInto() != null) {
      // This workflow moved; a trace that has not heard yet still sends here.
      forward(summary.getMergedInto(), summary.getMergedIntoKind(), message, record.timestamp());
      return;
    }
    if (summary == null) {
      summary = newSummary(workflowId, message.getWorkflowKind(), now);
    }
    store(workflowId, summary, message);
    summary.setLastActivityMs(now);
    summary.setDirty(true);
    long quietAt = now + settings.inactivityGap().toMillis();
    summary.setDueMs(summary.getRevision() == 0 ? Math.min(quietAt, summary.getMaxDueMs()) : quietAt);
    reindex(summary, workflowId);
    summaries.put(workflowId, summary);
  }

  private WorkflowSummary newSummary(String workflowId, WorkflowKind kind, long now) {
    counters.add("workflows.opened", 1);
    return WorkflowSummary.newBuilder()
        .setWorkflowId(workflowId).setWorkflowKind(kind)
        .setFirstSeenMs(now).setLastActivityMs(now)
        .setMaxDueMs(now + settings.maxDuration().toMillis())
        .setDueMs(now + settings.inactivityGap().toMillis())
        .build();
  }

  private void store(String workflowId, WorkflowSummary summary, WorkflowMessage message) {
    Set<String> traceIds = new LinkedHashSet<>(summary.getTraceIds());
    // The spans of one incoming group are stored as one item: one write and one changelog record per group,
    // however many spans it holds. Spans exported twice are kept apart at assembly, where they are counted.
    List<SpanRecord> accepted = new ArrayList<>();
    for (SpanRecord span : message.getSpans()) {
      traceIds.add(span.getTraceId());
      if (summary.getSpanCount() + summary.getEventCount() + accepted.size() >= settings.maxSpansPerWorkflow()) {
        summary.setDroppedSpans(summary.getDroppedSpans() + 1);
        summary.setTruncated(true);
      } else {
        accepted.add(span);
      }
    }
    if (!accepted.isEmpty()) {
      summary.setItemSequence(summary.getItemSequence() + 1);
      items.put(itemKey(workflowId, "s" + String.format("%010d", summary.getItemSequence())),
          WorkflowItem.newBuilder().setSpans(accepted).build());
      summary.setSpanCount(summary.getSpanCount() + accepted.size());
    }
    for (EventRecord event : message.getEvents()) {
      if (event.getTraceId() != null) {
        traceIds.add(event.getTraceId());
      }
      if (atCap(summary)) {
        summary.setDroppedSpans(summary.getDroppedSpans() + 1);
        summary.setTruncated(true);
        continue;
      }
      // One item per delivery: the same event id at another offset is a duplicate that must stay visible,
      // the same offset read again is the same delivery.
      String key = itemKey(workflowId, "e" + event.getEventId() + SEPARATOR + event.getTopic() + "/"
          + event.getPartition() + "@" + event.getOffset());
      if (items.putIfAbsent(key, WorkflowItem.newBuilder().setEvent(event).build()) == null) {
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

  private boolean atCap(WorkflowSummary summary) {
    return summary.getSpanCount() + summary.getEventCount() >= settings.maxSpansPerWorkflow();
  }

  /**
   * This workflow turned out to be part of another: move its records there once, leave a forwarding
   * pointer for traces that have not heard yet, and withdraw any graph already published under its id.
   */
  private void merge(String workflowId, WorkflowSummary summary, WorkflowMessage message, long now, long timestamp) {
    String target = message.getMergeInto();
    WorkflowKind targetKind = message.getMergeIntoKind();
    if (target.equals(workflowId)) {
      return;
    }
    if (summary == null) {
      summary = newSummary(workflowId, message.getWorkflowKind(), now);
    } else if (summary.getMergedInto() != null) {
      String current = summary.getMergedInto();
      if (current.equals(target)) {
        return;
      }
      // Already moved elsewhere: the two targets are one workflow too; the loser moves into the winner.
      if (WorkflowIds.wins(target, targetKind, current, summary.getMergedIntoKind())) {
        sendMerge(current, summary.getMergedIntoKind(), target, targetKind, timestamp);
        summary.setMergedInto(target);
        summary.setMergedIntoKind(targetKind);
        summaries.put(workflowId, summary);
      } else {
        sendMerge(target, targetKind, current, summary.getMergedIntoKind(), timestamp);
      }
      return;
    }
    moveRecords(workflowId, summary, target, targetKind, timestamp);
    if (summary.getRevision() > 0) {
      context.forward(new Record<>(workflowId, null, timestamp), toGraphs);
    }
    summary.setMergedInto(target);
    summary.setMergedIntoKind(targetKind);
    summary.setDirty(false);
    summary.setSpanCount(0);
    summary.setEventCount(0);
    summary.setDueMs(now + settings.retention().toMillis());
    reindex(summary, workflowId);
    summaries.put(workflowId, summary);
  }

  private void moveRecords(String workflowId, WorkflowSummary summary, String target, WorkflowKind targetKind,
      long timestamp) {
    List<String> mergedFrom = new ArrayList<>(summary.getMergedFrom());
    mergedFrom.add(workflowId);
    WorkflowParts parts = readParts(workflowId, true);
    int chunk = settings.maxSpansPerMessage();
    boolean sentAny = false;
    for (int from = 0; from < parts.spans().size(); from += chunk) {
      forwardMoved(target, targetKind, WorkflowMessageType.SPANS,
          parts.spans().subList(from, Math.min(parts.spans().size(), from + chunk)), List.of(), summary, mergedFrom,
          timestamp);
      sentAny = true;
    }
    for (int from = 0; from < parts.events().size(); from += chunk) {
      forwardMoved(target, targetKind, WorkflowMessageType.EVENTS, List.of(),
          parts.events().subList(from, Math.min(parts.events().size(), from + chunk)), summary, mergedFrom,
          timestamp);
      sentAny = true;
    }
    if (!sentAny) {
      forwardMoved(target, targetKind, WorkflowMessageType.SPANS, List.of(), List.of(), summary, mergedFrom, timestamp);
    }
    counters.add("workflows.merged_moves", 1);
  }

  private void forwardMoved(String target, WorkflowKind targetKind, WorkflowMessageType type, List<SpanRecord> spans,
      List<EventRecord> events, WorkflowSummary summary, List<String> mergedFrom, long timestamp) {
    WorkflowMessage moved = WorkflowMessage.newBuilder().setType(type).setWorkflowId(target)
        .setWorkflowKind(targetKind).setSpans(new ArrayList<>(spans)).setEvents(new ArrayList<>(events))
        .setTraceIds(summary.getTraceIds()).setMergedFrom(mergedFrom).build();
    context.forward(new Record<>(target, moved, timestamp), toWorkflows);
  }

  private void sendMerge(String loser, WorkflowKind loserKind, String winner, WorkflowKind winnerKind, long timestamp) {
    WorkflowMessage merge = WorkflowMessage.newBuilder().setType(WorkflowMessageType.MERGE).setWorkflowId(loser)
        .setWorkflowKind(loserKind).setMergeInto(winner).setMergeIntoKind(winnerKind).build();
    context.forward(new Record<>(loser, merge, timestamp), toWorkflows);
  }

  private void forward(String target, WorkflowKind kind, WorkflowMessage message, long timestamp) {
    WorkflowMessage redirected = WorkflowMessage.newBuilder(message).setWorkflowId(target).setWorkflowKind(kind).build();
    context.forward(new Record<>(target, redirected, timestamp), toWorkflows);
  }

  /** Visits only workflows whose deadline has come: publication, or leaving the stores. */
  private void punctuate() {
    // No reading before the by-trace stage has said how far it got: nothing is due on this task's records alone.
    if (!clock.hasData()) {
      return;
    }
    long now = clock.now();
    for (DueIndex.Due entry : due.takeDue(now, MAX_DUE_PER_PUNCTUATION)) {
      String workflowId = entry.id();
      WorkflowSummary summary = summaries.get(workflowId);
      if (summary == null || summary.getIndexedDueMs() != entry.dueMs()) {
        continue;
      }
      summary.setIndexedDueMs(0);
      if (now < summary.getDueMs()) {
        reindex(summary, workflowId);
        summaries.put(workflowId, summary);
      } else if (summary.getDirty() && summary.getMergedInto() == null) {
        publish(workflowId, summary, now);
      } else {
        expire(workflowId);
      }
    }
  }

  private void publish(String workflowId, WorkflowSummary summary, long now) {
    PublishReason reason = summary.getRevision() > 0 ? PublishReason.LATE_DATA
        : now - summary.getLastActivityMs() >= settings.inactivityGap().toMillis()
            ? PublishReason.QUIET : PublishReason.MAX_DURATION;
    WorkflowParts parts = readParts(workflowId, false);
    if (parts.spans().isEmpty() && parts.events().isEmpty()) {
      // Only a merge notice arrived here (the moved workflow was empty): nothing to show anyone.
      expire(workflowId);
      return;
    }
    int revision = summary.getRevision();
    summary.setRevision(revision + 1);
    AssembledWorkflow assembled = assembler.assemble(summary, parts.spans(), parts.events(), reason, now, expectations,
        steps);
    if (revision == 0 && assembled.nextDeadlineMs() != null && now < summary.getMaxDueMs()) {
      // An expected consumer still has time: wait for its deadline rather than publish, then revise.
      summary.setRevision(revision);
      summary.setDueMs(Math.min(assembled.nextDeadlineMs(), summary.getMaxDueMs()));
      reindex(summary, workflowId);
      summaries.put(workflowId, summary);
      return;
    }
    WorkflowGraph graph = assembled.graph();
    if (graph.getTelemetry() == TelemetryState.NOT_SAMPLED && !settings.publishUnrecorded()) {
      // Head sampling left this workflow out: nothing was observed, so there is no graph to show and nothing to
      // learn from. It is kept for its retention all the same, so a span arriving late still makes it a graph.
      counters.add("workflows.unrecorded", 1);
      summary.setRevision(revision);
      summary.setDirty(false);
      summary.setDueMs(now + settings.retention().toMillis());
      reindex(summary, workflowId);
      summaries.put(workflowId, summary);
      return;
    }
    context.forward(new Record<>(workflowId, graph, now), toGraphs);
    for (GraphListener listener : listeners) {
      listener.published(graph, now);
    }
    if (revision == 0) {
      expectations.learn(assembled.observations(), now);
      steps.learn(assembled.steps(), now);
    }
    reportFindings(summary, assembled.findings(), now);
    counters.add("workflows.published", 1);
    summary.setPublishedAtMs(now);
    summary.setDirty(false);
    summary.setDueMs(now + settings.retention().toMillis());
    reindex(summary, workflowId);
    summaries.put(workflowId, summary);
  }

  /** Each problem once per workflow (a later revision does not count it again); healthy evidence, throttled. */
  private void reportFindings(WorkflowSummary summary, List<FindingMessage> findings, long now) {
    List<String> reported = new ArrayList<>(summary.getReportedFindings());
    for (FindingMessage finding : findings) {
      boolean send = finding.getAction() == FindingAction.OCCURRED
          ? !reported.contains(finding.getDedupKey()) : clears.shouldSend(finding.getDedupKey(), now);
      if (send) {
        if (finding.getAction() == FindingAction.OCCURRED) {
          reported.add(finding.getDedupKey());
        }
        context.forward(new Record<>(finding.getDedupKey(), finding, now), toFindings);
      }
    }
    summary.setReportedFindings(reported);
  }

  private void expire(String workflowId) {
    readParts(workflowId, true);
    summaries.delete(workflowId);
    counters.add("workflows.expired", 1);
  }

  private WorkflowParts readParts(String workflowId, boolean delete) {
    List<SpanRecord> spans = new ArrayList<>();
    List<EventRecord> events = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, WorkflowItem> it =
             items.prefixScan(itemPrefix(workflowId), new StringSerializer())) {
      while (it.hasNext()) {
        KeyValue<String, WorkflowItem> entry = it.next();
        if (delete) {
          keys.add(entry.key);
        }
        WorkflowItems.unpack(entry.value, spans, events);
      }
    }
    keys.forEach(items::delete);
    if (delete) {
      // Only this workflow's own entries: a merge target in the same task may already have indexed the event.
      events.stream().map(EventRecord::getEventId).distinct()
          .filter(eventId -> workflowId.equals(eventIndex.get(eventId))).forEach(eventIndex::delete);
    }
    return new WorkflowParts(spans, events);
  }

  private void reindex(WorkflowSummary summary, String workflowId) {
    long dueMs = summary.getDueMs();
    if (summary.getIndexedDueMs() == 0 || dueMs < summary.getIndexedDueMs()) {
      due.add(dueMs, workflowId);
      summary.setIndexedDueMs(dueMs);
    }
  }

  private static String itemKey(String workflowId, String item) {
    return itemPrefix(workflowId) + item;
  }

  /** The common prefix of a workflow's keys in {@link #ITEM_STORE}: a prefix scan reads the whole workflow. */
  public static String itemPrefix(String workflowId) {
    return workflowId + SEPARATOR;
  }

  private record WorkflowParts(List<SpanRecord> spans, List<EventRecord> events) {}
}
