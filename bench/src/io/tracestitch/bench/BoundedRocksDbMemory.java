package io.tracestitch.bench;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * An experiment, not part of the product: one block cache and one memtable budget shared by every
 * RocksDB store of the process, the pattern Kafka Streams' documentation gives for bounding memory.
 * By default each store (8 per partition here, 6 partitions) gets its own 50 MB cache and up to
 * 3 x 16 MB of memtables, so native memory grows with partitions and stores, not with data. Set
 * through {@code rocksdb.config.setter}; the harness measures whether RSS and throughput follow.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {
  /** Everything RocksDB may hold in memory, memtables included. */
  static final long TOTAL_BYTES = 256L * 1024 * 1024;
  /** Of which memtables (charged to the same cache, so the total stays the bound). */
  static final long MEMTABLE_BYTES = 64L * 1024 * 1024;

  // Shared by all stores of the JVM for its lifetime, so never closed per store.
  private static final Cache CACHE = new LRUCache(TOTAL_BYTES, -1, false, 0.1);
  private static final WriteBufferManager WRITE_BUFFERS = new WriteBufferManager(MEMTABLE_BYTES, CACHE);

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(CACHE);
    // Index and filter blocks count against the bound too, or they grow outside it with the data.
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setWriteBufferManager(WRITE_BUFFERS);
    options.setTableFormatConfig(table);
  }

  @Override
  public void close(String storeName, Options options) {
    // The cache and the write buffer manager belong to the JVM, not to one store.
  }
}
