package io.tracestitch.topology;

import io.tracestitch.avro.Alert;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.avro.internal.AlertState;
import io.tracestitch.avro.internal.ExpectationStats;
import io.tracestitch.avro.internal.FindingMessage;
import io.tracestitch.avro.internal.StepTimes;
import io.tracestitch.avro.internal.TraceMessage;
import io.tracestitch.avro.internal.TraceState;
import io.tracestitch.avro.internal.WorkflowItem;
import io.tracestitch.avro.internal.WorkflowMessage;
import io.tracestitch.avro.internal.WorkflowSummary;
import io.tracestitch.serdes.AvroSingleObjectSerde;
import io.tracestitch.serdes.AvroTrust;
import org.apache.kafka.common.serialization.Serde;

/**
 * The serdes the topology uses, passed in so that tests and the application choose the wire formats:
 * the internal ones are always Avro single-object encoding; the graph and alert serdes follow the
 * configured output format (single-object, schema registry or JSON).
 */
public record StitchSerdes(
    Serde<TraceMessage> traceMessage,
    Serde<WorkflowMessage> workflowMessage,
    Serde<TraceState> traceState,
    Serde<WorkflowSummary> workflowSummary,
    Serde<WorkflowItem> workflowItem,
    Serde<ExpectationStats> expectationStats,
    Serde<FindingMessage> finding,
    Serde<AlertState> alertState,
    Serde<WorkflowGraph> graph,
    Serde<Alert> alert) {

  /** Internal records in Avro single-object encoding; graphs and alerts in the given output serdes. */
  public static StitchSerdes withOutput(Serde<WorkflowGraph> graph, Serde<Alert> alert) {
    AvroTrust.trustGeneratedRecords();
    return new StitchSerdes(
        AvroSingleObjectSerde.of(TraceMessage.class),
        AvroSingleObjectSerde.of(WorkflowMessage.class),
        AvroSingleObjectSerde.of(TraceState.class),
        AvroSingleObjectSerde.of(WorkflowSummary.class),
        AvroSingleObjectSerde.of(WorkflowItem.class),
        AvroSingleObjectSerde.of(ExpectationStats.class),
        AvroSingleObjectSerde.of(FindingMessage.class),
        AvroSingleObjectSerde.of(AlertState.class),
        graph,
        alert);
  }

  /** The learned step times' store values; internal, so always Avro single-object encoding. */
  public Serde<StepTimes> stepTimes() {
    return AvroSingleObjectSerde.of(StepTimes.class);
  }

  /** Everything in Avro single-object encoding: the embedded default, and what tests use. */
  public static StitchSerdes avro() {
    return withOutput(AvroSingleObjectSerde.of(WorkflowGraph.class), AvroSingleObjectSerde.of(Alert.class));
  }
}
