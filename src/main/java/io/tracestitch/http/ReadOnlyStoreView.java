package io.tracestitch.http;

import java.util.List;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * An interactive-query store where topology code wants a {@link KeyValueStore}: the learned
 * expectations only read when asked who should consume an event, and the API asks exactly that, so
 * it can reuse them unchanged instead of a second copy of their rules. Every write fails loudly.
 */
final class ReadOnlyStoreView<K, V> implements KeyValueStore<K, V> {
  private final String name;
  private final ReadOnlyKeyValueStore<K, V> store;

  ReadOnlyStoreView(String name, ReadOnlyKeyValueStore<K, V> store) {
    this.name = name;
    this.store = store;
  }

  @Override
  public V get(K key) {
    return store.get(key);
  }

  @Override
  public KeyValueIterator<K, V> range(K from, K to) {
    return store.range(from, to);
  }

  @Override
  public KeyValueIterator<K, V> all() {
    return store.all();
  }

  @Override
  public <PS extends Serializer<P>, P> KeyValueIterator<K, V> prefixScan(P prefix, PS prefixKeySerializer) {
    return store.prefixScan(prefix, prefixKeySerializer);
  }

  @Override
  public long approximateNumEntries() {
    return store.approximateNumEntries();
  }

  @Override
  public void put(K key, V value) {
    throw readOnly();
  }

  @Override
  public V putIfAbsent(K key, V value) {
    throw readOnly();
  }

  @Override
  public void putAll(List<KeyValue<K, V>> entries) {
    throw readOnly();
  }

  @Override
  public V delete(K key) {
    throw readOnly();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    throw readOnly();
  }

  @Override
  public void close() {
    // Nothing to release: the store belongs to Kafka Streams.
  }

  @Override
  public boolean persistent() {
    return true;
  }

  @Override
  public boolean isOpen() {
    return true;
  }

  private UnsupportedOperationException readOnly() {
    return new UnsupportedOperationException("The store '" + name + "' is read through an interactive query here; "
        + "only the stream thread that owns it may change it.");
  }
}
