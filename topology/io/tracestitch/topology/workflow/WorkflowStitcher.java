package io.tracestitch.topology.workflow;

import io.tracestitch.avro.PublishReason;
import io.tracestitch.avro.TelemetryState;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.avro.internal.EventRecord;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.WorkflowKind;
import io.tracestitch.avro.internal.WorkflowMessage;
import io.tracestitch.avro.internal.WorkflowMessageType;
import io.tracestitch.avro.internal.WorkflowSummary;
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
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The by-workflow stage: files each span group and event of a workflow in its {@link WorkflowStore}, publishes
 * the graph when the workflow has been quiet for the inactivity gap (or at the maximum duration, or, when an
 * expected consumer still has time, at its deadline), moves a workflow that turned out to be part of another,
 * and lets it leave the stores after the retention period. Late data after publication makes it dirty again and
 * produces the next revision.
 *
 * <p>Per record the work is a summary read and write (the summary carries the newest spans): it does not depend on
 * how many workflows are open. Only publication reads a whole workflow, once per revision, and
 * the punctuator visits only workflows that are due.
 */
public final class WorkflowStitcher implements Processor<String, WorkflowMessage, String, Object> {
  public static final String EXPECTATION_STORE = "expectations";

  private static final int MAX_DUE_PER_PUNCTUATION = 5_000;

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
  private WorkflowStore store;

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
    this.store = WorkflowStore.of(context);
    this.expectations = new LearnedExpectations(context.getStateStore(EXPECTATION_STORE), settings.expectations(),
        settings.contracts(), counters);
    this.steps = new StepLearning(context.getStateStore(StepLearning.STORE), settings.diagnosis().stepHalfLife(),
        settings.diagnosis().slowStepMinSamples(), DiagnosisSettings.MAX_STEPS_LEARNED_PER_WORKFLOW);
    clock.init(context);
    repairAfterRestart();
    context.schedule(settings.punctuationInterval(), PunctuationType.WALL_CLOCK_TIME, wall -> punctuate());
  }

  /** Restart repair ({@link WorkflowStore#repairAfterRestart}): nothing stranded, lost graphs published again. */
  private void repairAfterRestart() {
    WorkflowStore.Repair repair = store.repairAfterRestart(settings.republishAfterRestart().toMillis());
    if (repair.refiled() > 0 || repair.republished() > 0) {
      counters.add("workflows.refiled_after_restart", repair.refiled());
      counters.add("workflows.republished_after_restart", repair.republished());
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
    WorkflowSummary summary = store.summary(workflowId);
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
    int storedBefore = summary.getSpanCount() + summary.getEventCount();
    store.add(workflowId, summary, message, settings.maxSpansPerWorkflow(), settings.maxSpansPerMessage());
    counters.add("workflows.items_stored", summary.getSpanCount() + summary.getEventCount() - storedBefore);
    summary.setLastActivityMs(now);
    summary.setDirty(true);
    long quietAt = now + settings.inactivityGap().toMillis();
    summary.setDueMs(summary.getRevision() == 0 ? Math.min(quietAt, summary.getMaxDueMs()) : quietAt);
    store.save(workflowId, summary);
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
        store.save(workflowId, summary);
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
    store.save(workflowId, summary);
  }

  private void moveRecords(String workflowId, WorkflowSummary summary, String target, WorkflowKind targetKind,
      long timestamp) {
    List<String> mergedFrom = new ArrayList<>(summary.getMergedFrom());
    mergedFrom.add(workflowId);
    WorkflowView.Contents parts = store.take(workflowId, summary);
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
    for (KeyValue<String, WorkflowSummary> entry : store.takeDue(now, MAX_DUE_PER_PUNCTUATION)) {
      String workflowId = entry.key;
      WorkflowSummary summary = entry.value;
      if (now < summary.getDueMs()) {
        store.save(workflowId, summary);
      } else if (summary.getDirty() && summary.getMergedInto() == null) {
        publish(workflowId, summary, now);
      } else {
        expire(workflowId, summary);
      }
    }
  }

  private void publish(String workflowId, WorkflowSummary summary, long now) {
    PublishReason reason = summary.getRevision() > 0 ? PublishReason.LATE_DATA
        : now - summary.getLastActivityMs() >= settings.inactivityGap().toMillis()
            ? PublishReason.QUIET : PublishReason.MAX_DURATION;
    WorkflowView.Contents parts = store.contents(workflowId, summary);
    if (parts.isEmpty()) {
      // Only a merge notice arrived here (the moved workflow was empty): nothing to show anyone.
      expire(workflowId, summary);
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
      store.save(workflowId, summary);
      return;
    }
    WorkflowGraph graph = assembled.graph();
    if (graph.getTelemetry() == TelemetryState.NOT_SAMPLED && !settings.publishUnrecorded()) {
      // Head sampling left this workflow out: nothing was observed, so there is no graph to show and nothing to
      // learn from. It is kept for its retention all the same, so a span arriving late still makes it a graph.
      counters.add("workflows.unrecorded", 1);
      summary.setRevision(revision);
      keepForRetention(workflowId, summary, now);
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
    keepForRetention(workflowId, summary, now);
  }

  /** Nothing more to show until new data comes: the workflow stays for late data until its retention ends. */
  private void keepForRetention(String workflowId, WorkflowSummary summary, long now) {
    summary.setDirty(false);
    summary.setDueMs(now + settings.retention().toMillis());
    store.save(workflowId, summary);
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

  private void expire(String workflowId, WorkflowSummary summary) {
    store.remove(workflowId, summary);
    counters.add("workflows.expired", 1);
  }
}
