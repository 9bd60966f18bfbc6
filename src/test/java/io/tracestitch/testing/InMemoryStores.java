package io.tracestitch.testing;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Kafka's in-memory key-value stores, opened for a unit test of one stage's state: string keys, the stage's own
 * value serde (so every read decodes afresh, as RocksDB's does), no changelog.
 */
public final class InMemoryStores {
  private InMemoryStores() {}

  /** A store opened in {@code context} (for a processor under test, also add it with {@code addStateStore}). */
  public static <V> KeyValueStore<String, V> open(MockProcessorContext<?, ?> context, String name, Serde<V> values) {
    KeyValueStore<String, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(),
        values).withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    return store;
  }

  /** A store opened in a context of its own. */
  public static <V> KeyValueStore<String, V> open(String name, Serde<V> values) {
    return open(new MockProcessorContext<>(), name, values);
  }
}
