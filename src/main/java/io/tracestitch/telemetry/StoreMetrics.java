package io.tracestitch.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.tracestitch.avro.internal.AlertState;
import io.tracestitch.topology.alert.AlertProcessor;
import io.tracestitch.topology.workflow.WorkflowStitcher;
import io.tracestitch.topology.workflow.WorkflowView;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * What this instance's state stores hold, read through interactive queries of its active tasks
 * (standbys are not counted). A store that is not readable at collection time (rebalance,
 * restoration) is left out of that collection rather than reported as empty.
 */
final class StoreMetrics {
  static final String WORKFLOWS_STORED = "tracestitch.workflows.stored";
  static final String STORE_ENTRIES = "tracestitch.store.entries";
  static final String ALERTS_FIRING = "tracestitch.alerts.firing";
  static final AttributeKey<String> STORE = AttributeKey.stringKey("store");
  static final AttributeKey<String> KIND = AttributeKey.stringKey("kind");

  private StoreMetrics() {}

  static void register(Meter meter, KafkaStreams streams, Set<String> storeNames) {
    meter.gaugeBuilder(WORKFLOWS_STORED).ofLongs().setUnit("{workflow}")
        .setDescription("Workflows in this instance's workflow-summary store (RocksDB's estimate): open ones, and "
            + "published ones kept for late data until workflow.retention.ms.")
        .buildWithCallback(m -> entries(streams, WorkflowView.SUMMARY_STORE)
            .ifPresent(n -> m.record(n)));
    meter.gaugeBuilder(STORE_ENTRIES).ofLongs().setUnit("{entry}")
        .setDescription("Entries in each state store of this instance's active tasks (RocksDB's estimate).")
        .buildWithCallback(m -> storeNames.forEach(name -> entries(streams, name)
            .ifPresent(n -> m.record(n, Attributes.of(STORE, name)))));
    meter.gaugeBuilder(ALERTS_FIRING).ofLongs().setUnit("{alert}")
        .setDescription("Alerts firing in this instance's alerts store, by kind.")
        .buildWithCallback(m -> firingByKind(streams).forEach((kind, n) -> m.record(n, Attributes.of(KIND, kind))));
  }

  private static OptionalLong entries(KafkaStreams streams, String store) {
    try {
      return OptionalLong.of(keyValueStore(streams, store).approximateNumEntries());
    } catch (InvalidStateStoreException e) {
      return OptionalLong.empty();
    }
  }

  /** Alert groups are few (kinds x consumers x event names), so counting them means reading them all. */
  private static Map<String, Long> firingByKind(KafkaStreams streams) {
    Map<String, Long> byKind = new TreeMap<>();
    try (KeyValueIterator<String, AlertState> it =
             StoreMetrics.<AlertState>keyValueStore(streams, AlertProcessor.STORE).all()) {
      it.forEachRemaining(entry -> {
        if (entry.value.getFiring() && entry.value.getLatest() != null) {
          byKind.merge(entry.value.getLatest().getKind().name().toLowerCase(Locale.ROOT), 1L, Long::sum);
        }
      });
    } catch (InvalidStateStoreException e) {
      return Map.of();
    }
    return byKind;
  }

  private static <V> ReadOnlyKeyValueStore<String, V> keyValueStore(KafkaStreams streams, String name) {
    return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
  }
}
