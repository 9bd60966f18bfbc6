package io.tracestitch.bench;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.Options;

/**
 * An experiment, not part of the product: RocksDB as Kafka Streams configures it out of the box, each store
 * with its own 50 MB block cache and up to three 16 MB memtables, instead of the application's shared budget
 * ({@code io.tracestitch.app.RocksDbMemoryBudget}). Set through {@code rocksdb.config.setter}, which replaces
 * the application's setter; the harness measures what the budget changes.
 */
public final class RocksDbPerStoreDefaults implements RocksDBConfigSetter {
  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    // Kafka Streams' own per-store settings stay as they are.
  }

  @Override
  public void close(String storeName, Options options) {}
}
