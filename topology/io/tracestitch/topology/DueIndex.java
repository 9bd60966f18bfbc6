package io.tracestitch.topology;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * A deadline-ordered index in a key-value store: keys are the zero-padded due time followed by the
 * id, so a range scan up to "now" visits only what is due, never every open workflow or trace.
 *
 * <p>Entries are added lazily: when a deadline moves later, the old, earlier entry stays and is
 * re-filed when it fires. The owner keeps the time of the entry that counts (e.g.
 * {@code indexedDueMs}) so that other entries for the same id are recognised as stale.
 */
public final class DueIndex {
  private static final char SEPARATOR = '\u0000';

  private final KeyValueStore<String, String> store;

  public DueIndex(KeyValueStore<String, String> store) {
    this.store = store;
  }

  public void add(long dueMs, String id) {
    store.put(key(dueMs, id), id);
  }

  /**
   * Files {@code id} at {@code dueMs} unless it is already filed no later ({@code filedAtMs}, 0 for not filed):
   * filing is lazy, an earlier entry stays and counts, and is filed again when it comes up. Returns the time the
   * id is filed at now, for its owner to keep.
   */
  public long fileBy(long dueMs, String id, long filedAtMs) {
    if (filedAtMs == 0 || dueMs < filedAtMs) {
      add(dueMs, id);
      return dueMs;
    }
    return filedAtMs;
  }

  /** True when the owner's record says it is filed ({@code filedAtMs} not 0) and its entry is in the index. */
  public boolean isFiled(long filedAtMs, String id) {
    return filedAtMs != 0 && contains(filedAtMs, id);
  }

  /** True when an entry for {@code id} is filed at {@code dueMs}. */
  public boolean contains(long dueMs, String id) {
    return store.get(key(dueMs, id)) != null;
  }

  /**
   * Up to {@code limit} entries due at or before {@code nowMs}, earliest first. Each entry is removed from the
   * store only as the iteration reaches it: when handling one entry throws (Kafka Streams' processing exception
   * handler then skips the rest of the punctuation), that entry is gone but the ones after it stay filed for the
   * next punctuation, so one workflow the punctuator fails on cannot strand the others with it.
   */
  public Iterable<Due> takeDue(long nowMs, int limit) {
    List<Due> due = new ArrayList<>();
    try (KeyValueIterator<String, String> it = store.range(key(0, ""), key(Math.max(0, nowMs), "\uffff"))) {
      while (it.hasNext() && due.size() < limit) {
        KeyValue<String, String> entry = it.next();
        due.add(new Due(Long.parseLong(entry.key.substring(0, entry.key.indexOf(SEPARATOR))), entry.value));
      }
    }
    return () -> new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < due.size();
      }

      @Override
      public Due next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Due d = due.get(next++);
        store.delete(key(d.dueMs(), d.id()));
        return d;
      }
    };
  }

  /**
   * As {@link #takeDue(long, int)}, each entry with its owner's record as it now stands: an entry whose record is
   * gone, or says it is filed at another time ({@code filedAtMs}), is stale and skipped; a record handed out has
   * been told it is no longer filed ({@code unfiled}). Lazy in the same way.
   */
  public <V> Iterable<KeyValue<String, V>> takeDue(long nowMs, int limit, Function<String, V> lookup,
      ToLongFunction<V> filedAtMs, Consumer<V> unfiled) {
    Iterable<Due> entries = takeDue(nowMs, limit);
    return () -> new Iterator<>() {
      private final Iterator<Due> it = entries.iterator();
      private KeyValue<String, V> next;

      @Override
      public boolean hasNext() {
        while (next == null && it.hasNext()) {
          Due entry = it.next();
          V record = lookup.apply(entry.id());
          if (record != null && filedAtMs.applyAsLong(record) == entry.dueMs()) {
            unfiled.accept(record);
            next = KeyValue.pair(entry.id(), record);
          }
        }
        return next != null;
      }

      @Override
      public KeyValue<String, V> next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        KeyValue<String, V> out = next;
        next = null;
        return out;
      }
    };
  }

  /** Whether anything is filed due before {@code beforeMs}, in a due index read from outside its stage. */
  public static boolean anyDueBefore(ReadOnlyKeyValueStore<String, String> index, long beforeMs) {
    try (KeyValueIterator<String, String> it = index.range(key(0, ""), key(Math.max(0, beforeMs), ""))) {
      return it.hasNext();
    }
  }

  private static String key(long dueMs, String id) {
    return String.format("%015d", dueMs) + SEPARATOR + id;
  }

  /** One due entry: when it was filed for, and for which id. */
  public record Due(long dueMs, String id) {}
}
