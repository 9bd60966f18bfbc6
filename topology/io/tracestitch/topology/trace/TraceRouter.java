package io.tracestitch.topology.trace;

import io.tracestitch.avro.internal.EventRecord;
import io.tracestitch.avro.internal.SpanLinkRef;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.TraceMessage;
import io.tracestitch.avro.internal.TraceMessageType;
import io.tracestitch.avro.internal.TraceState;
import io.tracestitch.avro.internal.WorkflowKind;
import io.tracestitch.avro.internal.WorkflowMessage;
import io.tracestitch.avro.internal.WorkflowMessageType;
import io.tracestitch.topology.ProcessorClock;
import io.tracestitch.topology.StitchCounters;
import io.tracestitch.topology.StitchSettings;
import io.tracestitch.topology.WorkflowIds;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The by-trace stage: decides which workflow each trace belongs to and forwards its spans and events
 * there, keyed by workflow id.
 *
 * <p>A trace learns its workflow from a correlation id on its spans, from an event published in it
 * that carries a correlation id, or from a trace it links to (it asks that trace with a LINK_CLAIM
 * and is answered with an ASSIGN, both through this stage's own topic). Until then its records are
 * held; after the hold, or at the record that would make it hold {@code workflow.max.spans} spans and events, it
 * becomes a workflow of its own. When a trace learns a second workflow, the
 * two are merged: the loser (see {@link WorkflowIds#wins}) is told to move into the winner, with one
 * small MERGE record instead of re-sending history.
 */
public final class TraceRouter implements Processor<String, TraceMessage, String, Object> {
  private static final int MAX_REMEMBERED_TRACES = 64;
  private static final int MAX_DUE_PER_PUNCTUATION = 10_000;

  private final StitchSettings settings;
  private final StitchCounters counters;
  private final String toTraces;
  private final String toWorkflows;
  private final String toEveryWorkflowPartition;
  private final ProcessorClock clock;
  private ProcessorContext<String, Object> context;
  private TraceStore store;

  public TraceRouter(StitchSettings settings, StitchCounters counters, String toTraces, String toWorkflows,
      String toEveryWorkflowPartition) {
    this.settings = settings;
    this.counters = counters;
    this.toTraces = toTraces;
    this.toWorkflows = toWorkflows;
    this.toEveryWorkflowPartition = toEveryWorkflowPartition;
    this.clock = ProcessorClock.ofUpstreamTicks(settings.punctuationInterval());
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.store = TraceStore.of(context);
    clock.init(context);
    refileAfterRestart();
    context.schedule(settings.punctuationInterval(), PunctuationType.WALL_CLOCK_TIME, wall -> punctuate());
  }

  /** Restart repair ({@link TraceStore#refileAfterRestart}): no held trace waits forever. */
  private void refileAfterRestart() {
    int refiled = store.refileAfterRestart();
    if (refiled > 0) {
      counters.add("traces.refiled_after_restart", refiled);
    }
  }

  @Override
  public void process(Record<String, TraceMessage> record) {
    TraceMessage message = record.value();
    if (message.getType() == TraceMessageType.TICK) {
      clock.upstreamTick(message.getSender(), message.getTickMs());
      return;
    }
    clock.recordArrived(record.timestamp());
    long now = clock.now();
    String traceId = record.key();
    TraceState stored = store.state(traceId);
    TraceState state = stored == null
        ? TraceState.newBuilder().setHoldUntilMs(now + settings.traceHold().toMillis()).build()
        : TraceState.newBuilder(stored).build();
    switch (message.getType()) {
      case SPANS -> {
        if (message.getFromTraceId() != null) {
          onJoined(traceId, state, message, record.timestamp());
        } else {
          onSpans(traceId, state, message, record.timestamp());
        }
      }
      case EVENT -> onEvent(traceId, state, message, record.timestamp());
      case LINK_CLAIM -> onLinkClaim(traceId, state, message.getFromTraceId(), record.timestamp());
      case ASSIGN -> claim(traceId, state, message.getWorkflowId(), message.getWorkflowKind(),
          message.getFromTraceId(), record.timestamp());
      case TICK -> throw new IllegalStateException("ticks are handled above");
    }
    store.saveAfterRecord(traceId, stored, state, now, retentionMs());
  }

  private void onSpans(String traceId, TraceState state, TraceMessage message, long timestamp) {
    // Consumer spans that handled a message published in another trace go with that trace (see LinkAnchors):
    // one poll's trace serves many workflows and must not merge them.
    LinkAnchors.Split split = LinkAnchors.of(traceId, message.getSpans());
    for (LinkAnchors.Share share : split.shares()) {
      TraceMessage joined = TraceMessage.newBuilder().setType(TraceMessageType.SPANS)
          .setTraceId(share.linkedTraceId()).setFromTraceId(traceId).setSpans(share.spans()).build();
      context.forward(new Record<>(share.linkedTraceId(), joined, timestamp), toTraces);
    }
    if (!split.shares().isEmpty() && state.getClaimedTraces().isEmpty()) {
      // Spans of this trace that arrive apart from the consumer span they hang under follow the first workflow
      // it served; asking one linked trace only, so serving several never merges them.
      ask(traceId, state, List.of(split.shares().get(0).linkedTraceId()), timestamp);
    }
    List<SpanRecord> spans = split.rest();
    if (spans.isEmpty()) {
      return;
    }
    askLinkedTraces(traceId, state, spans, timestamp);
    String correlation = firstCorrelation(spans);
    if (correlation != null) {
      claim(traceId, state, correlation, WorkflowKind.CORRELATION, null, timestamp);
    }
    if (state.getWorkflowId() != null) {
      forwardSpans(traceId, state, spans, List.of(), timestamp);
    } else {
      hold(traceId, state, spans.size() == message.getSpans().size() ? message
          : TraceMessage.newBuilder(message).setSpans(spans).build(), timestamp);
    }
  }

  /** Spans of another trace that handled a message published in this one: they go where this trace goes. */
  private void onJoined(String traceId, TraceState state, TraceMessage message, long timestamp) {
    if (state.getWorkflowId() != null) {
      forwardSpans(traceId, state, message.getSpans(), List.of(), timestamp);
    } else {
      hold(traceId, state, message, timestamp);
    }
  }

  private void onEvent(String traceId, TraceState state, TraceMessage message, long timestamp) {
    EventRecord event = message.getEvent();
    if (event.getCorrelationId() != null) {
      claim(traceId, state, event.getCorrelationId(), WorkflowKind.CORRELATION, null, timestamp);
    }
    if (state.getWorkflowId() != null) {
      forwardSpans(traceId, state, List.of(), List.of(event), timestamp);
    } else {
      hold(traceId, state, message, timestamp);
    }
  }

  /** Another trace links into this one: tell it our workflow now, or once we know it. */
  private void onLinkClaim(String traceId, TraceState state, String fromTraceId, long timestamp) {
    if (fromTraceId == null || fromTraceId.equals(traceId)) {
      return;
    }
    if (state.getWorkflowId() != null) {
      assign(fromTraceId, traceId, state.getWorkflowId(), state.getWorkflowKind(), timestamp);
    } else if (!state.getWaitingTraces().contains(fromTraceId)
        && state.getWaitingTraces().size() < MAX_REMEMBERED_TRACES) {
      List<String> waiting = new ArrayList<>(state.getWaitingTraces());
      waiting.add(fromTraceId);
      state.setWaitingTraces(waiting);
    }
  }

  /**
   * This trace belongs to {@code workflowId}. The first claim decides; a different later claim means
   * two workflows are one, and the loser moves into the winner.
   */
  private void claim(String traceId, TraceState state, String workflowId, WorkflowKind kind, String askedBy,
      long timestamp) {
    String current = state.getWorkflowId();
    if (current == null) {
      state.setWorkflowId(workflowId);
      state.setWorkflowKind(kind);
      flushHeld(traceId, state, timestamp);
      for (String waiting : state.getWaitingTraces()) {
        assign(waiting, traceId, workflowId, kind, timestamp);
      }
      state.setWaitingTraces(List.of());
      return;
    }
    if (current.equals(workflowId)) {
      return;
    }
    counters.add("workflows.merged", 1);
    if (WorkflowIds.wins(workflowId, kind, current, state.getWorkflowKind())) {
      merge(current, state.getWorkflowKind(), workflowId, kind, timestamp);
      state.setWorkflowId(workflowId);
      state.setWorkflowKind(kind);
    } else {
      merge(workflowId, kind, current, state.getWorkflowKind(), timestamp);
      if (askedBy != null) {
        // The asking trace holds the losing id: give it the winner so its later spans go straight there.
        assign(askedBy, traceId, current, state.getWorkflowKind(), timestamp);
      }
    }
  }

  private void askLinkedTraces(String traceId, TraceState state, List<SpanRecord> spans, long timestamp) {
    List<String> linked = new ArrayList<>();
    for (SpanRecord span : spans) {
      for (SpanLinkRef link : span.getLinks()) {
        linked.add(link.getTraceId());
      }
    }
    ask(traceId, state, linked, timestamp);
  }

  /** Asks each linked trace not asked before for its workflow (LINK_CLAIM), remembering a bounded number. */
  private void ask(String traceId, TraceState state, List<String> linkedTraces, long timestamp) {
    List<String> asked = null;
    for (String linked : linkedTraces) {
      List<String> known = asked == null ? state.getClaimedTraces() : asked;
      if (linked.equals(traceId) || known.contains(linked) || known.size() >= MAX_REMEMBERED_TRACES) {
        continue;
      }
      asked = asked == null ? new ArrayList<>(state.getClaimedTraces()) : asked;
      asked.add(linked);
      TraceMessage claim = TraceMessage.newBuilder()
          .setType(TraceMessageType.LINK_CLAIM).setTraceId(linked).setFromTraceId(traceId).build();
      context.forward(new Record<>(linked, claim, timestamp), toTraces);
    }
    if (asked != null) {
      state.setClaimedTraces(asked);
    }
  }

  private void assign(String toTrace, String fromTrace, String workflowId, WorkflowKind kind, long timestamp) {
    TraceMessage assign = TraceMessage.newBuilder().setType(TraceMessageType.ASSIGN).setTraceId(toTrace)
        .setFromTraceId(fromTrace).setWorkflowId(workflowId).setWorkflowKind(kind).build();
    context.forward(new Record<>(toTrace, assign, timestamp), toTraces);
  }

  private void merge(String loser, WorkflowKind loserKind, String winner, WorkflowKind winnerKind, long timestamp) {
    WorkflowMessage merge = WorkflowMessage.newBuilder().setType(WorkflowMessageType.MERGE)
        .setWorkflowId(loser).setWorkflowKind(loserKind).setMergeInto(winner).setMergeIntoKind(winnerKind).build();
    context.forward(new Record<>(loser, merge, timestamp), toWorkflows);
  }

  /**
   * Keeps the trace's records until it learns its workflow, fewer than {@code workflow.max.spans} of them: the
   * workflow could keep no more of this trace anyway, so waiting longer would only grow {@code trace-held} (and
   * the list its release reads into memory). The record that would reach the cap ends the hold at once, as
   * the hold's end would: the trace becomes a workflow of its own, whose cap cuts and counts the rest, and a
   * correlation learned later merges it as it would then.
   */
  private void hold(String traceId, TraceState state, TraceMessage message, long timestamp) {
    if (state.getHeldItems() + TraceStore.items(message) < settings.maxSpansPerWorkflow()) {
      store.hold(traceId, state, message, settings.maxSpansPerMessage());
      return;
    }
    counters.add("traces.hold_ended_at_cap", 1);
    // The claim forwards what was held first, so the workflow gets the trace's records in their order.
    claim(traceId, state, WorkflowIds.forTrace(traceId), WorkflowKind.TRACE, null, timestamp);
    forwardSpans(traceId, state, message.getSpans(),
        message.getEvent() == null ? List.of() : List.of(message.getEvent()), timestamp);
  }

  private void flushHeld(String traceId, TraceState state, long timestamp) {
    TraceStore.Held released = store.release(traceId, state);
    forwardSpans(traceId, state, released.spans(), released.events(), timestamp);
  }

  private void forwardSpans(String traceId, TraceState state, List<SpanRecord> spans, List<EventRecord> events,
      long timestamp) {
    int chunk = settings.maxSpansPerMessage();
    for (int from = 0; from < spans.size(); from += chunk) {
      send(traceId, state, WorkflowMessageType.SPANS,
          new ArrayList<>(spans.subList(from, Math.min(spans.size(), from + chunk))), List.of(), timestamp);
    }
    for (int from = 0; from < events.size(); from += chunk) {
      send(traceId, state, WorkflowMessageType.EVENTS, List.of(),
          new ArrayList<>(events.subList(from, Math.min(events.size(), from + chunk))), timestamp);
    }
  }

  private void send(String traceId, TraceState state, WorkflowMessageType type, List<SpanRecord> spans,
      List<EventRecord> events, long timestamp) {
    WorkflowMessage message = WorkflowMessage.newBuilder().setType(type).setWorkflowId(state.getWorkflowId())
        .setWorkflowKind(state.getWorkflowKind()).setTraceId(traceId).setSpans(spans).setEvents(events).build();
    context.forward(new Record<>(state.getWorkflowId(), message, timestamp), toWorkflows);
  }

  /** Visits only traces whose hold or retention has run out. */
  private void punctuate() {
    // No reading before the ingest stage has said how far it got: a hold judged by this task's own records
    // could run out while the trace's correlation is still queued in a slower ingest task. Nor a tick: a
    // wall-clock tick from an idle task would hold the by-workflow stage at start-up time when a backlog
    // with older times arrives.
    if (!clock.hasData()) {
      return;
    }
    long now = clock.now();
    // Tell every by-workflow partition how far this task has got, so none of them mistakes records still
    // held or still queued here for silence.
    WorkflowMessage tick = WorkflowMessage.newBuilder().setType(WorkflowMessageType.TICK).setWorkflowId("")
        .setWorkflowKind(WorkflowKind.TRACE).setSender(context.taskId().toString()).setTickMs(now).build();
    context.forward(new Record<>("", tick, now), toEveryWorkflowPartition);
    for (KeyValue<String, TraceState> entry : store.takeDue(now, MAX_DUE_PER_PUNCTUATION)) {
      String traceId = entry.key;
      TraceState state = entry.value;
      if (state.getWorkflowId() == null && now >= state.getHoldUntilMs()) {
        // Nothing tied this trace to anything during the hold: it is a workflow of its own.
        claim(traceId, state, WorkflowIds.forTrace(traceId), WorkflowKind.TRACE, null, now);
        store.save(traceId, state);
      } else if (state.getWorkflowId() != null && now >= state.getExpiresAtMs()) {
        store.remove(traceId);
      } else {
        store.save(traceId, state);
      }
    }
  }

  private long retentionMs() {
    return settings.retention().plus(settings.maxDuration()).toMillis();
  }

  private static String firstCorrelation(List<SpanRecord> spans) {
    for (SpanRecord span : spans) {
      if (span.getCorrelationId() != null && !span.getCorrelationId().isBlank()) {
        return span.getCorrelationId();
      }
    }
    return null;
  }



}
