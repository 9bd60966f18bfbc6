package io.tracestitch.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tracestitch.avro.Alert;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every event deliver-alerts sends keeps to the Events API v2 rules, however large the alert grew. */
class PagerDutyEventsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "R0UT1NGKEY0123456789abcdefABCDEF";

  @Test
  void anOrdinaryTriggerIsAValidEventWithNoNullFields() throws Exception {
    Alert alert = Alert.newBuilder(Alerts.trigger("loyalty", 1_000, 1)).setComponent(null).build();
    JsonNode event = JSON.readTree(PagerDutyEvents.of(alert, KEY));

    assertThat(FakePagerDuty.problems(event, KEY)).isEmpty();
    assertThat(event.get("dedup_key").asText()).isEqualTo(Alerts.dedupKey("loyalty"));
    assertThat(event.get("event_action").asText()).isEqualTo("trigger");
    assertThat(event.get("payload").has("component")).isFalse();
    assertThat(event.get("payload").get("custom_details").get("sequence").asText()).isEqualTo("1");
  }

  @Test
  void aResolveCarriesOnlyTheKeyItResolves() throws Exception {
    JsonNode event = JSON.readTree(PagerDutyEvents.of(Alerts.resolve("loyalty", 1_000, 2, 5_000), KEY));

    assertThat(FakePagerDuty.problems(event, KEY)).isEmpty();
    assertThat(event.fieldNames()).toIterable().containsExactlyInAnyOrder("routing_key", "event_action", "dedup_key");
  }

  @Test
  void aDedupKeyOverTheLimitKeepsAReadablePrefixAndStaysDistinct() {
    String prefix = "tracestitch/stalled_branch/" + "c".repeat(240);
    String a = PagerDutyEvents.dedupKey(prefix + "/order.created");
    String b = PagerDutyEvents.dedupKey(prefix + "/order.cancelled");

    assertThat(a).hasSize(255).startsWith("tracestitch/stalled_branch/ccc").isNotEqualTo(b);
    assertThat(PagerDutyEvents.dedupKey(prefix + "/order.created")).isEqualTo(a);
    assertThat(PagerDutyEvents.dedupKey("short")).isEqualTo("short");
  }

  @Test
  void aSummaryOverTheLimitIsCutTo1024Characters() throws Exception {
    Alert alert = Alert.newBuilder(Alerts.trigger("loyalty", 1_000, 1)).setSummary("s".repeat(2_000)).build();
    JsonNode event = JSON.readTree(PagerDutyEvents.of(alert, KEY));

    assertThat(event.get("payload").get("summary").asText()).hasSize(1024).endsWith("…");
    assertThat(FakePagerDuty.problems(event, KEY)).isEmpty();
  }

  @Test
  void aHugeDetailIsCutSoTheEventFitsIn512KbAndTheOthersStayWhole() throws Exception {
    Map<String, String> details = new LinkedHashMap<>(Alerts.trigger("loyalty", 1_000, 1).getCustomDetails());
    details.put("detail", "java.lang.IllegalStateException: é".repeat(60_000));
    details.put("offset_diagnosis", "loyalty's committed offset is 1183 on orders-2");
    Alert alert = Alert.newBuilder(Alerts.trigger("loyalty", 1_000, 1)).setCustomDetails(details).build();

    byte[] bytes = PagerDutyEvents.of(alert, KEY);
    JsonNode event = JSON.readTree(bytes);
    JsonNode sent = event.get("payload").get("custom_details");

    assertThat(bytes.length).isLessThanOrEqualTo(FakePagerDuty.MAX_EVENT_BYTES);
    assertThat(FakePagerDuty.problems(event, KEY)).isEmpty();
    assertThat(sent.get("detail").asText()).startsWith("java.lang.IllegalStateException")
        .contains("[cut by tracestitch to fit PagerDuty's 512 KB");
    assertThat(sent.get("offset_diagnosis").asText()).isEqualTo("loyalty's committed offset is 1183 on orders-2");
    assertThat(sent.get("tracestitch_truncated").asText()).isEqualTo("detail");
  }

  @Test
  void manyLargeDetailsAreCutLongestFirstUntilTheEventFits() throws Exception {
    Map<String, String> details = new LinkedHashMap<>();
    for (int i = 0; i < 100; i++) {
      details.put("d" + i, Integer.toString(i).repeat(10_000 + i));
    }
    Alert alert = Alert.newBuilder(Alerts.trigger("loyalty", 1_000, 1)).setCustomDetails(details).build();

    byte[] bytes = PagerDutyEvents.of(alert, KEY);
    JsonNode sent = JSON.readTree(bytes).get("payload").get("custom_details");

    assertThat(bytes.length).isLessThanOrEqualTo(FakePagerDuty.MAX_EVENT_BYTES);
    assertThat(sent.size()).isEqualTo(101);
    assertThat(sent.get("tracestitch_truncated").asText()).startsWith("d99,");
    assertThat(sent.get("d0").asText()).isEqualTo("0".repeat(10_000));
  }
}
