package io.tracestitch.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.serdes.AlertPayloads;
import io.tracestitch.serdes.AvroJsonSerde;
import io.tracestitch.serdes.OutputFormat;
import io.tracestitch.avro.Alert;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class AlertDecoderTest {
  private final AlertDecoder avro = new AlertDecoder(OutputFormat.AVRO, Map.of());

  @Test
  void anAvroAlertIsReadWithItsDedupKey() {
    PendingAlert read = avro.decode(record(Alerts.avro(Alerts.trigger("loyalty", 1_000, 3))));

    assertThat(read.readable()).isTrue();
    assertThat(read.key()).isEqualTo(Alerts.dedupKey("loyalty"));
    assertThat(read.alert().getSequence()).isEqualTo(3);
  }

  @Test
  void aJsonAlertIsReadWhenTheOutputFormatIsJson() {
    byte[] json = new AvroJsonSerde<>(Alert.class).serializer().serialize("t", Alerts.trigger("loyalty", 1_000, 3));
    PendingAlert read = new AlertDecoder(OutputFormat.JSON, Map.of()).decode(record(json));

    assertThat(read.readable()).isTrue();
    assertThat(read.alert().getFirstSeenMs()).isEqualTo(1_000);
  }

  @Test
  void aFinishedPagerDutyBodySaysItComesFromAProcessorWithAlertsFormatSet() {
    byte[] body = AlertPayloads.pagerDuty(Alerts.trigger("loyalty", 1_000, 3), "key").toString()
        .getBytes(StandardCharsets.UTF_8);
    PendingAlert read = avro.decode(record(body));

    assertThat(read.readable()).isFalse();
    assertThat(read.unreadable()).contains("PagerDuty request body").contains("alerts.format");
    assertThat(new AlertDecoder(OutputFormat.JSON, Map.of()).decode(record(body)).unreadable())
        .contains("PagerDuty request body");
    byte[] alertmanager = AlertPayloads.alertmanager(Alerts.trigger("loyalty", 1_000, 3)).toString()
        .getBytes(StandardCharsets.UTF_8);
    assertThat(avro.decode(record(alertmanager)).unreadable()).contains("Alertmanager request body");
  }

  @Test
  void garbageIsKeptWithAReasonAndATombstoneIsNeither() {
    PendingAlert garbage = avro.decode(record("\u00c3\u0001nonsense".getBytes(StandardCharsets.ISO_8859_1)));
    assertThat(garbage.readable()).isFalse();
    assertThat(garbage.unreadable()).startsWith("not an Alert record in output.format=avro");
    assertThat(garbage.key()).isEqualTo("k");

    PendingAlert tombstone = avro.decode(record(null));
    assertThat(tombstone.tombstone()).isTrue();
  }

  private static ConsumerRecord<byte[], byte[]> record(byte[] value) {
    return new ConsumerRecord<>("trace-alerts", 2, 7, "k".getBytes(StandardCharsets.UTF_8), value);
  }
}
