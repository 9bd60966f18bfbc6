package io.tracestitch.topology.alert;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer-group offsets read with Kafka's Admin API on a thread of its own, never on the stream thread.
 *
 * <p>The alert stage asks {@link #positions} for a (group, topic) when it sends a stalled-branch alert; the
 * answer is what was last read, at once. Asking starts watching the pair: it is read right away on this class's
 * thread and then every {@code refresh} (committed offsets of the group on every partition of the topic, and the
 * partitions' end offsets: three Admin calls per round for all watched pairs together), and comparing readings
 * tells a committed offset that stands still from one that moves. A pair nobody asked about for
 * {@link #FORGET_WATCH} is no longer read. A failing or slow Admin API (no access, timeout after {@code timeout})
 * leaves the pair UNAVAILABLE with the reason, logged once per change; the stream never waits for it.
 */
public final class AdminConsumerOffsets implements ConsumerOffsets, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminConsumerOffsets.class);
  static final Duration FORGET_WATCH = Duration.ofMinutes(10);
  static final int MAX_WATCHED = 1_000;

  private final Admin admin;
  private final Duration timeout;
  private final Clock clock;
  private final ScheduledExecutorService reader;
  private final Map<Watch, AtomicLong> watched = new ConcurrentHashMap<>();
  private final Map<Watch, GroupPositions> views = new ConcurrentHashMap<>();
  private final AtomicBoolean readRequested = new AtomicBoolean();
  /** Per watched pair and partition: {committed, wall time it was first read at that value, readings}. Reader thread only. */
  private final Map<Watch, Map<Integer, long[]>> history = new HashMap<>();

  public AdminConsumerOffsets(Admin admin, Duration refresh, Duration timeout, Clock clock) {
    this.admin = admin;
    this.timeout = timeout;
    this.clock = clock;
    this.reader = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tracestitch-consumer-offsets");
      t.setDaemon(true);
      return t;
    });
    reader.scheduleWithFixedDelay(this::readRound, refresh.toMillis(), refresh.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public GroupPositions positions(String group, String topic) {
    Watch watch = new Watch(group, topic);
    long now = clock.millis();
    AtomicLong asked = watched.get(watch);
    if (asked != null) {
      asked.set(now);
    } else if (watched.size() >= MAX_WATCHED) {
      return GroupPositions.unavailable("already watching " + MAX_WATCHED + " consumer groups and topics", now);
    } else if (watched.putIfAbsent(watch, new AtomicLong(now)) == null && readRequested.compareAndSet(false, true)) {
      // A new pair: read it now rather than at the next round, so the next re-send can carry it.
      try {
        reader.execute(this::readRound);
      } catch (RejectedExecutionException closed) {
        readRequested.set(false);
      }
    }
    GroupPositions view = views.get(watch);
    return view == null ? GroupPositions.pending() : view;
  }

  /** A failed round must not end the schedule (an exception would cancel it): log it, try again next time. */
  private void readRound() {
    try {
      readAll();
    } catch (RuntimeException e) {
      log.warn("Reading consumer-group offsets failed ({}); trying again at the next round.", e.toString());
    }
  }

  /** One round: every watched pair, in as few Admin calls as possible. Runs on the reader thread only. */
  void readAll() {
    readRequested.set(false);
    long now = clock.millis();
    watched.entrySet().removeIf(e -> now - e.getValue().get() > FORGET_WATCH.toMillis());
    views.keySet().retainAll(watched.keySet());
    history.keySet().retainAll(watched.keySet());
    if (watched.isEmpty()) {
      return;
    }
    Set<String> topics = new HashSet<>();
    watched.keySet().forEach(w -> topics.add(w.topic()));
    Map<String, Set<TopicPartition>> partitionsOf = new HashMap<>();
    Map<String, String> topicProblems = new HashMap<>();
    Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(topics,
        new DescribeTopicsOptions().timeoutMs((int) timeout.toMillis())).topicNameValues();
    described.forEach((topic, future) -> {
      try {
        Set<TopicPartition> tps = new HashSet<>();
        for (TopicPartitionInfo p : await(future).partitions()) {
          tps.add(new TopicPartition(topic, p.partition()));
        }
        partitionsOf.put(topic, tps);
      } catch (Exception e) {
        topicProblems.put(topic, problem("describing topic " + topic, e));
      }
    });
    Map<TopicPartition, Long> ends = new HashMap<>();
    String endsProblem = null;
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    partitionsOf.values().forEach(tps -> tps.forEach(tp -> latest.put(tp, OffsetSpec.latest())));
    if (!latest.isEmpty()) {
      try {
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> info = await(admin.listOffsets(latest,
            new ListOffsetsOptions().timeoutMs((int) timeout.toMillis())).all());
        info.forEach((tp, i) -> ends.put(tp, i.offset()));
      } catch (Exception e) {
        endsProblem = problem("reading end offsets", e);
      }
    }
    Map<String, Set<TopicPartition>> byGroup = new HashMap<>();
    for (Watch w : watched.keySet()) {
      Set<TopicPartition> tps = partitionsOf.get(w.topic());
      if (tps != null) {
        byGroup.computeIfAbsent(w.group(), g -> new HashSet<>()).addAll(tps);
      }
    }
    Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
    byGroup.forEach((group, tps) -> specs.put(group, new ListConsumerGroupOffsetsSpec().topicPartitions(tps)));
    var committed = specs.isEmpty() ? null : admin.listConsumerGroupOffsets(specs,
        new ListConsumerGroupOffsetsOptions().timeoutMs((int) timeout.toMillis()));
    long readAt = clock.millis();
    for (Watch w : watched.keySet()) {
      GroupPositions view;
      if (topicProblems.containsKey(w.topic())) {
        view = GroupPositions.unavailable(topicProblems.get(w.topic()), readAt);
      } else if (endsProblem != null) {
        view = GroupPositions.unavailable(endsProblem, readAt);
      } else if (committed == null || !partitionsOf.containsKey(w.topic())) {
        view = GroupPositions.unavailable("topic " + w.topic() + " was not described", readAt);
      } else {
        try {
          view = positions(w, await(committed.partitionsToOffsetAndMetadata(w.group())), partitionsOf.get(w.topic()),
              ends, readAt);
        } catch (Exception e) {
          view = GroupPositions.unavailable(problem("reading the offsets of group " + w.group(), e), readAt);
        }
      }
      GroupPositions before = views.put(w, view);
      if (view.status() == GroupPositions.Status.UNAVAILABLE
          && (before == null || !view.problem().equals(before.problem()))) {
        log.warn("Could not read where consumer group {} stands on {}: {}. Stalled-branch alerts go out without that "
            + "diagnosis; grant tracestitch Describe on the group and the topic to get it.", w.group(), w.topic(),
            view.problem());
      }
    }
  }

  private GroupPositions positions(Watch w, Map<TopicPartition, OffsetAndMetadata> committed, Set<TopicPartition> tps,
      Map<TopicPartition, Long> ends, long readAt) {
    Map<Integer, long[]> seen = history.computeIfAbsent(w, k -> new HashMap<>());
    Map<Integer, GroupPositions.Position> out = new HashMap<>();
    for (TopicPartition tp : tps) {
      OffsetAndMetadata at = committed.get(tp);
      long offset = at == null ? -1 : at.offset();
      long[] before = seen.get(tp.partition());
      long[] now = before == null ? new long[] {offset, readAt, 1}
          : before[0] == offset ? new long[] {offset, before[1], before[2] + 1} : new long[] {offset, readAt, before[2] + 1};
      seen.put(tp.partition(), now);
      out.put(tp.partition(), new GroupPositions.Position(offset, ends.getOrDefault(tp, -1L), readAt - now[1],
          (int) Math.min(Integer.MAX_VALUE, now[2])));
    }
    return new GroupPositions(GroupPositions.Status.READY, out, readAt, null);
  }

  private <T> T await(KafkaFuture<T> future) throws Exception {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  private String problem(String what, Exception e) {
    if (e instanceof TimeoutException || e instanceof org.apache.kafka.common.errors.TimeoutException) {
      return what + ": the Admin API did not answer within " + timeout.toMillis() + " ms";
    }
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    return what + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
  }

  @Override
  public void close() {
    reader.shutdownNow();
    try {
      reader.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    admin.close(Duration.ofSeconds(5));
  }

  private record Watch(String group, String topic) {}
}
