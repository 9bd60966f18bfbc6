package io.tracestitch.app;

import io.tracestitch.topology.ReadToEnd;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Knows how far this instance has read its source partitions ({@link ReadToEnd}), from two sides: the stream
 * threads' consumers, which it supplies to Kafka Streams and whose positions it notes after every poll, and the
 * broker, whose end offsets of the watched partitions its own thread lists every interval (Kafka's admin client,
 * at the consumers' isolation level). A partition whose listed end the position has reached was read to its end
 * as of the listing.
 *
 * <p>While the broker cannot be reached, nothing is listed and nothing confirmed, so the ingest clock stands
 * still instead of counting the outage as quiet time; after it, confirmation comes back only once the backlog is
 * fetched. A listing refused for good (not a retriable error: an ACL, say) turns the watch off with one warning,
 * and the clock follows the wall clock while the input is quiet, as it would without a watch.
 */
public final class SourceEndWatch implements ReadToEnd, KafkaClientSupplier, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SourceEndWatch.class);

  private final PartitionEnds ends = new PartitionEnds();
  private final Admin admin;
  private final IsolationLevel isolation;
  private final Duration interval;
  private final Clock clock;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "tracestitch-source-ends");
    t.setDaemon(true);
    return t;
  });
  private volatile boolean refused;
  private volatile String lastFailure = "";

  /** {@code interval}: how often ends are listed, which is also about how far a quiet partition's clock lags. */
  SourceEndWatch(Admin admin, IsolationLevel isolation, Duration interval, Clock clock) {
    this.admin = admin;
    this.isolation = isolation;
    this.interval = interval;
    this.clock = clock;
  }

  /**
   * Starts watching with an admin client of {@code adminConfig}, at the isolation level the main consumers read
   * with under {@code processingGuarantee}; pass the watch to the topology and, as client supplier, to Kafka Streams.
   */
  public static SourceEndWatch start(Properties adminConfig, String processingGuarantee, Duration interval) {
    IsolationLevel isolation = StreamsConfig.AT_LEAST_ONCE.equals(processingGuarantee)
        ? IsolationLevel.READ_UNCOMMITTED : IsolationLevel.READ_COMMITTED;
    return new SourceEndWatch(Admin.create(adminConfig), isolation, interval, Clock.systemUTC()).start();
  }

  SourceEndWatch start() {
    thread.scheduleWithFixedDelay(this::listEnds, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  @Override
  public long confirmedAt(String topic, int partition) {
    return refused ? NOT_WATCHED : ends.confirmedAt(new TopicPartition(topic, partition), clock.millis());
  }

  /**
   * Per watched partition, how long ago (ms, at {@code nowMs}) it was last confirmed read to its end; -1 for one not
   * confirmed yet. What the clocks of the stages that read it wait on: a figure that keeps growing is a processor
   * that cannot reach, or cannot keep up with, that partition.
   */
  public Map<TopicPartition, Long> unconfirmedForMs(long nowMs) {
    Map<TopicPartition, Long> ages = ends.confirmations();
    ages.replaceAll((partition, at) -> at == NOT_YET ? -1 : Math.max(0, nowMs - at));
    return ages;
  }

  private void listEnds() {
    try {
      listEndsOnce();
    } catch (RuntimeException e) {
      // Thrown out of a scheduled task, it would cancel every later listing and hold the ingest clock for good.
      log.warn("Listing the end offsets of the source partitions failed; trying again in {} ms.",
          interval.toMillis(), e);
    }
  }

  private void listEndsOnce() {
    if (refused) {
      return;
    }
    List<TopicPartition> partitions = ends.toList(clock.millis());
    if (partitions.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
    // Taken before asking: the end the broker answers with holds at least from this moment on.
    long listedAt = clock.millis();
    ListOffsetsResult result = admin.listOffsets(latest,
        new ListOffsetsOptions(isolation).timeoutMs((int) Math.max(1_000, 4 * interval.toMillis())));
    for (TopicPartition partition : partitions) {
      try {
        ends.endListed(partition, result.partitionResult(partition).get().offset(), listedAt);
      } catch (ExecutionException e) {
        failed(partition, e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void failed(TopicPartition partition, Throwable cause) {
    if (cause instanceof RetriableException) {
      // The broker is out of reach or the partition between leaders: nothing is confirmed, which is the point.
      String failure = cause.getClass().getSimpleName();
      if (!failure.equals(lastFailure)) {
        log.info("Could not list the end of {} ({}); the ingest clock waits until it can.", partition,
            cause.getMessage());
        lastFailure = failure;
      }
      return;
    }
    refused = true;
    log.warn("Listing the end offsets of the source partitions was refused ({}); without them a cut-off processor "
        + "cannot tell its outage from quiet input, and may judge deadlines missed on its return. Allow this "
        + "principal to describe the source topics.", cause.toString());
  }

  @Override
  public Admin getAdmin(Map<String, Object> config) {
    return Admin.create(config);
  }

  @Override
  public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
    return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
  }

  @Override
  @SuppressWarnings("unchecked")
  public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
    Consumer<byte[], byte[]> consumer = bytesConsumer(config);
    return (Consumer<byte[], byte[]>) Proxy.newProxyInstance(Consumer.class.getClassLoader(),
        new Class<?>[] {Consumer.class}, new PositionsAfterPoll(consumer, ends));
  }

  @Override
  public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
    return bytesConsumer(config);
  }

  @Override
  public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
    return bytesConsumer(config);
  }

  /** What Kafka Streams' default supplier makes: a plain consumer of bytes. */
  private static Consumer<byte[], byte[]> bytesConsumer(Map<String, Object> config) {
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  @Override
  public void close() {
    thread.shutdownNow();
    admin.close(Duration.ofSeconds(5));
  }

  /** The main consumer, unchanged, except that after each poll it tells the watch where it stands. */
  private record PositionsAfterPoll(Consumer<byte[], byte[]> consumer, PartitionEnds ends)
      implements InvocationHandler {
    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      Object result;
      try {
        result = method.invoke(consumer, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
      if (method.getName().equals("poll")) {
        notePositions();
      }
      return result;
    }

    private void notePositions() {
      ends.consumerPolled();
      for (TopicPartition partition : consumer.assignment()) {
        if (ends.isWatched(partition)) {
          try {
            // Known locally after a poll; a zero timeout never waits for the broker.
            ends.positionRead(partition, consumer.position(partition, Duration.ZERO));
          } catch (RuntimeException e) {
            // No position yet (just assigned, its offset being looked up): the next poll will have one.
          }
        }
      }
    }
  }
}
