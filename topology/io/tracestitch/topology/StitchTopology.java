package io.tracestitch.topology;

import io.tracestitch.serdes.AvroTrust;
import io.tracestitch.topology.alert.AlertProcessor;
import io.tracestitch.topology.alert.ConsumerOffsets;
import io.tracestitch.topology.graph.GraphAssembler;
import io.tracestitch.topology.ingest.EventIdentityExtractor;
import io.tracestitch.topology.ingest.EventIngestProcessor;
import io.tracestitch.topology.ingest.OtlpSpanDecoder;
import io.tracestitch.topology.ingest.SpanIngestProcessor;
import io.tracestitch.topology.steps.StepLearning;
import io.tracestitch.topology.trace.TraceRouter;
import io.tracestitch.topology.trace.TraceView;
import io.tracestitch.topology.workflow.GraphListener;
import io.tracestitch.topology.workflow.WorkflowStitcher;
import io.tracestitch.topology.workflow.WorkflowView;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The stitching topology, top to bottom as the data flows:
 *
 * <ol>
 *   <li><b>Ingest</b>: OTLP batches are exploded and regrouped per trace; events have their identities
 *       read. Both go to the by-trace topic (events without trace context go straight to their
 *       workflow); unusable records go to the dead-letter topic.</li>
 *   <li><b>By trace</b> (keyed by trace id): which workflow a trace belongs to; spans and events
 *       forwarded in groups keyed by workflow id. Claims between traces loop through this topic.</li>
 *   <li><b>By workflow</b> (keyed by workflow id): spans and events stored one by one, a summary and a
 *       deadline index per workflow; a wall-clock punctuator publishes graphs when they are due, with the
 *       branches expectations ask for, and sends findings on. Merges loop through this topic.</li>
 *   <li><b>By alert group</b> (keyed by dedup key): findings become grouped alerts with a
 *       trigger/re-send/resolve lifecycle.</li>
 * </ol>
 *
 * The two routing topics are written and read by this topology (they close loops, which Kafka
 * Streams' managed repartition topics cannot), so the application creates them; see
 * {@link #internalTopics}.
 */
public final class StitchTopology {
  /**
   * The stores with no changelog: the due indexes, derived from the trace states and workflow summaries and filed
   * again at every task start (see the comment where they are added). Every store {@link #dueIndexStore} makes.
   */
  public static final Set<String> UNLOGGED_STORES = Set.of(TraceView.DUE_STORE, WorkflowView.DUE_STORE);

  public static final String SPANS_SOURCE = "spans-source";
  public static final String EVENTS_SOURCE = "events-source";
  public static final String SPAN_INGEST = "span-ingest";
  public static final String EVENT_INGEST = "event-ingest";
  public static final String BY_TRACE_SOURCE = "by-trace-source";
  public static final String TRACE_ROUTER = "trace-router";
  public static final String BY_WORKFLOW_SOURCE = "by-workflow-source";
  public static final String WORKFLOW_STITCHER = "workflow-stitcher";

  private StitchTopology() {}

  public static final String FINDINGS_SOURCE = "findings-source";
  public static final String ALERTER = "alerter";

  public static Topology build(StitchSettings settings, StitchSerdes serdes, StitchCounters counters,
      List<GraphListener> listeners) {
    return build(settings, serdes, counters, listeners, ConsumerOffsets.NONE);
  }

  public static Topology build(StitchSettings settings, StitchSerdes serdes, StitchCounters counters,
      List<GraphListener> listeners, ConsumerOffsets offsets) {
    return build(settings, serdes, counters, listeners, offsets, ReadToEnd.NOT_WATCHED_ANYWHERE);
  }

  /**
   * {@code readToEnd}: how far this instance has read the partitions of its sources and of the findings, which bounds
   * the clocks of the stages that read them by their records (span and event ingest, alerts).
   */
  public static Topology build(StitchSettings settings, StitchSerdes serdes, StitchCounters counters,
      List<GraphListener> listeners, ConsumerOffsets offsets, ReadToEnd readToEnd) {
    AvroTrust.trustGeneratedRecords();
    Topology topology = new Topology();

    // Ingest: spans and events arrive as bytes so a bad record can be dead-lettered instead of killing the thread.
    topology.addSource(SPANS_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), settings.spansTopic());
    if (settings.eventTopicPattern() != null) {
      topology.addSource(EVENTS_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
          settings.eventTopicPattern());
    } else if (!settings.eventTopics().isEmpty()) {
      topology.addSource(EVENTS_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
          settings.eventTopics().toArray(String[]::new));
    }
    OtlpSpanDecoder decoder = new OtlpSpanDecoder(settings.spanEncoding(), settings.spanAttributes());
    topology.addProcessor(SPAN_INGEST, () -> new SpanIngestProcessor(settings.spansTopic(), decoder, counters,
        settings.maxSpansPerMessage(), settings.punctuationInterval(), "to-by-trace-from-spans",
        "to-every-by-trace-partition-from-spans", "to-dlq-from-spans", readToEnd), SPANS_SOURCE);
    topology.addSink("to-by-trace-from-spans", settings.byTraceTopic(), new StringSerializer(),
        serdes.traceMessage().serializer(), SPAN_INGEST);
    // Clock ticks go to every partition (multicast), so each by-trace task hears from each ingest task.
    topology.addSink("to-every-by-trace-partition-from-spans", settings.byTraceTopic(), new StringSerializer(),
        serdes.traceMessage().serializer(), new EveryPartition<>(), SPAN_INGEST);
    topology.addSink("to-dlq-from-spans", settings.deadLetterTopic(), new ByteArraySerializer(),
        new ByteArraySerializer(), SPAN_INGEST);
    if (settings.eventTopicPattern() != null || !settings.eventTopics().isEmpty()) {
      EventIdentityExtractor extractor = new EventIdentityExtractor(settings.eventIdentity());
      topology.addProcessor(EVENT_INGEST, () -> new EventIngestProcessor(extractor, counters,
          settings.punctuationInterval(), "to-by-trace-from-events", "to-by-workflow-from-events",
          "to-every-by-trace-partition-from-events", "to-dlq-from-events", readToEnd), EVENTS_SOURCE);
      topology.addSink("to-by-trace-from-events", settings.byTraceTopic(), new StringSerializer(),
          serdes.traceMessage().serializer(), EVENT_INGEST);
      topology.addSink("to-every-by-trace-partition-from-events", settings.byTraceTopic(), new StringSerializer(),
          serdes.traceMessage().serializer(), new EveryPartition<>(), EVENT_INGEST);
      topology.addSink("to-by-workflow-from-events", settings.byWorkflowTopic(), new StringSerializer(),
          serdes.workflowMessage().serializer(), EVENT_INGEST);
      topology.addSink("to-dlq-from-events", settings.deadLetterTopic(), new ByteArraySerializer(),
          new ByteArraySerializer(), EVENT_INGEST);
    }

    // Stores whose keys change many times within one commit (a trace's state and its last held record, a
    // workflow's summary with its open span group, the due indexes, the learned tables, an alert group) have a
    // record cache: each key reaches its changelog once per commit, not once per update. The workflow items (a full
    // span group, an event delivery) and the event index are written once per key: uncached, so they take none of
    // the cache's room (100,000 event deliveries cached held 34 MB of heap, the caches' 10 MiB by their own count).
    // The due indexes have no changelog: they are derived from the trace states and workflow summaries (each
    // keeps the time it is filed at), and both stages file again, at every task start, whatever is not filed
    // (TraceStore.refileAfterRestart, WorkflowStore.repairAfterRestart) — after a restore, a move to another
    // instance or a standby taking over alike. That saves their writes to Kafka (about one record in eight).
    // By trace: which workflow each trace belongs to.
    topology.addSource(BY_TRACE_SOURCE, new StringDeserializer(), serdes.traceMessage().deserializer(),
        settings.byTraceTopic());
    topology.addProcessor(TRACE_ROUTER, () -> new TraceRouter(settings, counters, "to-by-trace-from-router",
        "to-by-workflow-from-router", "to-every-by-workflow-partition"), BY_TRACE_SOURCE);
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TraceView.STATE_STORE),
        Serdes.String(), serdes.traceState()).withCachingEnabled(), TRACE_ROUTER);
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TraceView.HELD_STORE),
        Serdes.String(), serdes.traceMessage()).withCachingEnabled(), TRACE_ROUTER);
    topology.addStateStore(dueIndexStore(TraceView.DUE_STORE), TRACE_ROUTER);
    topology.addSink("to-by-trace-from-router", settings.byTraceTopic(), new StringSerializer(),
        serdes.traceMessage().serializer(), TRACE_ROUTER);
    topology.addSink("to-by-workflow-from-router", settings.byWorkflowTopic(), new StringSerializer(),
        serdes.workflowMessage().serializer(), TRACE_ROUTER);
    // Clock ticks go to every partition (multicast), so each by-workflow task hears from each by-trace task.
    topology.addSink("to-every-by-workflow-partition", settings.byWorkflowTopic(), new StringSerializer(),
        serdes.workflowMessage().serializer(), new EveryPartition<>(), TRACE_ROUTER);

    // By workflow: store, index by deadline, publish.
    GraphAssembler assembler = new GraphAssembler(settings.inactivityGap(), settings.clockSkewTolerance(),
        settings.diagnosis());
    topology.addSource(BY_WORKFLOW_SOURCE, new StringDeserializer(), serdes.workflowMessage().deserializer(),
        settings.byWorkflowTopic());
    topology.addProcessor(WORKFLOW_STITCHER, () -> new WorkflowStitcher(settings, counters, assembler, listeners,
        "to-by-workflow-from-stitcher", "to-graphs", "to-findings"), BY_WORKFLOW_SOURCE);
    topology.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(WorkflowView.SUMMARY_STORE), Serdes.String(), serdes.workflowSummary()).withCachingEnabled(),
        WORKFLOW_STITCHER);
    topology.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(WorkflowView.ITEM_STORE), Serdes.String(), serdes.workflowItem()),
        WORKFLOW_STITCHER);
    topology.addStateStore(dueIndexStore(WorkflowView.DUE_STORE), WORKFLOW_STITCHER);
    topology.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(WorkflowView.EVENT_INDEX_STORE), Serdes.String(), Serdes.String()),
        WORKFLOW_STITCHER);
    topology.addSink("to-by-workflow-from-stitcher", settings.byWorkflowTopic(), new StringSerializer(),
        serdes.workflowMessage().serializer(), WORKFLOW_STITCHER);
    topology.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(WorkflowStitcher.EXPECTATION_STORE), Serdes.String(), serdes.expectationStats()).withCachingEnabled(),
        WORKFLOW_STITCHER);
    // How long each step usually takes, learned like the expectations, for SLOW_STEP.
    topology.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(StepLearning.STORE), Serdes.String(), serdes.stepTimes()).withCachingEnabled(), WORKFLOW_STITCHER);
    topology.addSink("to-graphs", settings.graphsTopic(), new StringSerializer(), serdes.graph().serializer(),
        WORKFLOW_STITCHER);
    topology.addSink("to-findings", settings.findingsTopic(), new StringSerializer(),
        serdes.finding().serializer(), WORKFLOW_STITCHER);

    // By alert group: findings of many workflows become one alert per problem, with its lifecycle.
    topology.addSource(FINDINGS_SOURCE, new StringDeserializer(), serdes.finding().deserializer(),
        settings.findingsTopic());
    topology.addProcessor(ALERTER, () -> new AlertProcessor(settings.alerts(), offsets, counters, readToEnd),
        FINDINGS_SOURCE);
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(AlertProcessor.STORE),
        Serdes.String(), serdes.alertState()).withCachingEnabled(), ALERTER);
    topology.addSink("to-alerts", settings.alertsTopic(), new StringSerializer(), serdes.alert().serializer(), ALERTER);
    return topology;
  }

  /** The routing topics this topology closes loops through, which the application must create. */
  public static Map<String, Integer> internalTopics(StitchSettings settings, int partitions) {
    Map<String, Integer> topics = new LinkedHashMap<>();
    topics.put(settings.byTraceTopic(), partitions);
    topics.put(settings.byWorkflowTopic(), partitions);
    topics.put(settings.findingsTopic(), partitions);
    return topics;
  }

  /** A deadline index: cached (its entries change within a commit) and without a changelog ({@link #UNLOGGED_STORES}). */
  private static StoreBuilder<KeyValueStore<String, String>> dueIndexStore(String name) {
    if (!UNLOGGED_STORES.contains(name)) {
      throw new IllegalArgumentException(name + " is not among the stores without a changelog: add it there.");
    }
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.String())
        .withCachingEnabled().withLoggingDisabled();
  }
}
