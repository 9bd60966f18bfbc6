package io.tracestitch.app;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * One block cache and one memtable budget shared by every RocksDB store of the process, the pattern Kafka
 * Streams' documentation gives for bounding memory. By default each store (eight per partition here) gets
 * its own 50 MB cache and up to three 16 MB memtables, so native memory grows with partitions, not with data.
 * Measured in the benchmark with 1M open workflows: peak RSS 1.03 GiB instead of 1.72 GiB, and faster, since
 * one cache serves the hot stores better than eight fixed slices (docs/benchmarks.md).
 */
public final class RocksDbMemoryBudget implements RocksDBConfigSetter {
  /** The setting under which the application passes the budget in bytes (tracestitch's rocksdb.memory.bytes). */
  public static final String BYTES_CONFIG = "tracestitch.internal.rocksdb.memory.bytes";
  /** The default of rocksdb.memory.bytes: half of what the base manifest leaves outside the heap. */
  public static final long DEFAULT_BYTES = 512L * 1024 * 1024;

  private static Cache cache;
  private static WriteBufferManager writeBuffers;
  private static long budget = -1;

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(sharedCache(configs));
    // Index and filter blocks count against the bound too, or they grow outside it with the data.
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setWriteBufferManager(writeBuffers);
    options.setTableFormatConfig(table);
  }

  /** Created by the first store and kept for the life of the process: the budget is the process's, not a store's. */
  private static synchronized Cache sharedCache(Map<String, Object> configs) {
    if (cache == null) {
      long bytes = Long.parseLong(String.valueOf(configs.getOrDefault(BYTES_CONFIG, DEFAULT_BYTES)));
      budget = bytes;
      cache = new LRUCache(bytes, -1, false, 0.1);
      // Memtables are charged to the same cache, so the total stays the bound.
      writeBuffers = new WriteBufferManager(bytes / 4, cache);
    }
    return cache;
  }

  /**
   * What RocksDB holds in the shared budget now, block cache entries and the memtables charged to it, in bytes;
   * -1 before any store opened with this setter. The cache does not refuse inserts beyond its capacity (pinned
   * blocks and a memtable being written can take it over), so this is a measurement, not the bound restated.
   */
  public static synchronized long usedBytes() {
    return cache == null ? -1 : cache.getUsage();
  }

  /** The budget the shared cache was made with (the first store's setting), or -1 before any store opened. */
  public static synchronized long budgetBytes() {
    return budget;
  }

  @Override
  public void close(String storeName, Options options) {
    // The cache and the write buffer manager belong to the process, not to one store.
  }
}
