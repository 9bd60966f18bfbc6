package io.tracestitch.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tracestitch.avro.Branch;
import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.PublishReason;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.avro.internal.AlertState;
import io.tracestitch.avro.internal.ExpectationStats;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.StepTimes;
import io.tracestitch.avro.internal.TraceState;
import io.tracestitch.avro.internal.WorkflowSummary;
import io.tracestitch.serdes.AvroJson;
import io.tracestitch.topology.StitchSettings;
import io.tracestitch.topology.alert.AlertProcessor;
import io.tracestitch.topology.expect.Expectations;
import io.tracestitch.topology.expect.LearnedExpectations;
import io.tracestitch.topology.graph.AssembledWorkflow;
import io.tracestitch.topology.graph.DiagnosisSettings;
import io.tracestitch.topology.graph.GraphAssembler;
import io.tracestitch.topology.steps.StepLearning;
import io.tracestitch.topology.trace.TraceView;
import io.tracestitch.topology.workflow.WorkflowStitcher;
import io.tracestitch.topology.workflow.WorkflowView;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads this instance's own state stores through interactive queries and turns them into the API's
 * JSON. Graphs are assembled on demand by the topology's own {@link GraphAssembler}, with the learned
 * expectations of the workflow's task, so a graph here is the one a publication now would produce.
 *
 * <p>Key reads name the partition (from {@link Instances#locate}); scans visit each local active
 * partition separately and report which ones they could read, so the coordinating instance can tell
 * a complete answer from one missing partitions that are moving between instances.
 */
final class LocalState {
  /** What a scan found, and which input partitions of the store's task it covered. */
  record Scan<T>(List<T> found, Set<Integer> partitions) {}

  static final Comparator<WorkflowSummary> OLDEST_FIRST =
      Comparator.comparingLong(WorkflowSummary::getFirstSeenMs).thenComparing(WorkflowSummary::getWorkflowId);
  static final Comparator<WorkflowSummary> NEWEST_FIRST =
      Comparator.comparingLong((WorkflowSummary w) -> -w.getLastActivityMs()).thenComparing(WorkflowSummary::getWorkflowId);
  static final Comparator<KeyValue<String, AlertState>> NEWEST_ALERT_FIRST =
      Comparator.comparingLong((KeyValue<String, AlertState> e) -> -e.value.getLastSeenMs()).thenComparing(e -> e.key);

  private final KafkaStreams streams;
  private final StitchSettings settings;
  private final GraphAssembler assembler;
  private final Clock clock;
  private final String servedBy;

  LocalState(KafkaStreams streams, StitchSettings settings, Clock clock, String servedBy) {
    this.streams = streams;
    this.settings = settings;
    this.assembler = new GraphAssembler(settings.inactivityGap(), settings.clockSkewTolerance(), settings.diagnosis());
    this.clock = clock;
    this.servedBy = servedBy;
  }

  /**
   * The workflow with its graph; for a workflow merged into another, only the pointer
   * ({@code mergedInto}); empty when this partition does not store it.
   */
  Optional<ObjectNode> workflow(String workflowId, int partition) {
    WorkflowSummary summary = workflows(partition).summary(workflowId);
    if (summary == null) {
      return Optional.empty();
    }
    if (summary.getMergedInto() != null) {
      return Optional.of(Json.object().put("workflowId", workflowId).put("mergedInto", summary.getMergedInto())
          .put("servedBy", servedBy));
    }
    AssembledWorkflow assembled = assemble(summary, partition);
    ObjectNode view = header(summary);
    view.set("graph", AvroJson.toJson(assembled.graph()));
    return Optional.of(view);
  }

  Optional<TraceState> traceState(String traceId, int partition) {
    return Optional.ofNullable(new TraceView(store(TraceView.STATE_STORE, partition)).state(traceId));
  }

  /** The {@code limit} oldest unfinished workflows here, each with its branches still waiting. */
  Scan<ObjectNode> openWorkflows(int limit) {
    PriorityQueue<Located> newestOnTop =
        new PriorityQueue<>(Comparator.comparing(Located::summary, OLDEST_FIRST).reversed());
    Set<Integer> covered = new TreeSet<>();
    for (int partition : Instances.localPartitions(streams, settings.byWorkflowTopic())) {
      List<Located> open = new ArrayList<>();
      try (KeyValueIterator<String, WorkflowSummary> it =
               workflows(partition).summaries()) {
        while (it.hasNext()) {
          WorkflowSummary summary = it.next().value;
          if (isOpen(summary)) {
            open.add(new Located(summary, partition));
          }
        }
      } catch (InvalidStateStoreException e) {
        continue; // Moving or restoring: reported as not covered, never as "no open workflows".
      }
      covered.add(partition);
      for (Located located : open) {
        newestOnTop.add(located);
        if (newestOnTop.size() > limit) {
          newestOnTop.poll();
        }
      }
    }
    List<Located> oldest = new ArrayList<>(newestOnTop);
    oldest.sort(Comparator.comparing(Located::summary, OLDEST_FIRST));
    List<ObjectNode> found = new ArrayList<>();
    for (Located located : oldest) {
      ObjectNode entry = header(located.summary());
      ArrayNode pending = entry.putArray("pendingBranches");
      for (Branch branch : assemble(located.summary(), located.partition()).graph().getBranches()) {
        if (branch.getState() == BranchState.PENDING || branch.getState() == BranchState.RETRYING) {
          pending.add(AvroJson.toJson(branch));
        }
      }
      found.add(entry);
    }
    return new Scan<>(found, covered);
  }

  /**
   * The {@code limit} most recently active workflows here whose graph, assembled now, has the status (any
   * status when null), newest first. Only the {@code examine} most recently active ones are assembled, so the
   * cost stays bounded; a status rarer than that among them shows fewer entries.
   */
  Scan<ObjectNode> recentWorkflows(String status, int limit, int examine) {
    PriorityQueue<Located> oldestOnTop = new PriorityQueue<>(Comparator.comparing(Located::summary, NEWEST_FIRST)
        .reversed());
    Set<Integer> covered = new TreeSet<>();
    for (int partition : Instances.localPartitions(streams, settings.byWorkflowTopic())) {
      List<Located> here = new ArrayList<>();
      try (KeyValueIterator<String, WorkflowSummary> it =
               workflows(partition).summaries()) {
        while (it.hasNext()) {
          WorkflowSummary summary = it.next().value;
          if (summary.getMergedInto() == null) {
            here.add(new Located(summary, partition));
          }
        }
      } catch (InvalidStateStoreException e) {
        continue; // Reported as not covered.
      }
      covered.add(partition);
      for (Located located : here) {
        oldestOnTop.add(located);
        if (oldestOnTop.size() > examine) {
          oldestOnTop.poll();
        }
      }
    }
    List<Located> newest = new ArrayList<>(oldestOnTop);
    newest.sort(Comparator.comparing(Located::summary, NEWEST_FIRST));
    List<ObjectNode> found = new ArrayList<>();
    for (Located located : newest) {
      if (found.size() == limit) {
        break;
      }
      WorkflowGraph graph = assemble(located.summary(), located.partition()).graph();
      if (status == null || graph.getStatus().name().equals(status)) {
        ObjectNode entry = header(located.summary());
        entry.put("status", graph.getStatus().name());
        entry.put("durationMs", graph.getDurationMs());
        entry.put("correlationId", graph.getCorrelationId());
        entry.put("rootService", graph.getRootService());
        entry.put("rootName", graph.getRootName());
        entry.put("traceCount", graph.getTraceIds().size());
        entry.put("branchCount", graph.getBranches().size());
        found.add(entry);
      }
    }
    return new Scan<>(found, covered);
  }

  /**
   * The stored span (with the attributes kept, its links and exceptions) of a workflow here; for a workflow
   * merged into another, only the pointer ({@code mergedInto}); empty when this partition stores neither.
   */
  Optional<ObjectNode> span(String workflowId, int partition, String traceId, String spanId) {
    WorkflowSummary summary = workflows(partition).summary(workflowId);
    if (summary == null) {
      return Optional.empty();
    }
    if (summary.getMergedInto() != null) {
      return Optional.of(Json.object().put("workflowId", workflowId).put("mergedInto", summary.getMergedInto())
          .put("servedBy", servedBy));
    }
    List<SpanRecord> spans = workflows(partition).contents(workflowId, summary).spans();
    // The first copy stored wins, as in the graph (an exporter retry stores a span twice).
    return spans.stream().filter(s -> s.getTraceId().equals(traceId) && s.getSpanId().equals(spanId)).findFirst()
        .map(s -> {
          ObjectNode view = Json.object().put("workflowId", workflowId).put("servedBy", servedBy);
          view.set("span", AvroJson.toJson(s));
          return view;
        });
  }

  /** Alerts firing here (including those whose trigger was held back while catching up), newest first. */
  Scan<ObjectNode> firingAlerts(int limit) {
    List<KeyValue<String, AlertState>> firing = new ArrayList<>();
    Set<Integer> covered = new TreeSet<>();
    for (int partition : Instances.localPartitions(streams, settings.findingsTopic())) {
      List<KeyValue<String, AlertState>> here = new ArrayList<>();
      try (KeyValueIterator<String, AlertState> it = this.<AlertState>store(AlertProcessor.STORE, partition).all()) {
        it.forEachRemaining(entry -> {
          if (entry.value.getFiring()) {
            here.add(entry);
          }
        });
      } catch (InvalidStateStoreException e) {
        continue;
      }
      covered.add(partition);
      firing.addAll(here);
    }
    firing.sort(NEWEST_ALERT_FIRST);
    List<ObjectNode> found = new ArrayList<>();
    for (KeyValue<String, AlertState> entry : firing.subList(0, Math.min(limit, firing.size()))) {
      ObjectNode alert = Json.object().put("dedupKey", entry.key);
      alert.put("kind", entry.value.getLatest() == null ? null : entry.value.getLatest().getKind().name());
      alert.setAll(AvroJson.toJson(entry.value));
      alert.put("servedBy", servedBy);
      found.add(alert);
    }
    return new Scan<>(found, covered);
  }

  /** The id of the workflow that stores the event here, if one does. */
  Scan<String> workflowOfEvent(String eventId) {
    Set<Integer> covered = new TreeSet<>();
    for (int partition : Instances.localPartitions(streams, settings.byWorkflowTopic())) {
      String workflowId;
      try {
        workflowId = workflows(partition).workflowOfEvent(eventId);
      } catch (InvalidStateStoreException e) {
        continue;
      }
      covered.add(partition);
      if (workflowId != null) {
        return new Scan<>(List.of(workflowId), covered);
      }
    }
    return new Scan<>(List.of(), covered);
  }

  /** Unfinished: never published, or data arrived after its last publication. A merged-away id is not a workflow. */
  static boolean isOpen(WorkflowSummary summary) {
    return summary.getMergedInto() == null && (summary.getRevision() == 0 || summary.getDirty());
  }

  private ObjectNode header(WorkflowSummary summary) {
    return Json.object()
        .put("workflowId", summary.getWorkflowId())
        .put("kind", summary.getWorkflowKind().name())
        .put("open", isOpen(summary))
        .put("publishedRevision", summary.getRevision())
        .put("firstSeenMs", summary.getFirstSeenMs())
        .put("lastActivityMs", summary.getLastActivityMs())
        .put("spanCount", summary.getSpanCount())
        .put("eventCount", summary.getEventCount())
        .put("servedBy", servedBy);
  }

  private AssembledWorkflow assemble(WorkflowSummary summary, int partition) {
    WorkflowView.Contents contents = workflows(partition).contents(summary.getWorkflowId(), summary);
    Expectations expectations = new LearnedExpectations(new ReadOnlyStoreView<>(WorkflowStitcher.EXPECTATION_STORE,
        this.<ExpectationStats>store(WorkflowStitcher.EXPECTATION_STORE, partition)), settings.expectations(),
        settings.contracts());
    // Not a publication: after one, what is shown is data that came later (LATE_DATA); before, the workflow as
    // it stands (QUIET). The revision stays the last one published, 0 for never.
    PublishReason reason = summary.getRevision() > 0 ? PublishReason.LATE_DATA : PublishReason.QUIET;
    StepLearning steps = new StepLearning(new ReadOnlyStoreView<>(StepLearning.STORE,
        this.<StepTimes>store(StepLearning.STORE, partition)), settings.diagnosis().stepHalfLife(),
        settings.diagnosis().slowStepMinSamples(), DiagnosisSettings.MAX_STEPS_LEARNED_PER_WORKFLOW);
    return assembler.assemble(summary, contents.spans(), contents.events(), reason, clock.millis(), expectations,
        steps);
  }

  /** The by-workflow stage's state on one partition, read only. */
  private WorkflowView workflows(int partition) {
    return new WorkflowView(store(WorkflowView.SUMMARY_STORE, partition), store(WorkflowView.ITEM_STORE, partition),
        store(WorkflowView.EVENT_INDEX_STORE, partition));
  }

  private <V> ReadOnlyKeyValueStore<String, V> store(String name, int partition) {
    return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore())
        .withPartition(partition));
  }

  private record Located(WorkflowSummary summary, int partition) {}
}
