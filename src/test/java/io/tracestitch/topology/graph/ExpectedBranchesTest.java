package io.tracestitch.topology.graph;

import static io.tracestitch.topology.graph.Checkouts.EVENT;
import static io.tracestitch.topology.graph.Checkouts.T;
import static io.tracestitch.topology.graph.Checkouts.branch;
import static io.tracestitch.topology.graph.Checkouts.event;
import static io.tracestitch.topology.graph.Checkouts.nodes;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.Branch;
import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.internal.EventRecord;
import io.tracestitch.topology.expect.ExpectedConsumer;
import io.tracestitch.topology.expect.Expectations;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The branches expectations ask for: PENDING where nobody handled the event yet, each with its deadline. */
class ExpectedBranchesTest {
  static final long DEADLINE_MS = 5_000;

  @BeforeAll
  static void trustTheGeneratedRecords() {
    io.tracestitch.serdes.AvroTrust.trustGeneratedRecords();
  }

  /** Loyalty and shipping should handle every order.created within five seconds. */
  static final Expectations LOYALTY_AND_SHIPPING = new Checkouts.Expecting(Map.of("order.created", List.of(
      new ExpectedConsumer("loyalty", "loyalty", DEADLINE_MS, false),
      new ExpectedConsumer("shipping", "shipping", DEADLINE_MS, true))), false);


  static ExpectedBranches expected(List<EventRecord.Builder> events, Set<String> published, List<Branch> observed) {
    return ExpectedBranches.of(nodes(List.of(), events).events(), published, observed, LOYALTY_AND_SHIPPING, T);
  }

  @Test
  void anExpectedConsumerThatLeftNoSpanIsPendingUntilItsDeadline() {
    Branch loyalty = branch("loyalty", BranchState.SUCCEEDED, "span:l").build();
    ExpectedBranches expected = expected(List.of(event(15, 7)), Set.of(EVENT), List.of(loyalty));

    List<Branch> branches = expected.addedTo(List.of(loyalty));

    assertThat(branches).extracting(Branch::getConsumer).containsExactly("loyalty", "shipping");
    Branch shipping = branches.get(1);
    assertThat(shipping.getState()).isEqualTo(BranchState.PENDING);
    assertThat(shipping.getAttempts()).isZero();
    assertThat(shipping.getExpected()).isTrue();
    assertThat(shipping.getDeadlineMs()).isEqualTo(T + 15 + DEADLINE_MS);
    assertThat(shipping.getTelemetryMissing()).isFalse();
    assertThat(loyalty.getExpected()).as("the observed branch is expected too").isTrue();
    assertThat(loyalty.getDeadlineMs()).isEqualTo(T + 15 + DEADLINE_MS);
  }

  @Test
  void anEventWithoutASampledTraceContextExpectsNobody() {
    List<EventRecord.Builder> unsampled = List.of(event(15, 7).setSampled(false));
    List<EventRecord.Builder> contextFree = List.of(event(15, 7).setTraceId(null).setSpanId(null));

    assertThat(expected(unsampled, Set.of(), List.of()).addedTo(List.of())).isEmpty();
    assertThat(expected(contextFree, Set.of(), List.of()).addedTo(List.of())).isEmpty();
    assertThat(expected(contextFree, Set.of(), List.of()).byEvent()).isEmpty();
  }

  @Test
  void aRedeliveryIsNoSecondEventToExpect() {
    ExpectedBranches expected = expected(List.of(event(15, 7), event(30, 8)), Set.of(EVENT), List.of());

    assertThat(expected.addedTo(List.of())).extracting(Branch::getEventNodeId)
        .containsExactly("event:" + EVENT, "event:" + EVENT);
    assertThat(expected.byEvent()).containsOnlyKeys(EVENT);
  }

  @Test
  void aSampledEventWhoseProducerAndConsumerSpansAllVanishedIsUnrecordedAndItsBranchesSaySo() {
    ExpectedBranches lost = expected(List.of(event(15, 7)), Set.of(), List.of());
    ExpectedBranches kept = expected(List.of(event(15, 7)), Set.of(EVENT), List.of());

    assertThat(lost.unrecorded()).containsExactly(EVENT);
    assertThat(lost.addedTo(List.of())).allSatisfy(b -> assertThat(b.getTelemetryMissing()).isTrue());
    assertThat(kept.unrecorded()).as("the producer span arrived: the trace was kept").isEmpty();
    assertThat(kept.addedTo(List.of())).noneSatisfy(b -> assertThat(b.getTelemetryMissing()).isTrue());
  }

  @Test
  void anEventSomeConsumerHandledIsRecordedEvenWithoutItsProducerSpan() {
    Branch loyalty = branch("loyalty", BranchState.SUCCEEDED, "span:l").build();
    assertThat(expected(List.of(event(15, 7)), Set.of(), List.of(loyalty)).unrecorded()).isEmpty();
  }

  @Test
  void theNextDeadlineIsTheEarliestStillToComeOfAnExpectedBranchNotDone() {
    List<Branch> branches = List.of(
        branch("pending", BranchState.PENDING).setExpected(true).setDeadlineMs(T + 900).build(),
        branch("retrying", BranchState.RETRYING, "span:r").setExpected(true).setDeadlineMs(T + 500).build(),
        branch("done", BranchState.SUCCEEDED, "span:d").setExpected(true).setDeadlineMs(T + 100).build(),
        branch("overdue", BranchState.PENDING).setExpected(true).setDeadlineMs(T).build(),
        branch("unexpected", BranchState.RETRYING, "span:u").setDeadlineMs(T + 50).build());

    assertThat(ExpectedBranches.nextDeadline(branches, T)).isEqualTo(T + 500);
    assertThat(ExpectedBranches.nextDeadline(branches, T + 900)).as("nothing left to wait for").isNull();
  }
}
