package io.tracestitch.demo;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll loop of one consuming service: a real consumer in its own group, on its own thread, that hands each
 * record to the service and commits what was decided. A retry rewinds the partition to the record and pauses
 * it for a back-off, so the very same record (same offset, same event id) is delivered again; a stall pauses
 * everything while the loop keeps polling, so the consumer stays in its group and its lag grows.
 *
 * <p>Asked to stop, it first handles what is still waiting for it (retries included), as a service shutting
 * down gracefully would, so an event published just before the end is not left unconsumed.
 */
final class ConsumerLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConsumerLoop.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);
  /** Empty polls in a row after which nothing more is on its way: a fetch can lag the poll that asked for it. */
  private static final int QUIET_POLLS_TO_STOP = 3;
  static final Duration RETRY_BACKOFF = Duration.ofMillis(500);

  private final String group;
  private final List<String> topics;
  private final RecordHandler handler;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final CountDownLatch assigned = new CountDownLatch(1);
  private final Map<TopicPartition, Long> retryAtMs = new HashMap<>();
  /** Partitions rewound for a retry whose record has not come back yet. */
  private final Set<TopicPartition> awaitingRetry = new HashSet<>();
  private volatile boolean stopRequested;
  private Long drainDeadlineNanos;
  private int quietPolls;
  private boolean started;
  private boolean stalled;

  ConsumerLoop(KafkaClients clients, String group, List<String> topics, RecordHandler handler) {
    this.group = group;
    this.topics = List.copyOf(topics);
    this.handler = handler;
    this.consumer = new KafkaConsumer<>(clients.consumer(group, group + "-consumer"), new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    this.thread = new Thread(this::run, "checkout-" + group);
    this.thread.setDaemon(true);
  }

  void start() {
    started = true;
    thread.start();
  }

  /** Returns once the group has given this consumer its partitions, so no order is published before it listens. */
  void awaitAssignment(Duration timeout) throws InterruptedException {
    if (!assigned.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("The consumer group '" + group + "' got no partitions of " + topics
          + " within " + timeout.toSeconds() + " s; is the broker at the configured address reachable?");
    }
  }

  private void run() {
    try {
      consumer.subscribe(topics, new Rebalances());
      while (true) {
        int handled = 0;
        try {
          handled = pollOnce();
        } catch (KafkaException e) {
          // A broker hiccup must not end the service: it polls on from where it was.
          log.warn("The {} consumer hit a Kafka error and carries on: {}", group, e.toString());
          pause(Duration.ofSeconds(1));
        }
        if (stopRequested && drained(handled)) {
          return;
        }
      }
    } finally {
      consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
    }
  }

  private boolean drained(int handledInLastPoll) {
    if (drainDeadlineNanos == null) {
      drainDeadlineNanos = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
    }
    quietPolls = handledInLastPoll == 0 ? quietPolls + 1 : 0;
    boolean nothingWaiting = quietPolls >= QUIET_POLLS_TO_STOP && awaitingRetry.isEmpty();
    return nothingWaiting || stalled || System.nanoTime() - drainDeadlineNanos > 0;
  }

  /** Returns how many records it was handed. */
  private int pollOnce() {
    resumeDueRetries();
    ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL_TIMEOUT);
    Map<TopicPartition, OffsetAndMetadata> decided = new HashMap<>();
    for (TopicPartition partition : records.partitions()) {
      for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
        if (stalled) {
          // Rewind, so what was fetched but not handled is neither committed nor skipped.
          consumer.seek(partition, record.offset());
          break;
        }
        awaitingRetry.remove(partition);
        RecordHandler.Outcome outcome = handle(record);
        if (outcome == RecordHandler.Outcome.DONE) {
          decided.put(partition, new OffsetAndMetadata(record.offset() + 1));
          continue;
        }
        consumer.seek(partition, record.offset());
        if (outcome == RecordHandler.Outcome.RETRY) {
          consumer.pause(Set.of(partition));
          retryAtMs.put(partition, System.currentTimeMillis() + RETRY_BACKOFF.toMillis());
          awaitingRetry.add(partition);
        } else {
          stall();
        }
        break;
      }
    }
    if (!decided.isEmpty()) {
      consumer.commitSync(decided);
    }
    return records.count();
  }

  private RecordHandler.Outcome handle(ConsumerRecord<byte[], byte[]> record) {
    try {
      return handler.handle(record);
    } catch (RuntimeException e) {
      // A record the service cannot read would otherwise be retried forever; it is logged and skipped.
      log.warn("The {} service could not handle the record at {}-{}@{} and skips it: {}", group, record.topic(),
          record.partition(), record.offset(), e.toString());
      return RecordHandler.Outcome.DONE;
    }
  }

  private void stall() {
    stalled = true;
    consumer.pause(consumer.assignment());
    log.info("The {} service stopped handling records (simulated stall); its consumer stays in the group "
        + "with every partition paused, so its lag grows.", group);
  }

  private void resumeDueRetries() {
    long now = System.currentTimeMillis();
    for (Iterator<Map.Entry<TopicPartition, Long>> it = retryAtMs.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<TopicPartition, Long> due = it.next();
      if (now >= due.getValue()) {
        if (!stalled) {
          consumer.resume(Set.of(due.getKey()));
        }
        it.remove();
      }
    }
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops once nothing more is waiting (or after the drain timeout); what was handled is committed. */
  @Override
  public void close() {
    stopRequested = true;
    if (!started) {
      consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
      return;
    }
    try {
      thread.join(DRAIN_TIMEOUT.toMillis() + CLOSE_TIMEOUT.toMillis() + POLL_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      log.warn("The {} consumer did not stop within {} s.", group, CLOSE_TIMEOUT.toSeconds());
    }
  }

  private final class Rebalances implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      retryAtMs.keySet().removeAll(partitions);
      awaitingRetry.removeAll(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (stalled) {
        consumer.pause(partitions);
      }
      if (!partitions.isEmpty()) {
        assigned.countDown();
      }
    }
  }
}
