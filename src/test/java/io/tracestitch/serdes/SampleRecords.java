package io.tracestitch.serdes;

import io.tracestitch.avro.Alert;
import io.tracestitch.avro.AlertAction;
import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.AlertLink;
import io.tracestitch.avro.Branch;
import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.EdgeType;
import io.tracestitch.avro.Finding;
import io.tracestitch.avro.GraphEdge;
import io.tracestitch.avro.GraphNode;
import io.tracestitch.avro.NodeKind;
import io.tracestitch.avro.NodeStatus;
import io.tracestitch.avro.PublishReason;
import io.tracestitch.avro.Severity;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.avro.WorkflowStatus;
import java.util.List;
import java.util.Map;

/**
 * Records with every kind of field filled in: unions both set and null, enums, arrays, maps and
 * nested records, so a round trip that drops or mangles any of them shows.
 */
final class SampleRecords {

  private SampleRecords() {}

  static WorkflowGraph workflowGraph() {
    GraphNode span = GraphNode.newBuilder()
        .setId("span:00f067aa0ba902b7")
        .setKind(NodeKind.SPAN)
        .setService("checkout")
        .setName("POST /orders")
        .setStatus(NodeStatus.OK)
        .setTraceId("4bf92f3577b34da6a3ce929d0e0e4736")
        .setSpanId("00f067aa0ba902b7")
        .setSpanKind("SERVER")
        .setStartMs(1_700_000_000_000L)
        .setEndMs(1_700_000_000_250L)
        .setDurationMs(250L)
        .build();
    GraphNode event = GraphNode.newBuilder()
        .setId("event:order-42")
        .setKind(NodeKind.EVENT)
        .setName("OrderPlaced")
        .setStatus(NodeStatus.UNSET)
        .setEventId("order-42")
        .setAttempt(2)
        .setExceptions(List.of("java.lang.IllegalStateException: stock service down"))
        .setTopic("orders")
        .setPartition(3)
        .setOffset(9_876_543_210L)
        .build();
    return WorkflowGraph.newBuilder()
        .setWorkflowId("order-42")
        .setCorrelationId("order-42")
        .setTraceIds(List.of("4bf92f3577b34da6a3ce929d0e0e4736"))
        .setStatus(WorkflowStatus.FAILED)
        .setRevision(2)
        .setPublishReason(PublishReason.LATE_DATA)
        .setPublishedAtMs(1_700_000_060_000L)
        .setStartedAtMs(1_700_000_000_000L)
        .setEndedAtMs(null)
        .setDurationMs(250L)
        .setRootNodeId("span:00f067aa0ba902b7")
        .setRootService("checkout")
        .setRootName(null)
        .setNodes(List.of(span, event))
        .setEdges(List.of(GraphEdge.newBuilder()
            .setFrom("span:00f067aa0ba902b7").setTo("event:order-42").setType(EdgeType.PUBLISHED)
            .build()))
        .setBranches(List.of(Branch.newBuilder()
            .setEventId("order-42")
            .setEventName("OrderPlaced")
            .setEventNodeId("event:order-42")
            .setConsumer("billing")
            .setState(BranchState.FAILED)
            .setAttempts(2)
            .setAttemptNodeIds(List.of("span:a1", "span:a2"))
            .setQueueWaitMs(12L)
            .setExpected(true)
            .setDeadlineMs(1_700_000_030_000L)
            .setLastError("timeout")
            .build()))
        .setCriticalPath(List.of("span:00f067aa0ba902b7", "event:order-42"))
        .setFindings(List.of(Finding.newBuilder()
            .setKind(io.tracestitch.avro.v1.AlertKind.SILENT_FAILURE)
            .setConsumer("billing")
            .setEventName("OrderPlaced")
            .setDetail("billing failed twice while checkout reported success")
            .build()))
        .setWarnings(List.of("clock skew of 40 ms between checkout and billing"))
        .setTruncated(false)
        .setDroppedSpans(0)
        .setDuplicateSpans(1)
        .setMergedFrom(List.of("trace:0af7651916cd43dd8448eb211c80319c"))
        .build();
  }

  static Alert alert() {
    return Alert.newBuilder()
        .setDedupKey("SILENT_FAILURE/billing/OrderPlaced")
        .setKind(AlertKind.SILENT_FAILURE)
        .setAction(AlertAction.TRIGGER)
        .setSeverity(Severity.error)
        .setSummary("billing silently failed OrderPlaced in 3 workflows")
        .setSource("billing")
        .setComponent(null)
        .setGroup("payments")
        .setClass$("silent_failure")
        .setService(null)
        .setConsumer("billing")
        .setEventName("OrderPlaced")
        .setCount(3L)
        .setSampleWorkflowIds(List.of("order-42", "order-43"))
        .setFirstSeenMs(1_700_000_000_000L)
        .setLastSeenMs(1_700_000_090_000L)
        .setEndsAtMs(1_700_000_390_000L)
        .setSequence(1L)
        .setLabels(Map.of("alertname", "SILENT_FAILURE", "consumer", "billing"))
        .setAnnotations(Map.of())
        .setCustomDetails(Map.of("traceIds", "4bf92f3577b34da6a3ce929d0e0e4736"))
        .setLinks(List.of(AlertLink.newBuilder().setHref("http://ui/w/order-42").setText("order-42").build()))
        .setGeneratorUrl(null)
        .build();
  }
}
