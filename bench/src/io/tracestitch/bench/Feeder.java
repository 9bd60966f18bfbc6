package io.tracestitch.bench;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes generated traffic to the broker: all of it up front for the throughput runs (so the
 * processor only ever reads a backlog), or paced in real time for the latency run, where it also
 * keeps, per workflow, when the broker acknowledged the last record holding its data.
 */
final class Feeder implements Traffic.Output, AutoCloseable {
  /** What one data set holds, as written. */
  record Written(String spansTopic, List<String> eventTopics, long spanRecords, long spans, long events,
      long spanBytes, long eventBytes, double seconds) {
    long records() {
      return spanRecords + events;
    }
  }

  private final KafkaProducer<byte[], byte[]> producer;
  private final String spansTopic;
  private final Map<String, String> eventTopics;
  private final int partitions;
  private final boolean paced;
  private final AtomicLongArray lastAckMs;
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private final AtomicLong spanBytes = new AtomicLong();
  private final AtomicLong eventBytes = new AtomicLong();
  private long spanRecords;
  private long spans;
  private long events;
  private long roundRobin;
  private long pacingOffsetMs;

  private Feeder(String bootstrap, String spansTopic, Map<String, String> eventTopics, int partitions, boolean paced,
      int workflows) {
    this.spansTopic = spansTopic;
    this.eventTopics = eventTopics;
    this.partitions = partitions;
    this.paced = paced;
    this.lastAckMs = paced ? new AtomicLongArray(workflows) : null;
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-feeder");
    // A backlog is written in big batches; live traffic goes out at once, as a Collector's would.
    p.put(ProducerConfig.LINGER_MS_CONFIG, paced ? "2" : "20");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(paced ? 64 * 1024 : 512 * 1024));
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(128L * 1024 * 1024));
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(8 * 1024 * 1024));
    producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Writes the whole data set and returns once the broker has acknowledged every record. */
  static Written backlog(String bootstrap, String spansTopic, Map<String, String> eventTopics, int partitions,
      Consumer<Traffic.Output> generate) {
    long start = System.nanoTime();
    try (Feeder feeder = new Feeder(bootstrap, spansTopic, eventTopics, partitions, false, 0)) {
      generate.accept(feeder);
      feeder.producer.flush();
      feeder.check();
      return feeder.written((System.nanoTime() - start) / 1e9);
    }
  }

  /** Live traffic: each record is sent when the wall clock reaches its timestamp. */
  static Feeder paced(String bootstrap, String spansTopic, Map<String, String> eventTopics, int partitions,
      int workflows, long baseMs) {
    Feeder feeder = new Feeder(bootstrap, spansTopic, eventTopics, partitions, true, workflows);
    feeder.pacingOffsetMs = System.currentTimeMillis() - baseMs;
    return feeder;
  }

  long lastAckMs(int workflow) {
    return lastAckMs.get(workflow);
  }

  Written written(double seconds) {
    return new Written(spansTopic, List.copyOf(eventTopics.values()), spanRecords, spans, events, spanBytes.get(),
        eventBytes.get(), seconds);
  }

  @Override
  public void spans(byte[] key, byte[] value, long timestampMs, int spanCount, int[] workflows) {
    long ts = pace(timestampMs);
    // Unkeyed batches are spread evenly, as the exporter's round-robin spreads them; keyed ones by trace id.
    Integer partition = key == null ? (int) (roundRobin++ % partitions) : null;
    spanRecords++;
    spans += spanCount;
    spanBytes.addAndGet(value.length);
    producer.send(new ProducerRecord<>(spansTopic, partition, ts, key, value), (meta, e) -> {
      if (e != null) {
        failure.compareAndSet(null, e);
      } else if (paced) {
        long now = System.currentTimeMillis();
        for (int w : workflows) {
          lastAckMs.accumulateAndGet(w, now, Math::max);
        }
      }
    });
  }

  @Override
  public void event(String eventName, byte[] key, byte[] value, String traceparent, long timestampMs, int workflow) {
    long ts = pace(timestampMs);
    RecordHeaders headers = new RecordHeaders();
    headers.add("traceparent", traceparent.getBytes(StandardCharsets.UTF_8));
    headers.add("content-type", "application/json".getBytes(StandardCharsets.UTF_8));
    events++;
    eventBytes.addAndGet(value.length);
    producer.send(new ProducerRecord<>(eventTopics.get(eventName), null, ts, key, value, headers), (meta, e) -> {
      if (e != null) {
        failure.compareAndSet(null, e);
      } else if (paced) {
        lastAckMs.accumulateAndGet(workflow, System.currentTimeMillis(), Math::max);
      }
    });
  }

  /** Paced: waits for the record's moment and stamps it with the real send time. */
  private long pace(long timestampMs) {
    if (!paced) {
      return timestampMs;
    }
    long due = timestampMs + pacingOffsetMs;
    long wait = due - System.currentTimeMillis();
    if (wait > 0) {
      try {
        Thread.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while pacing live traffic.", e);
      }
    }
    return System.currentTimeMillis();
  }

  void check() {
    if (failure.get() != null) {
      throw new IllegalStateException("Writing the benchmark input failed: " + failure.get(), failure.get());
    }
  }

  void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    producer.close();
  }
}
