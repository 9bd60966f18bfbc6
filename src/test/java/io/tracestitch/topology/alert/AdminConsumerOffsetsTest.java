package io.tracestitch.topology.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

/** The offset reader when the Admin API cannot be reached: the stream is never made to wait, and the alert says why. */
class AdminConsumerOffsetsTest {

  @Test
  void unreachableAdminApiIsAnsweredAtOnceAndThenReportedUnavailableWithTheReason() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort(); // closed again: nothing listens there
    }
    Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port,
        AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200));
    try (AdminConsumerOffsets offsets = new AdminConsumerOffsets(admin, Duration.ofSeconds(1), Duration.ofMillis(300),
        Clock.systemUTC())) {
      assertThat(offsets.positions("loyalty", "order.created").status()).isEqualTo(GroupPositions.Status.PENDING);

      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      GroupPositions view = offsets.positions("loyalty", "order.created");
      while (view.status() == GroupPositions.Status.PENDING && System.nanoTime() < deadline) {
        Thread.sleep(50);
        view = offsets.positions("loyalty", "order.created");
      }
      assertThat(view.status()).isEqualTo(GroupPositions.Status.UNAVAILABLE);
      assertThat(view.problem()).startsWith("describing topic order.created: ").contains("300 ms");
    }
  }
}
