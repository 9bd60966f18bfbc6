package io.tracestitch.topology.graph;

import static io.tracestitch.topology.graph.Checkouts.EVENT;
import static io.tracestitch.topology.graph.Checkouts.OTHER_TRACE;
import static io.tracestitch.topology.graph.Checkouts.T;
import static io.tracestitch.topology.graph.Checkouts.TRACE;
import static io.tracestitch.topology.graph.Checkouts.consumer;
import static io.tracestitch.topology.graph.Checkouts.event;
import static io.tracestitch.topology.graph.Checkouts.failed;
import static io.tracestitch.topology.graph.Checkouts.hop;
import static io.tracestitch.topology.graph.Checkouts.nodes;
import static io.tracestitch.topology.graph.Checkouts.publish;
import static io.tracestitch.topology.graph.Checkouts.root;
import static io.tracestitch.topology.graph.Checkouts.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.Branch;
import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.internal.MessagingHop;
import io.tracestitch.avro.internal.SpanKind;
import io.tracestitch.avro.internal.SpanRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The branches the spans show: who handled the event, in how many attempts, and how it went. */
class ObservedBranchesTest {
  static final Duration GAP = Duration.ofSeconds(30);

  @BeforeAll
  static void trustTheGeneratedRecords() {
    io.tracestitch.serdes.AvroTrust.trustGeneratedRecords();
  }

  final ObservedBranches observer = new ObservedBranches(GAP, new ClockSkew(100));
  final Edges edges = new Edges();
  final Set<String> warnings = new LinkedHashSet<>();

  ObservedBranches.Observed observe(long nowMs, SpanRecord.Builder... consumers) {
    List<SpanRecord.Builder> spans = new ArrayList<>(List.of(root(), publish()));
    spans.addAll(List.of(consumers));
    return observer.observe(nodes(spans, List.of(event(15, 7))), edges, warnings, T + nowMs);
  }

  List<String> edges() {
    return edges.sorted().stream().map(e -> e.getFrom() + " " + e.getType() + " " + e.getTo()).toList();
  }

  @Test
  void aConsumersRetriesAreOneBranchTheirAttemptsNumberedAndChained() {
    ObservedBranches.Observed seen = observe(60_000,
        failed(consumer("try-1", "loyalty", 50, 60), "points service unavailable"),
        consumer("try-2", "loyalty", 70, 85));

    Branch branch = seen.branches().get(0);
    assertThat(seen.branches()).hasSize(1);
    assertThat(branch.getConsumer()).isEqualTo("loyalty");
    assertThat(branch.getState()).isEqualTo(BranchState.SUCCEEDED);
    assertThat(branch.getAttemptNodeIds()).containsExactly("span:try-1", "span:try-2");
    assertThat(branch.getLastError()).isEqualTo("points service unavailable");
    assertThat(branch.getQueueWaitMs()).as("from publication to the first attempt").isEqualTo(35);
    assertThat(branch.getProcessingMs()).as("of the attempt that succeeded").isEqualTo(15);
    assertThat(seen.attemptOf()).containsEntry("span:try-1", 1).containsEntry("span:try-2", 2);
    assertThat(seen.successes().get(EVENT + "\u0000loyalty").span().nodeId()).isEqualTo("span:try-2");
    assertThat(edges()).containsExactly(
        "event:" + EVENT + " CONSUMED_BY span:try-1",
        "event:" + EVENT + " CONSUMED_BY span:try-2",
        "span:try-2 RETRY_OF span:try-1");
  }

  @Test
  void eachConsumerOfTheEventIsABranchOfItsOwn() {
    ObservedBranches.Observed seen = observe(60_000, consumer("s", "shipping", 40, 50), consumer("l", "loyalty", 50, 60));

    assertThat(seen.branches()).extracting(Branch::getConsumer).containsExactly("loyalty", "shipping");
    assertThat(seen.successes()).containsOnlyKeys(EVENT + "\u0000loyalty", EVENT + "\u0000shipping");
  }

  @Test
  void aBranchWhoseLastAttemptFailedLongerThanTheGapAgoFailedAndOneThatFailedJustNowIsRetrying() {
    SpanRecord.Builder attempt = failed(consumer("try-1", "loyalty", 50, 60), "points service unavailable");

    assertThat(observe(60 + GAP.toMillis(), attempt).branches().get(0).getState()).isEqualTo(BranchState.FAILED);
    assertThat(observe(60 + GAP.toMillis() - 1, attempt).branches().get(0).getState())
        .as("another attempt may still come").isEqualTo(BranchState.RETRYING);
    assertThat(observe(60 + GAP.toMillis(), attempt).successes()).isEmpty();
  }

  @Test
  void aReceiveSpanOverTheProcessSpanIsThePollAndTheProcessSpanTheAttempt() {
    MessagingHop byId = MessagingHop.newBuilder(hop("receive", "loyalty")).setMessageId(EVENT).build();
    SpanRecord.Builder poll = span(TRACE, "poll", null, "loyalty", "orders receive", SpanKind.CONSUMER, 40, 90)
        .setMessaging(byId);
    SpanRecord.Builder process = span(TRACE, "process", "poll", "loyalty", "orders process", SpanKind.CONSUMER, 45, 80)
        .setMessaging(MessagingHop.newBuilder(byId).setOperation("process").build());

    ObservedBranches.Observed seen = observe(60_000, poll, process);

    assertThat(seen.branches()).singleElement().satisfies(b -> {
      assertThat(b.getAttemptNodeIds()).containsExactly("span:process");
      assertThat(b.getAttempts()).isEqualTo(1);
    });
    assertThat(edges()).containsExactly("event:" + EVENT + " CONSUMED_BY span:process");
  }

  @Test
  void aConsumerThatDroppedTheContextIsTiedToTheEventOnItsTopicByACorrelatedEdge() {
    SpanRecord.Builder lost = consumer("lost", "loyalty", 50, 60).setTraceId(OTHER_TRACE).setParentSpanId(null);

    ObservedBranches.Observed seen = observe(60_000, lost);

    assertThat(seen.branches()).extracting(Branch::getConsumer).containsExactly("loyalty");
    assertThat(edges()).containsExactly("event:" + EVENT + " CORRELATED span:lost");
  }

  @Test
  void aConsumerInAnotherServiceStartingBeforeThePublicationIsSuspectedSkewAndWaitedNothing() {
    ObservedBranches.Observed seen = observe(60_000, consumer("early", "loyalty", -200, 60));

    assertThat(seen.branches().get(0).getQueueWaitMs()).isZero();
    assertThat(warnings).containsExactly("Clock skew suspected between order and loyalty: loyalty starts handling "
        + "order.created before it was published by 215 ms; ordering across these services is approximate.");
  }

  @Test
  void theWorkOfAnAttemptIsCountedInItsBranch() {
    ObservedBranches.Observed seen = observe(60_000, consumer("try-1", "loyalty", 50, 90),
        span(TRACE, "read", "try-1", "loyalty", "SELECT points", SpanKind.CLIENT, 55, 60),
        span(TRACE, "write", "try-1", "loyalty", "UPDATE points", SpanKind.CLIENT, 60, 70),
        span(TRACE, "cache", "write", "loyalty", "SET points", SpanKind.CLIENT, 62, 64));

    assertThat(seen.branches().get(0).getSubtreeSpans()).isEqualTo(3);
  }

  @Test
  void spansThatHandledNoEventMakeNoBranch() {
    assertThat(observe(60_000).branches()).isEmpty();
    assertThat(edges()).isEmpty();
  }
}
