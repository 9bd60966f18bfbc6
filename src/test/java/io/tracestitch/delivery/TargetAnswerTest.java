package io.tracestitch.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.delivery.TargetAnswer.Kind;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TargetAnswerTest {
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

  @Test
  void twoHundredsAreDeliveredFourHundredsAreRefusedForGood() {
    assertThat(TargetAnswer.of(202, "{\"status\":\"success\"}", null, NOW).kind()).isEqualTo(Kind.ACCEPTED);
    assertThat(TargetAnswer.of(200, "", null, NOW).kind()).isEqualTo(Kind.ACCEPTED);
    for (int status : new int[] {400, 413, 415, 422}) {
      TargetAnswer answer = TargetAnswer.of(status, "{\"message\":\"Event object is invalid\"}", null, NOW);
      assertThat(answer.kind()).as("status %d", status).isEqualTo(Kind.REJECTED);
      assertThat(answer.problem()).contains("answered " + status).contains("Event object is invalid");
    }
  }

  @Test
  void rateLimitsServerErrorsTimeoutsAndNoAnswerAtAllAreTriedAgain() {
    for (int status : new int[] {429, 500, 502, 503, 504, 408}) {
      assertThat(TargetAnswer.of(status, "", null, NOW).kind()).as("status %d", status).isEqualTo(Kind.RETRY);
    }
    TargetAnswer refused = TargetAnswer.unreachable(new ConnectException("Connection refused"));
    assertThat(refused.kind()).isEqualTo(Kind.RETRY);
    assertThat(refused.problem()).contains("could not be reached").contains("Connection refused");
    assertThat(TargetAnswer.unreachable(new IOException()).problem()).contains("IOException");
  }

  @Test
  void aWrongUrlOrMissingCredentialsWaitRatherThanDeadLetterEveryPage() {
    for (int status : new int[] {401, 403, 404, 407}) {
      assertThat(TargetAnswer.of(status, "", null, NOW).kind()).as("status %d", status).isEqualTo(Kind.RETRY);
    }
  }

  @Test
  void retryAfterIsReadInSecondsOrAsAnHttpDate() {
    assertThat(TargetAnswer.of(429, "", "30", NOW).retryAfter()).isEqualTo(Duration.ofSeconds(30));
    assertThat(TargetAnswer.of(503, "", "Tue, 01 Dec 2026 10:02:00 GMT", NOW).retryAfter())
        .isEqualTo(Duration.ofMinutes(2));
    assertThat(TargetAnswer.of(503, "", "soon", NOW).retryAfter()).isNull();
    assertThat(TargetAnswer.of(503, "", null, NOW).retryAfter()).isNull();
  }
}
