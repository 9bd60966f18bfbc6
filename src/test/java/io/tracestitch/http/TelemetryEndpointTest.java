package io.tracestitch.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tracestitch.topology.StitchSettings;
import io.tracestitch.topology.workflow.TelemetryCompleteness.ServiceShare;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/** GET /api/telemetry answers this instance's completeness per consuming service. */
class TelemetryEndpointTest {

  @Test
  void answersEachServiceWithItsExpectedMissingAndShare() {
    ApiContext context = new ApiContext(null, null, () -> "", StitchSettings.defaults(), new HostInfo("here", 8080),
        Duration.ofSeconds(1), Clock.systemUTC(), () -> StreamThreadReport.NONE,
        () -> List.of(new ServiceShare("loyalty", 40, 10), new ServiceShare("payment", 0, 0)));
    ApiResponse response = Endpoints.telemetry(context);

    assertThat(response.ok()).isTrue();
    JsonNode body = response.bodyJson();
    assertThat(body.path("instance").asText()).isEqualTo("here:8080");
    JsonNode loyalty = body.path("services").get(0);
    assertThat(loyalty.path("service").asText()).isEqualTo("loyalty");
    assertThat(loyalty.path("expectedWorkflows").asLong()).isEqualTo(40);
    assertThat(loyalty.path("missingWorkflows").asLong()).isEqualTo(10);
    assertThat(loyalty.path("missingShare").asDouble()).isEqualTo(0.25);
    assertThat(body.path("services").get(1).path("missingShare").asDouble()).as("nothing expected, nothing missing")
        .isZero();
  }
}
