package io.tracestitch.topology.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.EdgeType;
import io.tracestitch.avro.GraphEdge;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A graph's edges: each once, none from a node to itself, in an order that does not depend on discovery. */
class EdgesTest {
  @BeforeAll
  static void trustTheGeneratedRecords() {
    io.tracestitch.serdes.AvroTrust.trustGeneratedRecords();
  }

  @Test
  void anEdgeFoundTwiceIsOneAndAnEdgeToItselfIsNone() {
    Edges edges = new Edges();
    edges.add("span:b", "span:a", EdgeType.CHILD_OF);
    edges.add("span:b", "span:a", EdgeType.CHILD_OF);
    edges.add("span:b", "span:a", EdgeType.LINK);
    edges.add("span:a", "span:a", EdgeType.RETRY_OF);

    assertThat(edges.sorted()).extracting(GraphEdge::getType).containsExactly(EdgeType.CHILD_OF, EdgeType.LINK);
  }

  @Test
  void theOrderIsByFromThenToThenTypeWhateverTheOrderFound() {
    Edges edges = new Edges();
    edges.add("span:c", "span:a", EdgeType.CHILD_OF);
    edges.add("event:e", "span:c", EdgeType.CONSUMED_BY);
    edges.add("span:a", "event:e", EdgeType.PUBLISHED);

    assertThat(edges.sorted()).extracting(GraphEdge::getFrom).containsExactly("event:e", "span:a", "span:c");
  }

  @Test
  void aCallReachedItsCalleeWhenASpanIsUnderItLinksToItOrItPublishedAnEvent() {
    Edges edges = new Edges();
    edges.add("span:server", "span:client", EdgeType.CHILD_OF);
    edges.add("span:batch", "span:linked", EdgeType.LINK);
    edges.add("span:producer", "event:e", EdgeType.PUBLISHED);
    edges.add("event:e", "span:consumer", EdgeType.CONSUMED_BY);
    edges.add("span:retry", "span:first", EdgeType.RETRY_OF);

    assertThat(Edges.withCallee(edges.sorted())).containsExactlyInAnyOrder("span:client", "span:linked", "span:producer");
  }
}
