package io.tracestitch.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.topology.ProcessorClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ingest clock against seeded random fault schedules: a partition written at a varying rate (bursts, quiet
 * stretches), a network between processor and broker that is cut again and again for random lengths, a consumer
 * that sometimes reads only part of what is there (slow), and end-offset listings that answer late or never. Two
 * properties, checked at every step of two simulated minutes:
 *
 * <ul>
 *   <li>the clock never reads past a record that is still unread (that is what would make its evidence look late:
 *       a false page), however the cuts fall;</li>
 *   <li>once the network has been up for a while and everything is read, the clock moves on from the last record's
 *       time by the wall time since it was read, a listing interval and a round trip behind at most (deadlines on
 *       quiet input still fire).</li>
 * </ul>
 */
class CutOffClockFaultScheduleTest {
  static final TopicPartition SPANS_0 = new TopicPartition("otlp_spans", 0);
  static final long T = 1_767_225_600_000L;
  static final long STEP_MS = 50;
  static final long LISTING_INTERVAL_MS = 500;
  static final long RUN_MS = 120_000;

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233})
  void clockNeverPassesAnUnreadRecordAndFollowsTheWallClockOnceCaughtUp(long seed) {
    Random random = new Random(seed);
    Properties props = new Properties();
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>(props);
    context.setCurrentSystemTimeMs(T);
    context.setCurrentStreamTimeMs(-1);
    PartitionEnds ends = new PartitionEnds();
    ProcessorClock clock = ProcessorClock.ofRecords((topic, partition) ->
        ends.confirmedAt(new TopicPartition(topic, partition), context.currentSystemTimeMs()));
    clock.init(context);
    context.setRecordMetadata(SPANS_0.topic(), SPANS_0.partition(), 0);

    List<Long> log = new ArrayList<>();
    int position = 0;
    boolean up = true;
    long nextFlip = T + 2_000 + random.nextInt(8_000);
    long upSince = T;
    long nextListing = T;
    long[] pending = null; // {end, askedAt, answersAt}
    int violations = 0;
    int checkedLiveness = 0;
    long caughtUpSince = T;
    long lastReadTs = T;
    long lastReadAt = T;
    String firstViolation = "";

    for (long wall = T; wall < T + RUN_MS; wall += STEP_MS) {
      context.setCurrentSystemTimeMs(wall);
      if (wall >= nextFlip) {
        up = !up;
        caughtUpSince = Long.MAX_VALUE;
        if (up) {
          upSince = wall;
        } else {
          pending = null; // a listing in flight is lost with the connection
        }
        nextFlip = wall + (up ? 1_000 + random.nextInt(15_000) : 200 + random.nextInt(20_000));
      }
      // The feed reaches the broker directly, cut or not: bursts, a steady trickle, quiet stretches.
      int phase = (int) ((wall - T) / 7_000) % 3;
      int appended = phase == 0 ? random.nextInt(6) : phase == 1 ? (random.nextInt(10) == 0 ? 1 : 0) : 0;
      for (int i = 0; i < appended; i++) {
        log.add(wall);
      }
      if (up) {
        // A poll: everything there, or only part of it when the consumer is slow.
        int available = log.size() - position;
        int read = random.nextInt(4) == 0 ? Math.min(available, random.nextInt(3)) : available;
        for (int i = 0; i < read; i++) {
          lastReadTs = log.get(position);
          lastReadAt = wall;
          clock.recordArrived(log.get(position++));
        }
        ends.consumerPolled();
        ends.positionRead(SPANS_0, position);
        if (pending != null && wall >= pending[2]) {
          ends.endListed(SPANS_0, pending[0], pending[1]);
          pending = null;
        }
        if (pending == null && wall >= nextListing && !ends.toList(wall).isEmpty()) {
          // The end as of asking; the answer comes one to four steps later, or is lost if the network goes.
          pending = new long[] {log.size(), wall, wall + STEP_MS * (1 + random.nextInt(4))};
          nextListing = wall + LISTING_INTERVAL_MS;
        }
      }
      if (position < log.size()) {
        caughtUpSince = Long.MAX_VALUE;
      } else if (caughtUpSince == Long.MAX_VALUE) {
        caughtUpSince = wall;
      }
      long reading = clock.now();
      if (position < log.size() && reading > log.get(position)) {
        if (violations++ == 0) {
          firstViolation = "at +" + (wall - T) + " ms the clock read +" + (reading - T) + " ms while a record of +"
              + (log.get(position) - T) + " ms was unread (network " + (up ? "up" : "cut") + ")";
        }
      }
      if (up && wall - upSince >= 3_000 && wall - caughtUpSince >= 1_000) {
        checkedLiveness++;
        // Quiet since the last record was read: the clock moves on from its time by the wall time since, a listing
        // and a round trip behind at most.
        assertThat(reading).as("seed %d, +%d ms: caught up and connected for %d ms", seed, wall - T, wall - upSince)
            .isGreaterThanOrEqualTo(lastReadTs + (wall - lastReadAt) - LISTING_INTERVAL_MS - 6 * STEP_MS);
      }
    }
    assertThat(firstViolation).as("seed %d: %d readings past an unread record", seed, violations).isEmpty();
    assertThat(checkedLiveness).as("the schedule left time to check that the clock follows the wall clock")
        .isPositive();
    assertThat(log.size()).as("records written").isGreaterThan(100);
  }
}
