package io.tracestitch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.tracestitch.config.TracestitchConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What each overlay promises: dev is small, production is spread, exactly-once, scraped and scaled. */
class OverlaysTest {
  @TempDir
  Path tmp;

  @Test
  void shouldRunDevAsOneSmallInstanceWithoutStandby() {
    Deployment dev = Deployment.render("overlays/dev");
    Deployment base = Deployment.render("base");
    Map<String, Object> settings = dev.effectiveConfig(tmp).originals();

    assertThat(dev.statefulSet().getSpec().getReplicas()).isEqualTo(1);
    assertThat(settings).containsEntry(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "0");
    assertThat(memoryLimit(dev)).isLessThan(memoryLimit(base));
    assertThat(storage(dev)).isLessThan(storage(base));
  }

  @Test
  void shouldRunProductionAsThreeInstancesWithStandbysAndExactlyOnce() {
    Deployment production = Deployment.render("overlays/production");
    StreamsConfig streams = streamsConfig(production);

    assertThat(production.statefulSet().getSpec().getReplicas()).isEqualTo(3);
    assertThat(streams.getInt(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).isEqualTo(1);
    assertThat(streams.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
        .isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
  }

  @Test
  void shouldSpreadProductionAcrossZonesAsAHardRule() {
    StatefulSet sts = Deployment.render("overlays/production").statefulSet();
    List<TopologySpreadConstraint> spread = sts.getSpec().getTemplate().getSpec().getTopologySpreadConstraints();
    Map<String, String> podLabels = sts.getSpec().getTemplate().getMetadata().getLabels();

    assertThat(spread).filteredOn(c -> c.getTopologyKey().equals("topology.kubernetes.io/zone"))
        .singleElement().satisfies(zone -> {
          assertThat(zone.getWhenUnsatisfiable()).isEqualTo("DoNotSchedule");
          assertThat(zone.getMaxSkew()).isEqualTo(1);
          assertThat(podLabels).containsAllEntriesOf(zone.getLabelSelector().getMatchLabels());
        });
    // The base stays soft, so it schedules on clusters whose nodes carry no zone label.
    assertThat(Deployment.render("base").statefulSet().getSpec().getTemplate().getSpec()
        .getTopologySpreadConstraints()).allSatisfy(c -> assertThat(c.getWhenUnsatisfiable())
        .isEqualTo("ScheduleAnyway"));
  }

  @Test
  void shouldScrapeProductionWithAServiceMonitorOnTheHttpPort() {
    Deployment production = Deployment.render("overlays/production");
    JsonNode monitor = production.one("ServiceMonitor", "tracestitch");
    Map<String, String> selector = strings(monitor.path("spec").path("selector").path("matchLabels"));

    // Exactly the API Service: selecting the headless one too would scrape every pod twice.
    assertThat(production.ofKind("Service"))
        .filteredOn(s -> strings(s.path("metadata").path("labels")).entrySet().containsAll(selector.entrySet()))
        .extracting(s -> s.path("metadata").path("name").asText()).containsExactly("tracestitch");
    assertThat(monitor.path("spec").path("endpoints")).singleElement().satisfies(endpoint -> {
      assertThat(endpoint.path("port").asText()).isEqualTo("http");
      assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
    });
  }

  @Test
  void shouldScaleProductionOnTheSpanTopicLagUpToThePartitionCount() {
    Deployment production = Deployment.render("overlays/production");
    TracestitchConfig config = production.effectiveConfig(tmp);
    JsonNode spec = production.one("ScaledObject", "tracestitch").path("spec");
    JsonNode trigger = spec.path("triggers").get(0);
    JsonNode metadata = trigger.path("metadata");

    assertThat(spec.path("triggers")).hasSize(1);
    assertThat(spec.path("scaleTargetRef").path("kind").asText()).isEqualTo("StatefulSet");
    assertThat(spec.path("scaleTargetRef").path("name").asText()).isEqualTo("tracestitch");
    assertThat(spec.path("maxReplicaCount").asInt())
        .isEqualTo(config.getInt(TracestitchConfig.INTERNAL_TOPIC_PARTITIONS));
    assertThat(spec.path("minReplicaCount").asInt()).isEqualTo(production.statefulSet().getSpec().getReplicas());
    assertThat(metadata.path("consumerGroup").asText()).isEqualTo(config.getString(TracestitchConfig.APPLICATION_ID));
    assertThat(metadata.path("topic").asText()).isEqualTo(config.getString(TracestitchConfig.SPANS_TOPIC));
    assertThat(metadata.path("bootstrapServers").asText())
        .isEqualTo(String.join(",", config.getList(TracestitchConfig.BOOTSTRAP_SERVERS)));
    assertThat(metadata.path("offsetResetPolicy").asText()).isEqualTo("earliest");
    // Reaches Kafka the way the application does.
    String protocol = config.originals().get("security.protocol").toString();
    String mechanism = config.originals().get("sasl.mechanism").toString();
    assertThat(metadata.path("tls").asText()).isEqualTo(protocol.endsWith("SSL") ? "enable" : "disable");
    assertThat(metadata.path("sasl").asText()).isEqualTo(mechanism.toLowerCase(Locale.ROOT).replace('-', '_')
        .replace("scram_sha_", "scram_sha"));
    assertThat(production.one("TriggerAuthentication", trigger.path("authenticationRef").path("name").asText()))
        .isNotNull();
  }

  private static Map<String, String> strings(JsonNode map) {
    Map<String, String> result = new java.util.TreeMap<>();
    map.properties().forEach(e -> result.put(e.getKey(), e.getValue().asText()));
    return result;
  }

  private StreamsConfig streamsConfig(Deployment d) {
    TracestitchConfig config = d.effectiveConfig(tmp);
    return new StreamsConfig(config.kafkaProperties(String.join(",",
        config.getList(TracestitchConfig.BOOTSTRAP_SERVERS))));
  }

  private static long memoryLimit(Deployment d) {
    return Quantity.getAmountInBytes(d.container().getResources().getLimits().get("memory")).longValueExact();
  }

  private static long storage(Deployment d) {
    return Quantity.getAmountInBytes(d.statefulSet().getSpec().getVolumeClaimTemplates().get(0).getSpec()
        .getResources().getRequests().get("storage")).longValueExact();
  }
}
