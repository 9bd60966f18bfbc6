package io.tracestitch.topology;

import static io.tracestitch.testing.Graphs.branch;
import static io.tracestitch.testing.Graphs.event;
import static io.tracestitch.testing.Graphs.hasEdge;
import static io.tracestitch.testing.Graphs.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.EdgeType;
import io.tracestitch.avro.PublishReason;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.avro.WorkflowStatus;
import io.tracestitch.replay.ReplayDriver;
import io.tracestitch.testing.Checkout;
import io.tracestitch.testing.Graphs;
import io.tracestitch.testing.TimedInput;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckoutWorkflowTest {
  static final StitchSettings SETTINGS = StitchSettings.defaults()
      .withEventTopics(List.of(Checkout.ORDER_CREATED, Checkout.PAYMENT_AUTHORIZED));

  @Test
  void sevenServiceCheckoutBecomesOneGraphWithEveryBranch() {
    Checkout checkout = new Checkout(1, Checkout.T0);
    WorkflowGraph g = runAlone(checkout.inputs());

    assertThat(g.getWorkflowId()).isEqualTo("order-1");
    assertThat(g.getCorrelationId()).isEqualTo("order-1");
    assertThat(g.getTraceIds()).containsExactly(checkout.trace);
    assertThat(g.getRevision()).isEqualTo(1);
    assertThat(g.getPublishReason()).isEqualTo(PublishReason.QUIET);
    assertThat(g.getNodes()).as("12 spans and 2 events").hasSize(14);
    assertThat(g.getRootNodeId()).isEqualTo(span(checkout.sid(1)));
    assertThat(g.getRootService()).isEqualTo("gateway");

    assertThat(hasEdge(g, span(checkout.sid(2)), span(checkout.sid(1)), EdgeType.CHILD_OF)).isTrue();
    assertThat(hasEdge(g, span(checkout.sid(3)), event(checkout.orderCreatedId()), EdgeType.PUBLISHED)).isTrue();
    assertThat(hasEdge(g, span(checkout.sid(21)), event(checkout.paymentAuthorizedId()), EdgeType.PUBLISHED)).isTrue();
    for (int consumer : new int[] {10, 20, 22, 30, 40, 50}) {
      assertThat(hasEdge(g, event(checkout.orderCreatedId()), span(checkout.sid(consumer)), EdgeType.CONSUMED_BY))
          .as("order.created consumed by span %d", consumer).isTrue();
    }
    assertThat(hasEdge(g, event(checkout.paymentAuthorizedId()), span(checkout.sid(41)), EdgeType.CONSUMED_BY)).isTrue();
    assertThat(Graphs.edges(g, EdgeType.RETRY_OF))
        .containsExactly(span(checkout.sid(22)) + " -> " + span(checkout.sid(20)));
    assertThat(Graphs.edges(g, EdgeType.CORRELATED)).isEmpty();

    assertThat(g.getBranches()).hasSize(6);
    assertThat(branch(g, "inventory", "order.created").getState()).isEqualTo(BranchState.SUCCEEDED);
    assertThat(branch(g, "inventory", "order.created").getQueueWaitMs()).isEqualTo(190L);
    assertThat(branch(g, "inventory", "order.created").getProcessingMs()).isEqualTo(2100L);
    assertThat(branch(g, "inventory", "order.created").getSubtreeSpans()).isEqualTo(1);
    assertThat(branch(g, "payment", "order.created").getState()).isEqualTo(BranchState.SUCCEEDED);
    assertThat(branch(g, "payment", "order.created").getAttempts()).isEqualTo(2);
    assertThat(branch(g, "payment", "order.created").getLastError()).contains("card gateway timeout");
    assertThat(branch(g, "loyalty", "order.created").getState()).isEqualTo(BranchState.SUCCEEDED);
    assertThat(branch(g, "notification", "order.created").getState()).isEqualTo(BranchState.SUCCEEDED);
    assertThat(branch(g, "notification", "payment.authorized").getState()).isEqualTo(BranchState.SUCCEEDED);
    assertThat(branch(g, "analytics", "order.created").getState()).isEqualTo(BranchState.FAILED);
    assertThat(Graphs.node(g, span(checkout.sid(22))).getAttempt()).isEqualTo(2);

    assertThat(g.getStatus()).isEqualTo(WorkflowStatus.FAILED);
    assertThat(g.getDurationMs()).isEqualTo(2600L);
    assertThat(g.getCriticalPath()).containsExactly(span(checkout.sid(1)), span(checkout.sid(2)),
        span(checkout.sid(3)), event(checkout.orderCreatedId()), span(checkout.sid(10)));
  }

  @Test
  void eventTopicsGivenAsARegexAreReadLikeAList() {
    Checkout checkout = new Checkout(3, Checkout.T0);
    StitchSettings byPattern = SETTINGS.withEventTopicPattern(java.util.regex.Pattern.compile("(order|payment)\\..+"));
    try (ReplayDriver driver = new ReplayDriver(byPattern, Instant.ofEpochMilli(Checkout.T0))) {
      TimedInput.pipeAll(checkout.inputs(), driver);
      driver.finish();
      WorkflowGraph g = driver.graphs().get(0);
      assertThat(Graphs.nodeIds(g)).isEqualTo(Graphs.nodeIds(runAlone(checkout.inputs())));
      assertThat(Graphs.nodeIds(g)).contains(event(checkout.orderCreatedId()), event(checkout.paymentAuthorizedId()));
    }
  }

  static WorkflowGraph runAlone(List<TimedInput> inputs) {
    try (ReplayDriver driver = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(Checkout.T0))) {
      TimedInput.pipeAll(inputs, driver);
      driver.finish();
      assertThat(driver.graphs()).hasSize(1);
      return driver.graphs().get(0);
    }
  }
}
