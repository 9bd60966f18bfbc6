package io.tracestitch.topology.graph;

import static io.tracestitch.topology.graph.Checkouts.EVENT;
import static io.tracestitch.topology.graph.Checkouts.TRACE;
import static io.tracestitch.topology.graph.Checkouts.consumer;
import static io.tracestitch.topology.graph.Checkouts.event;
import static io.tracestitch.topology.graph.Checkouts.nodes;
import static io.tracestitch.topology.graph.Checkouts.publish;
import static io.tracestitch.topology.graph.Checkouts.root;
import static io.tracestitch.topology.graph.Checkouts.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.EdgeType;
import io.tracestitch.avro.GraphEdge;
import io.tracestitch.avro.internal.EventRecord;
import io.tracestitch.avro.internal.SpanKind;
import io.tracestitch.topology.expect.Observations;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a published workflow teaches the learned expectations. */
class LessonsTest {
  @BeforeAll
  static void trustTheGeneratedRecords() {
    io.tracestitch.serdes.AvroTrust.trustGeneratedRecords();
  }

  static Observations lessons(EventRecord.Builder event, Set<String> unrecorded) {
    WorkflowNodes nodes = nodes(List.of(root(), publish(), consumer("l", "loyalty", 50, 90)), List.of(event));
    Consumption handled = new Consumption(nodes.span(TRACE, "l"), nodes.events().get(0), EdgeType.CONSUMED_BY);
    return Lessons.of(nodes.events(), nodes.spans(), Map.of(EVENT + "\u0000loyalty", handled), List.of(), unrecorded);
  }

  @Test
  void aSampledEventTeachesWhoHandledItAndHowLongAfterPublicationTheyWereDone() {
    Observations taught = lessons(event(15, 7), Set.of());

    assertThat(taught.events()).singleElement().satisfies(e -> {
      assertThat(e.eventName()).isEqualTo("order.created");
      assertThat(e.handledBy()).containsExactly(new Observations.Handled("loyalty", "loyalty", 75));
    });
  }

  @Test
  void anEventWhoseTelemetryWasLostOrNeverSampledTeachesNothing() {
    assertThat(lessons(event(15, 7), Set.of(EVENT)).events()).isEmpty();
    assertThat(lessons(event(15, 7).setSampled(false), Set.of()).events()).isEmpty();
    assertThat(lessons(event(15, 7).setTraceId(null), Set.of()).events()).isEmpty();
  }

  @Test
  void eachProducerOrClientCallTeachesWhetherItReachedACallee() {
    WorkflowNodes nodes = nodes(List.of(root(), publish(),
        span(TRACE, "pay", "root", "order", "POST /pay", SpanKind.CLIENT, 30, 40),
        span(TRACE, "stock", "root", "order", "POST /reserve", SpanKind.CLIENT, 40, 50),
        span(TRACE, "stock-server", "stock", "stock", "POST /reserve", SpanKind.SERVER, 42, 48)), List.of(event(15, 7)));
    List<GraphEdge> edges = List.of(edge("span:stock-server", EdgeType.CHILD_OF, "span:stock"),
        edge("span:publish", EdgeType.PUBLISHED, "event:" + EVENT));

    Observations taught = Lessons.of(nodes.events(), nodes.spans(), Map.of(), edges, Set.of());

    assertThat(taught.calls()).containsExactlyInAnyOrder(
        new Observations.CallSeen("order", "orders publish", true),
        new Observations.CallSeen("order", "POST /pay", false),
        new Observations.CallSeen("order", "POST /reserve", true));
  }

  static GraphEdge edge(String from, EdgeType type, String to) {
    return GraphEdge.newBuilder().setFrom(from).setType(type).setTo(to).build();
  }
}
