package io.tracestitch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.tracestitch.topology.ReadToEnd;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** When a source partition counts as read to its end: the consumer's position against the broker's listed end. */
class PartitionEndsTest {
  static final TopicPartition SPANS_0 = new TopicPartition("otlp_spans", 0);
  static final long T = 1_767_225_600_000L;

  final PartitionEnds ends = new PartitionEnds();

  @Test
  void withoutAnyConsumerReportingPositionsNothingIsWatchedAndTheClockIsNotHeldBack() {
    assertThat(ends.confirmedAt(SPANS_0, T)).isEqualTo(ReadToEnd.NOT_WATCHED);
  }

  @Test
  void aPartitionIsReadToItsEndAsOfTheListingOnceThePositionReachesTheListedEnd() {
    ends.consumerPolled();
    assertThat(ends.confirmedAt(SPANS_0, T)).as("asked about, not confirmed yet")
        .isEqualTo(T - PartitionEnds.MAX_HOLD_MS);
    assertThat(ends.toList(T)).as("no position yet: nothing to compare a listed end with").isEmpty();
    ends.positionRead(SPANS_0, 40);
    assertThat(ends.toList(T)).containsExactly(SPANS_0);

    ends.endListed(SPANS_0, 50, T + 100);
    assertThat(ends.confirmedAt(SPANS_0, T + 150)).as("ten records behind the end")
        .isEqualTo(T + 150 - PartitionEnds.MAX_HOLD_MS);
    ends.positionRead(SPANS_0, 50);
    assertThat(ends.confirmedAt(SPANS_0, T + 200)).isEqualTo(T + 100);
  }

  @Test
  void aConsumerThatHasCaughtUpIsConfirmedAtOnceByTheNextListing() {
    watchedFrom(50);
    ends.endListed(SPANS_0, 50, T + 500);
    assertThat(ends.confirmedAt(SPANS_0, T + 600)).isEqualTo(T + 500);
  }

  @Test
  void aPartitionWrittenAsFastAsItIsReadIsStillConfirmedOneListingLate() {
    watchedFrom(10);
    ends.endListed(SPANS_0, 20, T + 100);
    ends.positionRead(SPANS_0, 18);
    ends.endListed(SPANS_0, 30, T + 200);
    ends.positionRead(SPANS_0, 25);
    assertThat(ends.confirmedAt(SPANS_0, T + 250)).as("the first end reached, though a later one is not")
        .isEqualTo(T + 100);
    ends.endListed(SPANS_0, 35, T + 300);
    ends.positionRead(SPANS_0, 36);
    assertThat(ends.confirmedAt(SPANS_0, T + 350)).isEqualTo(T + 300);
  }

  @Test
  void aProcessorCutOffFromTheBrokerGetsNoConfirmationUntilItHasFetchedTheBacklog() {
    watchedFrom(100);
    ends.endListed(SPANS_0, 100, T);
    // The cut: no listing answers, the position stands still.
    ends.positionRead(SPANS_0, 100);
    assertThat(ends.confirmedAt(SPANS_0, T + 10_000)).isEqualTo(T);
    // Back: the broker holds the backlog written meanwhile.
    ends.endListed(SPANS_0, 400, T + 10_100);
    ends.positionRead(SPANS_0, 250);
    assertThat(ends.confirmedAt(SPANS_0, T + 10_200)).isEqualTo(T);
    ends.positionRead(SPANS_0, 400);
    assertThat(ends.confirmedAt(SPANS_0, T + 10_300)).isEqualTo(T + 10_100);
  }

  @Test
  void confirmationsSayPerWatchedPartitionUpToWhenItWasReadToItsEnd() {
    TopicPartition spans1 = new TopicPartition("otlp_spans", 1);
    watchedFrom(7);
    ends.confirmedAt(spans1, T);
    ends.endListed(SPANS_0, 7, T + 40);
    assertThat(ends.confirmations()).containsExactly(entry(SPANS_0, T + 40), entry(spans1, ReadToEnd.NOT_YET));
  }

  @Test
  void aPartitionThatCannotBeConfirmedForLongHoldsTheClockBackFiveMinutesAtMost() {
    watchedFrom(100);
    ends.endListed(SPANS_0, 100, T);
    // Its leader is gone for good: nothing listed, nothing fetched.
    assertThat(ends.confirmedAt(SPANS_0, T + 60_000)).isEqualTo(T);
    assertThat(ends.confirmedAt(SPANS_0, T + 3_600_000)).as("an hour on: five minutes behind, not an hour")
        .isEqualTo(T + 3_600_000 - PartitionEnds.MAX_HOLD_MS);
  }

  @Test
  void aPartitionNobodyAsksAboutAnyMoreIsNoLongerListed() {
    watchedFrom(5);
    assertThat(ends.toList(T + PartitionEnds.FORGET_AFTER_MS)).containsExactly(SPANS_0);
    assertThat(ends.toList(T + PartitionEnds.FORGET_AFTER_MS + 1)).isEmpty();
    assertThat(ends.isWatched(SPANS_0)).isFalse();
  }

  /** A consumer here reports positions, the stage asked about the partition at T, and its position is {@code at}. */
  private void watchedFrom(long at) {
    ends.consumerPolled();
    ends.confirmedAt(SPANS_0, T);
    ends.positionRead(SPANS_0, at);
  }
}
