package io.tracestitch.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.Alert;
import io.tracestitch.avro.AlertAction;
import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.Severity;
import io.tracestitch.serdes.AvroTrust;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertLineTest {
  static {
    // Avro 1.12 builds generated records only from classes it was told to trust.
    AvroTrust.trustGeneratedRecords();
  }


  @Test
  void anAlertReadsAsKindActionSeverityCountAndSummary() {
    Alert alert = Alert.newBuilder()
        .setDedupKey("tracestitch/silent_failure/analytics/order.created")
        .setKind(AlertKind.SILENT_FAILURE).setAction(AlertAction.TRIGGER).setSeverity(Severity.error)
        .setSummary("analytics failed to handle order.created in 12 workflows\nwhile their roots succeeded.")
        .setSource("analytics").setClass$("silent_failure").setCount(12)
        .setSampleWorkflowIds(List.of("order-ab12-3")).setFirstSeenMs(1).setLastSeenMs(2)
        .build();

    assertThat(AlertLine.of(alert)).isEqualTo("ALERT SILENT_FAILURE TRIGGER error count=12: analytics failed to "
        + "handle order.created in 12 workflows while their roots succeeded.");
  }
}
