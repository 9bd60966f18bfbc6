package io.tracestitch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.Test;

/** How the later stages' clock follows the slowest upstream task, and what it does when one falls silent. */
class ProcessorClockTest {
  static final long T = 1_767_225_600_000L;
  static final Duration TICK = Duration.ofSeconds(1);

  final MockProcessorContext<Object, Object> context = context();
  final ProcessorClock clock = ProcessorClock.ofUpstreamTicks(TICK);

  static MockProcessorContext<Object, Object> context() {
    Properties props = new Properties();
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "1000");
    MockProcessorContext<Object, Object> c = new MockProcessorContext<>(props);
    c.setCurrentSystemTimeMs(T);
    // A task that has never committed: Kafka Streams has no partition time to restore.
    c.setCurrentStreamTimeMs(-1);
    return c;
  }

  void wall(long ms) {
    context.setCurrentSystemTimeMs(T + ms);
  }

  @Test
  void followsTheSlowestUpstreamTaskNotTheFastest() {
    clock.init(context);
    clock.upstreamTick("spans@0_0", T - 60_000);
    clock.upstreamTick("events@1_0", T);
    wall(3_000);
    assertThat(clock.now()).isEqualTo(T - 60_000 + 3_000);
  }

  @Test
  void upstreamTaskThatFallsSilentHoldsTheClockInsteadOfBeingAssumedToKeepUp() {
    clock.init(context);
    clock.upstreamTick("spans@0_0", T);
    clock.upstreamTick("spans@0_1", T);
    // 0_1 is handed over to another instance and says nothing for 40 s; 0_0 keeps ticking.
    for (int s = 1; s <= 40; s++) {
      wall(s * 1000L);
      clock.upstreamTick("spans@0_0", T + s * 1000L);
    }
    // Moved on only as far as 0_1's next tick was due (two tick intervals + a commit interval), not by the 40 s.
    assertThat(clock.now()).isEqualTo(T + 3_000);
    // Its new owner resumes from where it was: the clock follows again.
    clock.upstreamTick("spans@0_1", T + 5_000);
    assertThat(clock.now()).isEqualTo(T + 5_000);
  }

  @Test
  void upstreamTaskSilentForFiveMinutesNoLongerHoldsTheClockBack() {
    clock.init(context);
    clock.upstreamTick("events@1_7", T);
    long silence = ProcessorClock.FORGET_SILENT_SENDER.toMillis();
    for (long s = 1_000; s <= silence + 1_000; s += 1_000) {
      wall(s);
      clock.upstreamTick("spans@0_0", T + s);
    }
    assertThat(clock.now()).as("the topic of 1_7 may be gone for good").isEqualTo(T + silence + 1_000);
  }

  @Test
  void noReadingFromDataBeforeTheFirstTick() {
    clock.init(context);
    wall(5_000);
    assertThat(clock.hasData()).isFalse();
    clock.upstreamTick("spans@0_0", T - 600_000);
    wall(8_000);
    assertThat(clock.hasData()).isTrue();
    assertThat(clock.now()).as("a backlog from ten minutes ago").isEqualTo(T - 600_000 + 3_000);
  }

  @Test
  void startWithABacklogWaitsUntilEveryUpstreamTaskWithDataHasTicked() {
    clock.init(context);
    // The first poll brought a sparse event partition's whole backlog; the span partitions come a poll later.
    clock.upstreamTick("events@1_0", T + 20_000);
    wall(1_000);
    assertThat(clock.hasData()).as("one upstream task heard from is not enough").isFalse();
    clock.upstreamTick("spans@0_0", T);
    wall(3_000);
    assertThat(clock.now()).isEqualTo(T + 2_000);
  }

  @Test
  void restartWhileEverySourcePartitionIsQuietFollowsTheWallClockAfterTenSeconds() {
    context.setCurrentStreamTimeMs(T - 10_000);
    clock.init(context);
    long quiet = ProcessorClock.QUIET_START.toMillis();
    wall(quiet - 1);
    assertThat(clock.hasData()).isFalse();
    wall(quiet + 20_000);
    assertThat(clock.hasData()).isTrue();
    assertThat(clock.now()).as("the wall clock").isEqualTo(T + quiet + 20_000);
  }

  @Test
  void sourceTaskOfAQuietPartitionTicksFromItsRestoredTimeAfterARestart() {
    ProcessorClock source = ProcessorClock.ofRecords(ReadToEnd.NOT_WATCHED_ANYWHERE);
    context.setCurrentStreamTimeMs(T - 30_000);
    source.init(context);
    assertThat(source.hasData()).as("its predecessor ticked; the stages after it wait for this one").isTrue();
    wall(5_000);
    assertThat(source.now()).isEqualTo(T - 30_000 + 5_000);
  }

  @Test
  void sourceClockFollowsItsRecordsThenTheWallClockOnceQuiet() {
    ProcessorClock source = ProcessorClock.ofRecords(ReadToEnd.NOT_WATCHED_ANYWHERE);
    source.init(context);
    assertThat(source.hasData()).isFalse();
    source.recordArrived(T - 600_000);
    wall(4_000);
    assertThat(source.now()).isEqualTo(T - 600_000 + 4_000);
  }

  @Test
  void sourceClockOfAProcessorCutOffFromItsInputStandsStillAndFollowsTheBacklogItResumesWith() {
    long[] readToEndAt = {T};
    ProcessorClock source = ProcessorClock.ofRecords((topic, partition) -> readToEndAt[0]);
    source.init(context);
    context.setRecordMetadata("otlp_spans", 0, 0);
    source.recordArrived(T - 100);
    readToEndAt[0] = T + 1_000;
    wall(1_200);
    assertThat(source.now()).as("quiet, and confirmed read to its end a second after the last record")
        .isEqualTo(T - 100 + 1_000);
    // Cut off: nothing read and nothing confirmed for ten seconds.
    wall(11_000);
    assertThat(source.now()).as("the outage is not counted as quiet time").isEqualTo(T - 100 + 1_000);
    // Back: the backlog the feed wrote during the outage arrives, records older than the wall clock.
    wall(11_100);
    source.recordArrived(T + 2_000);
    assertThat(source.now()).as("the backlog's own time").isEqualTo(T + 2_000);
    readToEndAt[0] = T + 11_050;
    wall(11_300);
    assertThat(source.now()).as("read to its end again: quiet since the backlog's last record, as confirmed")
        .isEqualTo(T + 2_000);
    readToEndAt[0] = T + 11_250;
    wall(11_400);
    assertThat(source.now()).isEqualTo(T + 2_000 + 150);
  }

  @Test
  void sourceClockOfAnInputNotConfirmedYetReadsItsRecordsTimeAndDoesNotMoveOn() {
    ProcessorClock source = ProcessorClock.ofRecords((topic, partition) -> Long.MIN_VALUE);
    source.init(context);
    context.setRecordMetadata("otlp_spans", 0, 0);
    source.recordArrived(T - 100);
    wall(10_000);
    assertThat(source.now()).isEqualTo(T - 100);
  }

  @Test
  void sourceClockWithoutAWatchOnItsInputFollowsTheWallClockOnceQuiet() {
    ProcessorClock source = ProcessorClock.ofRecords(ReadToEnd.NOT_WATCHED_ANYWHERE);
    source.init(context);
    context.setRecordMetadata("otlp_spans", 0, 0);
    source.recordArrived(T - 100);
    wall(10_000);
    assertThat(source.now()).isEqualTo(T - 100 + 10_000);
  }

  @Test
  void sourceTaskRestartedOnAQuietPartitionItWasToldOfStandsStillWhileCutOff() {
    long[] readToEndAt = {T + 1_000};
    ProcessorClock source = ProcessorClock.ofRecords((topic, partition) -> readToEndAt[0]);
    context.setCurrentStreamTimeMs(T - 30_000);
    source.init(context);
    source.readsFrom("otlp_spans");
    wall(1_500);
    assertThat(source.now()).as("quiet since the restart, confirmed up to a second in").isEqualTo(T - 30_000 + 1_000);
    wall(60_000);
    assertThat(source.now()).as("cut off since: nothing read, nothing confirmed").isEqualTo(T - 30_000 + 1_000);
  }
}
