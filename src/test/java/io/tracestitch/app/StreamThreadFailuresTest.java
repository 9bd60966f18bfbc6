package io.tracestitch.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.http.StreamThreadReport;
import io.tracestitch.topology.StitchCounters;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

class StreamThreadFailuresTest {
  private final StitchCounters counters = new StitchCounters();
  private final MovableClock clock = new MovableClock();
  private final StreamThreadFailures failures = new StreamThreadFailures(counters, clock);

  /** What Kafka Streams throws when a processor's failure reaches the thread: it names the record. */
  private static StreamsException atOffset(long offset) {
    return new StreamsException("Exception caught in process. taskId=1_0, processor=trace-router, "
        + "topic=app-by-trace, partition=0, offset=" + offset, new NullPointerException("message is null"),
        new TaskId(1, 0));
  }

  @Test
  void theSameRecordFailingThreeTimesInARowShutsTheClientDownAndSaysWhy() {
    assertThat(failures.handle(atOffset(17))).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    clock.advance(Duration.ofSeconds(30));
    assertThat(failures.handle(atOffset(17))).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    clock.advance(Duration.ofSeconds(30));
    assertThat(failures.handle(atOffset(17))).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);

    StreamThreadReport report = failures.get();
    assertThat(report.gaveUp()).isTrue();
    assertThat(report.replacements()).isEqualTo(2);
    assertThat(report.sameInARow()).isEqualTo(3);
    assertThat(report.lastFailure()).contains("task 1_0").contains("record app-by-trace-0@17")
        .contains("NullPointerException: message is null");
    assertThat(counters.get("failures.stream_thread.replaced")).isEqualTo(2);
    assertThat(counters.get("failures.stream_thread.gave_up")).isEqualTo(1);
  }

  @Test
  void failuresAtDifferentRecordsKeepBeingReplaced() {
    for (int offset = 0; offset < 10; offset++) {
      assertThat(failures.handle(atOffset(offset))).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    }
    assertThat(failures.get().sameInARow()).isEqualTo(1);
    assertThat(failures.get().replacements()).isEqualTo(10);
  }

  @Test
  void theSameFailureAfterAQuietSpellStartsTheCountAgain() {
    failures.handle(atOffset(5));
    failures.handle(atOffset(5));
    clock.advance(StreamThreadFailures.SAME_FAILURE_WINDOW.plusSeconds(1));
    assertThat(failures.handle(atOffset(5))).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    assertThat(failures.get().sameInARow()).isEqualTo(1);
  }

  @Test
  void aBrokerThatIsAwayIsAlwaysWaitedOutWithANewThread() {
    for (int i = 0; i < 10; i++) {
      assertThat(failures.handle(new StreamsException("commit failed", new TimeoutException("broker away"))))
          .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    }
    assertThat(failures.get().gaveUp()).isFalse();
    assertThat(failures.get().lastFailure()).contains("broker away");
  }

  private static final class MovableClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
