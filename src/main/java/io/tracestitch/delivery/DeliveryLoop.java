package io.tracestitch.delivery;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the alert topic to one target, on a thread of its own, in a consumer group of its own: a target that
 * is down stops only its own loop, and the other target's group goes on.
 *
 * <p>Each step takes what the {@link TargetProtocol} chooses from the front of the waiting records, sends it, and
 * settles those records only when the target took them, refused them (a 4xx that is not retried: they go to the
 * dead-letter topic first) or did not need them (superseded). Offsets are committed once records are settled,
 * never before: a crash resends at most what was settled and not yet committed, and the targets are idempotent
 * (the dedup key, Alertmanager's labels). A failed try (429, 5xx, no answer) is repeated after a backoff that
 * doubles with jitter, for as long as it takes; meanwhile the consumer keeps polling (it stays in its group) and
 * reads ahead, up to {@link #MAX_PENDING} records, so that a recovered target is given the latest state.
 *
 * <p>When partitions are assigned, the loop reads each one back up to its committed offset ({@link AlertHistory})
 * to learn what its target already has: the firing set to re-post, and the newest state of each alert, so a
 * stale record (a trigger older than the resolve already delivered) is never sent after a restart. A partition
 * its group never committed starts at the end of the topic, and that position is committed at once.
 */
final class DeliveryLoop implements Runnable {
  static final int MAX_PENDING = 10_000;
  private static final Logger log = LoggerFactory.getLogger(DeliveryLoop.class);
  private static final long IDLE_POLL_MS = 500;
  private static final long FAILURE_LOG_EVERY_MS = 60_000;
  private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);

  private final TargetProtocol protocol;
  private final TargetClient client;
  private final Consumer<byte[], byte[]> consumer;
  private final String topic;
  private final AlertDecoder decoder;
  private final AlertHistory history;
  private final DeadLetterWriter deadLetters;
  private final boolean deadLettersUnreadable;
  private final Backoff backoff;
  private final DeliveryMetrics metrics;
  private final TargetHealth health;
  private final Clock clock;
  private final String name;
  private final PendingAlerts pending = new PendingAlerts();
  private final AlertBook book = new AlertBook();
  private final Map<TopicPartition, Long> settledUpTo = new HashMap<>();
  private final Map<TopicPartition, Long> committed = new HashMap<>();
  private volatile boolean closing;
  private boolean paused;
  private int failures;
  private long retryAtMs = Long.MIN_VALUE;
  private long lastFailureLogMs = Long.MIN_VALUE;

  /**
   * @param deadLettersUnreadable whether this loop dead-letters records that are not Alerts; only one loop does,
   *     so such a record lands in the dead-letter topic once, not once per target
   */
  DeliveryLoop(TargetProtocol protocol, TargetClient client, Consumer<byte[], byte[]> consumer, String topic,
      AlertDecoder decoder, AlertHistory history, DeadLetterWriter deadLetters, boolean deadLettersUnreadable,
      Backoff backoff, DeliveryMetrics metrics, TargetHealth health, Clock clock) {
    this.protocol = protocol;
    this.client = client;
    this.consumer = consumer;
    this.topic = topic;
    this.decoder = decoder;
    this.history = history;
    this.deadLetters = deadLetters;
    this.deadLettersUnreadable = deadLettersUnreadable;
    this.backoff = backoff;
    this.metrics = metrics;
    this.health = health;
    this.clock = clock;
    this.name = protocol.target().settingName();
  }

  @Override
  public void run() {
    consumer.subscribe(List.of(topic), new Rebalance());
    try {
      while (!closing) {
        try {
          step();
        } catch (WakeupException e) {
          // close() woke the consumer up; the loop condition ends it.
        } catch (RuntimeException e) {
          unexpected(e);
        }
      }
    } finally {
      try {
        commitSettled();
      } catch (RuntimeException e) {
        log.warn("{}: could not commit the last settled offsets at shutdown ({}); they are delivered again.", name,
            e.toString());
      }
      consumer.close(Duration.ofSeconds(10));
    }
  }

  /** Stops after the request in flight, if any, commits what was settled and leaves the group. */
  void close() {
    closing = true;
    consumer.wakeup();
  }

  private void step() {
    long now = clock.millis();
    flowControl();
    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(pollWaitMs(now)))) {
      pending.add(decoder.decode(record));
    }
    now = clock.millis();
    health.counts(pending.size(), book.firingCount());
    if (now < retryAtMs) {
      return;
    }
    Optional<Delivery> next = protocol.next(pending, book, now);
    if (next.isEmpty()) {
      commitSettled();
      return;
    }
    Delivery delivery = next.get();
    if (!delivery.needsRequest()) {
      settle(delivery);
      if (pending.isEmpty()) {
        commitSettled();
      }
      return;
    }
    TargetAnswer answer = client.post(delivery.request());
    now = clock.millis();
    switch (answer.kind()) {
      case ACCEPTED -> accepted(delivery, now);
      case RETRY -> retryLater(delivery, answer, now);
      case REJECTED -> rejected(delivery, answer, now);
    }
  }

  private void accepted(Delivery delivery, long now) {
    reachable(now);
    protocol.accepted(delivery, book, now);
    metrics.count(protocol.target(), DeliveryMetrics.Outcome.DELIVERED, delivery.sent().size());
    metrics.reposted(protocol.target(), delivery.reposts());
    for (PendingAlert record : delivery.sent()) {
      metrics.latency(protocol.target(), now - record.timestampMs());
    }
    settle(delivery);
    commitSettled();
  }

  private void retryLater(Delivery delivery, TargetAnswer answer, long now) {
    failures++;
    Duration delay = backoff.delay(failures, answer.retryAfter());
    retryAtMs = now + delay.toMillis();
    health.failed(now, answer.problem());
    metrics.count(protocol.target(), DeliveryMetrics.Outcome.RETRIED, delivery.sent().size() + delivery.reposts());
    if (failures == 1 || now - lastFailureLogMs >= FAILURE_LOG_EVERY_MS) {
      lastFailureLogMs = now;
      log.warn("{} at {} {}; {} record(s) wait, trying again in {} ms (failing for {} s). Nothing behind them is "
          + "committed.", name, client.uri(), answer.problem(), pending.size(), delay.toMillis(),
          health.failingForMs(now) / 1000);
    }
  }

  private void rejected(Delivery delivery, TargetAnswer answer, long now) {
    // A 4xx is an answer: the target is up, this request is what it does not take.
    reachable(now);
    if (protocol.rejected(delivery, now)) {
      log.warn("{} refused a request of {} alerts ({}); sending them one at a time to find the one at fault.", name,
          delivery.alertsInRequest(), answer.problem());
      return;
    }
    for (PendingAlert record : delivery.sent()) {
      log.warn("{} refused {} ({}): {}; it goes to the dead-letter topic with the answer and is not retried.", name,
          record.where(), record.key(), answer.problem());
      deadLetters.write(record, DeadLetterWriter.Reason.DELIVERY_REJECTED, name + " at " + client.uri() + " "
          + answer.problem(), name, answer.status());
    }
    metrics.count(protocol.target(), DeliveryMetrics.Outcome.FAILED, delivery.sent().size());
    if (delivery.sent().isEmpty() && delivery.reposts() > 0) {
      log.warn("{} refused the re-post of {} firing alerts it took before ({}); trying again at the next interval.",
          name, delivery.reposts(), answer.problem());
    }
    settle(delivery);
    commitSettled();
  }

  private void reachable(long now) {
    if (health.failing()) {
      log.info("{} answers again after {} s of failed tries; {} record(s) waited.", name,
          health.failingForMs(now) / 1000, pending.size());
    }
    failures = 0;
    health.succeeded();
  }

  /** Takes the step's records off the waiting list; what was not sent is counted (and dead-lettered) here. */
  private void settle(Delivery delivery) {
    Set<PendingAlert> sent = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    sent.addAll(delivery.sent());
    for (PendingAlert record : delivery.settled()) {
      if (record.unreadable() != null) {
        if (deadLettersUnreadable) {
          log.warn("{} of '{}' is {}; it goes to the dead-letter topic.", record.where(), topic, record.unreadable());
          deadLetters.write(record, DeadLetterWriter.Reason.NOT_AN_ALERT, record.unreadable(), name, 0);
        }
        metrics.count(protocol.target(), DeliveryMetrics.Outcome.UNREADABLE, 1);
      } else if (record.readable() && !sent.contains(record)) {
        metrics.count(protocol.target(), DeliveryMetrics.Outcome.SUPERSEDED, 1);
      }
      pending.settle(record);
      settledUpTo.put(record.partition(), record.offset() + 1);
    }
  }

  private void commitSettled() {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    settledUpTo.forEach((partition, offset) -> {
      if (offset > committed.getOrDefault(partition, -1L)) {
        offsets.put(partition, new OffsetAndMetadata(offset));
      }
    });
    if (offsets.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(offsets, KAFKA_TIMEOUT);
      offsets.forEach((partition, offset) -> committed.put(partition, offset.offset()));
    } catch (CommitFailedException | RetriableException e) {
      // A rebalance took the partitions, or the broker is busy: what is not committed is delivered again.
      log.info("{}: could not commit offsets {} ({}); records after the last commit may be delivered again.", name,
          offsets, e.toString());
    }
  }

  private long pollWaitMs(long now) {
    if (now < retryAtMs) {
      return Math.min(retryAtMs - now, IDLE_POLL_MS);
    }
    if (!pending.isEmpty()) {
      return 0;
    }
    long due = protocol.nextDueMs(book, now);
    return due == Long.MAX_VALUE ? IDLE_POLL_MS : Math.max(0, Math.min(due - now, IDLE_POLL_MS));
  }

  /** Reading ahead stops at MAX_PENDING waiting records and starts again at half of it. */
  private void flowControl() {
    if (!paused && pending.size() >= MAX_PENDING) {
      consumer.pause(consumer.assignment());
      paused = true;
    } else if (paused && pending.size() < MAX_PENDING / 2) {
      consumer.resume(consumer.paused());
      paused = false;
    } else if (paused) {
      // Partitions assigned since the pause are not paused yet.
      consumer.pause(consumer.assignment());
    }
  }

  private void unexpected(RuntimeException e) {
    long now = clock.millis();
    failures++;
    Duration delay = backoff.delay(failures, null);
    retryAtMs = now + delay.toMillis();
    health.failed(now, e.toString());
    if (e instanceof KafkaException) {
      log.warn("{}: Kafka failed ({}); trying again in {} ms.", name, e.toString(), delay.toMillis());
    } else {
      log.error("{}: delivery failed unexpectedly; trying again in {} ms.", name, delay.toMillis(), e);
    }
  }

  private void forget(Collection<TopicPartition> partitions) {
    pending.drop(partitions);
    book.forget(partitions);
    partitions.forEach(p -> {
      settledUpTo.remove(p);
      committed.remove(p);
    });
  }

  /** Partitions come and go with the group: read each new one back to its commit, hand each lost one over clean. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      try {
        commitSettled();
      } catch (RuntimeException e) {
        log.info("{}: could not commit before handing partitions over ({}).", name, e.toString());
      }
      forget(partitions);
      health.joined(consumer.assignment().size() - partitions.size());
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      forget(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (!partitions.isEmpty()) {
        resume(partitions);
      }
      health.joined(consumer.assignment().size());
    }

    private void resume(Collection<TopicPartition> partitions) {
      Map<TopicPartition, OffsetAndMetadata> commits = consumer.committed(new HashSet<>(partitions), KAFKA_TIMEOUT);
      List<TopicPartition> neverCommitted = partitions.stream()
          .filter(p -> commits.get(p) == null).toList();
      Map<TopicPartition, Long> ends = neverCommitted.isEmpty() ? Map.of()
          : consumer.endOffsets(neverCommitted, KAFKA_TIMEOUT);
      Map<TopicPartition, Long> start = new HashMap<>();
      for (TopicPartition partition : partitions) {
        OffsetAndMetadata commit = commits.get(partition);
        start.put(partition, commit != null ? commit.offset() : ends.getOrDefault(partition, 0L));
      }
      start.forEach(consumer::seek);
      long read = history.read(start, record -> {
        if (record.readable()) {
          book.record(record.alert(), record.timestampMs(), record.partition());
        }
      });
      start.forEach((partition, offset) -> {
        settledUpTo.put(partition, offset);
        if (commits.get(partition) != null) {
          committed.put(partition, offset);
        }
      });
      // A new group starts at the end; committed now, so a crash before the first delivery does not skip what
      // arrives in between.
      commitSettled();
      log.info("{}: assigned {} of '{}' (group {}), starting at {}; read {} record(s) back, {} alert(s) firing.",
          name, partitions, topic, consumer.groupMetadata().groupId(), start, read,
          book.firingCount());
    }
  }
}
