package io.tracestitch.instrumentation;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.Alert;
import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.Branch;
import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.EdgeType;
import io.tracestitch.avro.GraphNode;
import io.tracestitch.avro.NodeStatus;
import io.tracestitch.avro.WorkflowGraph;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays what Node's {@code @opentelemetry/instrumentation-kafkajs} 0.32.0 recorded around real kafkajs 2.2.4
 * producers and consumers on the embedded broker (src/test/node/kafkajs-fixtures/record.sh made the files in
 * src/test/resources/instrumentation/kafkajs-0.32.0; four orders per scenario). Its spans follow the current
 * conventions ({@code send <topic>}, {@code process <topic>}, {@code messaging.operation.type}, the partition as a
 * string id, {@code messaging.kafka.offset}) and name no consumer group: the consumers' groups were named
 * {@code <service>-group} on purpose, and the graphs must call each consumer by its service.
 */
class KafkajsFixturesTest {
  @TempDir
  Path work;

  @Test
  void eachMessageConsumersContinueTheProducersTraceAndAThrowingHandlerIsRetried() throws IOException {
    Replayed replayed = replay("each-message");

    assertThat(replayed.graphs()).hasSize(4);
    for (WorkflowGraph g : replayed.graphs()) {
      Branch inventory = Fixtures.branch(g, "inventory");
      assertThat(inventory.getState()).isEqualTo(BranchState.SUCCEEDED);
      assertThat(inventory.getAttempts()).isEqualTo(1);
      GraphNode attempt = Fixtures.node(g, inventory.getAttemptNodeIds().get(0));
      assertThat(attempt.getName()).startsWith("process ");
      assertThat(Fixtures.parentOf(g, attempt).getName()).as("eachMessage: child of the send span").startsWith("send ");
      assertThat(Fixtures.edge(g, inventory.getEventNodeId(), attempt.getId())).isEqualTo(EdgeType.CONSUMED_BY);
      assertThat(inventory.getQueueWaitMs()).isPositive();

      // Thrown on the first delivery: kafkajs marks that process span ERROR (error.type, no exception event) and
      // delivers the record again.
      Branch payment = Fixtures.branch(g, "payment");
      assertThat(payment.getState()).isEqualTo(BranchState.SUCCEEDED);
      assertThat(payment.getAttempts()).isEqualTo(2);
      assertThat(Fixtures.node(g, payment.getAttemptNodeIds().get(0)).getStatus()).isEqualTo(NodeStatus.ERROR);
      assertThat(payment.getLastError()).isEqualTo("payment gateway timeout");
      assertThat(Fixtures.edge(g, payment.getAttemptNodeIds().get(1), payment.getAttemptNodeIds().get(0)))
          .isEqualTo(EdgeType.RETRY_OF);

      assertThat(g.getBranches()).extracting(Branch::getConsumer).containsOnly("inventory", "payment");
      assertThat(Fixtures.edges(g, EdgeType.CORRELATED)).isEmpty();
      assertThat(g.getMergedFrom()).isEmpty();
    }
    assertThat(replayed.alerts()).isEmpty();
  }

  @Test
  void aFailureRecordedInsideAnEachMessageHandlerFailsTheBranchAndPages() throws IOException {
    Replayed replayed = replay("handler-failure");

    assertThat(replayed.graphs()).hasSize(4);
    for (WorkflowGraph g : replayed.graphs()) {
      Branch analytics = Fixtures.branch(g, "analytics");
      assertThat(analytics.getState()).isEqualTo(BranchState.FAILED);
      assertThat(Fixtures.node(g, analytics.getAttemptNodeIds().get(0)).getStatus())
          .as("the handler resolved: the process span itself is not marked").isEqualTo(NodeStatus.UNSET);
      assertThat(analytics.getLastError()).isEqualTo("Error: analytics store unavailable");
    }
    assertThat(silentFailures(replayed, "analytics")).isNotEmpty();
  }

  @Test
  void eachBatchPollSpansAreThePollAndEachMessagesProcessSpanIsItsAttempt() throws IOException {
    Replayed replayed = replay("each-batch");

    assertThat(replayed.graphs()).as("one poll served four orders: four workflows, none merged").hasSize(4);
    for (WorkflowGraph g : replayed.graphs()) {
      assertThat(g.getMergedFrom()).isEmpty();
      assertThat(Fixtures.edges(g, EdgeType.CORRELATED)).isEmpty();
      for (String consumer : List.of("loyalty", "billing", "search")) {
        Branch b = Fixtures.branch(g, consumer);
        GraphNode attempt = Fixtures.node(g, b.getAttemptNodeIds().get(b.getAttempts() - 1));
        assertThat(attempt.getName()).startsWith("process ");
        GraphNode poll = Fixtures.parentOf(g, attempt);
        assertThat(poll.getName()).startsWith("poll ");
        assertThat(poll.getSpanKind()).isEqualTo("CLIENT");
        assertThat(g.getBranches()).noneMatch(other -> other.getAttemptNodeIds().contains(poll.getId()));
        assertThat(Fixtures.edge(g, attempt.getId(), Fixtures.publisherOf(g, b).getId())).isEqualTo(EdgeType.LINK);
        assertThat(Fixtures.edge(g, b.getEventNodeId(), b.getAttemptNodeIds().get(0))).isEqualTo(EdgeType.CONSUMED_BY);
        assertThat(b.getQueueWaitMs()).isPositive();
      }
      assertThat(Fixtures.branch(g, "loyalty").getState()).isEqualTo(BranchState.SUCCEEDED);
      // The first batch threw (poll and process spans ERROR); kafkajs fetched it again in a new poll.
      Branch billing = Fixtures.branch(g, "billing");
      assertThat(billing.getState()).isEqualTo(BranchState.SUCCEEDED);
      assertThat(billing.getAttempts()).isEqualTo(2);
      assertThat(billing.getLastError()).isEqualTo("billing gateway timeout");
      // The batch handler recorded its failure on a span of its own under the poll: the batch's shared work.
      Branch search = Fixtures.branch(g, "search");
      assertThat(search.getState()).isEqualTo(BranchState.FAILED);
      assertThat(search.getLastError()).isEqualTo("Error: search store unavailable");
    }
    assertThat(silentFailures(replayed, "search")).isNotEmpty();
    assertThat(silentFailures(replayed, "billing")).isEmpty();
  }

  private static List<Alert> silentFailures(Replayed replayed, String consumer) {
    return replayed.alerts().stream()
        .filter(a -> a.getKind() == AlertKind.SILENT_FAILURE && consumer.equals(a.getComponent())).toList();
  }

  private Replayed replay(String scenario) throws IOException {
    Path dir = Files.createDirectories(work.resolve(scenario));
    for (String file : List.of(Recording.SPANS_FILE, Recording.EVENTS_FILE)) {
      try (InputStream in = KafkajsFixturesTest.class.getResourceAsStream(
          "/instrumentation/kafkajs-0.32.0/" + scenario + "/" + file)) {
        Files.copy(in, dir.resolve(file));
      }
    }
    return Replayed.of(dir);
  }
}
