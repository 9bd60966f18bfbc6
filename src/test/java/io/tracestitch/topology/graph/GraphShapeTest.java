package io.tracestitch.topology.graph;

import static io.tracestitch.topology.graph.Checkouts.EVENT;
import static io.tracestitch.topology.graph.Checkouts.OTHER_TRACE;
import static io.tracestitch.topology.graph.Checkouts.TRACE;
import static io.tracestitch.topology.graph.Checkouts.consumer;
import static io.tracestitch.topology.graph.Checkouts.event;
import static io.tracestitch.topology.graph.Checkouts.nodes;
import static io.tracestitch.topology.graph.Checkouts.publish;
import static io.tracestitch.topology.graph.Checkouts.root;
import static io.tracestitch.topology.graph.Checkouts.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.tracestitch.avro.EdgeType;
import io.tracestitch.avro.GraphEdge;
import io.tracestitch.avro.internal.EventRecord;
import io.tracestitch.avro.internal.SpanKind;
import io.tracestitch.avro.internal.SpanLinkRef;
import io.tracestitch.avro.internal.SpanRecord;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The edges a workflow's spans and events state, its root, and the CORRELATED edges that connect the rest. */
class GraphShapeTest {
  @BeforeAll
  static void trustTheGeneratedRecords() {
    io.tracestitch.serdes.AvroTrust.trustGeneratedRecords();
  }

  final Set<String> warnings = new LinkedHashSet<>();

  GraphShape shape(List<SpanRecord.Builder> spans, List<EventRecord.Builder> events) {
    return new GraphShape(nodes(spans, events), new ClockSkew(100), warnings);
  }

  static List<String> edges(GraphShape shape) {
    return shape.edges().sorted().stream().map(e -> e.getFrom() + " " + e.getType() + " " + e.getTo()).toList();
  }

  @Test
  void eachEdgeTheSpansAndEventsStateHasItsType() {
    SpanRecord.Builder audit = span(OTHER_TRACE, "audit", null, "audit", "record order", SpanKind.INTERNAL, 30, 40)
        .setLinks(List.of(SpanLinkRef.newBuilder().setTraceId(TRACE).setSpanId("root").build()));

    GraphShape shape = shape(List.of(root(), publish(), audit), List.of(event(15, 7), event(25, 8)));

    assertThat(edges(shape)).containsExactlyInAnyOrder(
        "event:" + EVENT + "#2 RETRY_OF event:" + EVENT,
        "span:audit LINK span:root",
        "span:publish CHILD_OF span:root",
        "span:publish PUBLISHED event:" + EVENT,
        "span:publish PUBLISHED event:" + EVENT + "#2");
    assertThat(shape.publishedEvents()).containsExactly(EVENT);
    assertThat(shape.orphans()).isZero();
    assertThat(warnings).isEmpty();
  }

  @Test
  void aSpanWhoseParentNeverArrivedIsAnOrphanWithoutAnEdge() {
    GraphShape shape = shape(List.of(publish()), List.of(event(15, 7).setSpanId("never-exported")));

    assertThat(shape.orphans()).isEqualTo(1);
    assertThat(edges(shape)).isEmpty();
    assertThat(shape.publishedEvents()).as("its producer span is not here").isEmpty();
  }

  @Test
  void aChildStartingBeforeItsParentInAnotherServiceBeyondTheToleranceIsSuspectedSkew() {
    shape(List.of(root(), span(TRACE, "early", "root", "payment", "POST /pay", SpanKind.SERVER, -150, 50),
        span(TRACE, "close", "root", "stock", "POST /reserve", SpanKind.SERVER, -100, 50),
        span(TRACE, "own", "root", "order", "validate", SpanKind.INTERNAL, -500, 50)), List.of());

    assertThat(warnings).containsExactly("Clock skew suspected between order and payment: a span of payment starts "
        + "before its parent in order by 150 ms; ordering across these services is approximate.");
  }

  @Test
  void theRootIsTheEarliestParentlessSpanThatConsumesNothing() {
    // A consumer that dropped the context starts a trace of its own: earlier here, but no root of the workflow.
    SpanRecord.Builder lost = consumer("lost", "loyalty", -50, -40).setTraceId(OTHER_TRACE).setParentSpanId(null);

    assertThat(shape(List.of(lost, root(), publish()), List.of()).root()).isEqualTo("span:root");
    assertThat(shape(List.of(lost, consumer("c", "shipping", 50, 60)), List.of()).root())
        .as("only consumers: the earliest of them").isEqualTo("span:lost");
    assertThat(shape(List.of(), List.of(event(25, 8), event(15, 7))).root()).isEqualTo("event:" + EVENT);
    assertThat(shape(List.of(), List.of()).root()).isNull();
  }

  @Test
  void partsOnlyTheCorrelationIdTiesInHangOffTheRootByACorrelatedEdgeToTheirEarliestNode() {
    SpanRecord.Builder islandRoot = span(OTHER_TRACE, "ship", null, "shipping", "ship order", SpanKind.INTERNAL, 60, 90);
    SpanRecord.Builder islandChild = span(OTHER_TRACE, "label", "ship", "shipping", "print label", SpanKind.INTERNAL, 70,
        80);
    EventRecord.Builder contextFree = event(95, 9).setEventId("evt-2").setTraceId(null).setSpanId(null);
    GraphShape shape = shape(List.of(root(), publish(), islandChild, islandRoot), List.of(event(15, 7), contextFree));

    shape.connectIslands(shape.root());

    List<GraphEdge> correlated = shape.edges().sorted().stream().filter(e -> e.getType() == EdgeType.CORRELATED)
        .toList();
    assertThat(correlated).extracting(GraphEdge::getFrom, GraphEdge::getTo)
        .containsExactly(tuple("span:root", "event:evt-2"), tuple("span:root", "span:ship"));
  }

  @Test
  void aWorkflowWithoutARootGetsNoCorrelatedEdges() {
    GraphShape shape = shape(List.of(), List.of());
    shape.connectIslands(null);
    assertThat(edges(shape)).isEmpty();
  }
}
