package io.tracestitch.app;

import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tracestitch.testing.Orders;
import io.tracestitch.testing.Orders.Outcome;
import io.tracestitch.testing.TimedInput;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Order workflows sent to a test's own span and event topics at a steady pace from a background
 * thread, with the node ids each one's graph must end up with, taken from the very records sent
 * (so a graph is judged against the input, not against what the assembler happens to produce).
 *
 * <p>Every workflow has two or three consumers; one in four has a consumer whose span is exported in
 * a batch of its own, sent two steps later, so some workflows reach the stitcher in three records
 * spread over time rather than two at once.
 */
final class WorkflowFeed implements AutoCloseable {
  private static final int LATE_STEPS = 2;
  /** Long enough to wait out a broker restart or a cut connection, which the fault tests inject. */
  private static final Duration ACK_TIMEOUT = Duration.ofSeconds(120);

  private final String spansTopic;
  private final String topicPrefix;
  private final KafkaProducer<byte[], byte[]> producer;
  private final Map<String, Set<String>> expected = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Outcome>> outcomes = new ConcurrentHashMap<>();
  private final AtomicInteger sent = new AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong records = new java.util.concurrent.atomic.AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final CountDownLatch finished = new CountDownLatch(1);
  private Thread thread;

  WorkflowFeed(String bootstrapServers, String spansTopic, String topicPrefix) {
    this.spansTopic = spansTopic;
    this.topicPrefix = topicPrefix;
    this.producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.LINGER_MS_CONFIG, 5), new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** The event topic of {@link Orders}: the test's prefix keeps it apart from other tests on the broker. */
  static String eventTopic(String topicPrefix) {
    return topicPrefix + Orders.ORDER_CREATED;
  }

  /**
   * Starts sending workflows 1..count, one every {@code pace}. Before workflow {@code holdBefore} the
   * thread waits for {@code resume}, so the test can be sure production is still going on when it
   * disturbs the application (0: never wait).
   */
  WorkflowFeed start(int count, Duration pace, int holdBefore, CountDownLatch resume) {
    thread = new Thread(() -> {
      try {
        run(count, pace, holdBefore, resume);
      } catch (Throwable e) {
        failure.set(e);
      } finally {
        finished.countDown();
      }
    }, "workflow-feed");
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  private void run(int count, Duration pace, int holdBefore, CountDownLatch resume) throws Exception {
    List<List<ProducerRecord<byte[], byte[]>>> later = new ArrayList<>();
    for (int step = 1; step <= count + LATE_STEPS; step++) {
      if (step == holdBefore && !resume.await(120, TimeUnit.SECONDS)) {
        throw new IllegalStateException("The test never let the feed go on past workflow " + holdBefore + ".");
      }
      List<ProducerRecord<byte[], byte[]>> now = new ArrayList<>();
      if (step <= count) {
        List<ProducerRecord<byte[], byte[]>> deferred = new ArrayList<>();
        records(step, now, deferred);
        later.add(deferred);
      }
      int dueIndex = step - 1 - LATE_STEPS;
      if (dueIndex >= 0 && dueIndex < later.size()) {
        now.addAll(later.get(dueIndex));
      }
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      for (ProducerRecord<byte[], byte[]> record : now) {
        acks.add(producer.send(record));
      }
      producer.flush();
      for (Future<RecordMetadata> ack : acks) {
        ack.get(ACK_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        records.incrementAndGet();
      }
      if (step <= count) {
        sent.incrementAndGet();
      }
      Thread.sleep(pace.toMillis());
    }
  }

  /** Workflow n's records: the event and on-time spans now, a late exporter's batch for later. */
  private void records(int n, List<ProducerRecord<byte[], byte[]>> now, List<ProducerRecord<byte[], byte[]>> deferred) {
    // Timestamps in the recent past, as an exporter's would be: a record stamped ahead of the wall clock
    // would push the stitcher's clock ahead and make workflows look quiet early.
    long start = System.currentTimeMillis() - 2_000;
    Orders order = order(n, start);
    long onTimeBatch = start + 1_000;
    Set<String> nodes = new TreeSet<>();
    nodes.add("event:" + order.eventId());
    for (TimedInput input : order.inputs()) {
      if (input instanceof TimedInput.SpanBatch b) {
        for (ResourceSpans rs : b.batch().request().getResourceSpansList()) {
          for (ScopeSpans ss : rs.getScopeSpansList()) {
            for (Span span : ss.getSpansList()) {
              nodes.add("span:" + HexFormat.of().formatHex(span.getSpanId().toByteArray()));
            }
          }
        }
        ProducerRecord<byte[], byte[]> record =
            new ProducerRecord<>(spansTopic, null, b.timestampMs(), null, b.batch().toProto());
        (b.timestampMs() == onTimeBatch ? now : deferred).add(record);
      } else if (input instanceof TimedInput.Event e) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topicPrefix + e.topic(), null, e.timestampMs(),
            e.key().getBytes(StandardCharsets.UTF_8), e.value());
        for (Header h : e.headers()) {
          record.headers().add(h);
        }
        now.add(record);
      }
    }
    expected.put(order.correlationId(), nodes);
    outcomes.put(order.correlationId(), order.outcomes());
  }

  private static Orders order(int n, long start) {
    Orders order = Orders.order(n, start);
    return switch (n % 4) {
      case 0 -> order.consumer("inventory", Outcome.OK).consumer("payment", Outcome.OK);
      case 1 -> order.consumer("inventory", Outcome.OK).consumer("payment", Outcome.RETRY_THEN_OK)
          .consumer("loyalty", Outcome.OK);
      case 2 -> order.consumer("inventory", Outcome.OK).consumer("analytics", Outcome.FAIL);
      default -> order.consumer("payment", Outcome.OK).late("notification", 300).consumer("loyalty", Outcome.OK);
    };
  }

  /** How many records (span batches and events) the broker has acknowledged. */
  long recordsSent() {
    return records.get();
  }

  /** How many workflows have been sent completely (late batches aside). */
  int sent() {
    return sent.get();
  }

  /** Workflow id to the node ids its graph must have, for every workflow sent so far. */
  Map<String, Set<String>> expected() {
    return Map.copyOf(expected);
  }

  /** Workflow id to what each of its consumers did with its event: the truth an alert is judged against. */
  Map<String, Map<String, Outcome>> outcomes() {
    return Map.copyOf(outcomes);
  }

  /** True once the feed has stopped, whether done or failed ({@link #awaitFinished} tells which). */
  boolean finished() {
    return finished.getCount() == 0;
  }

  /** Waits until every record has been sent and acknowledged; rethrows what stopped the feed. */
  void awaitFinished(Duration timeout) throws InterruptedException {
    if (!finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("The feed did not finish within " + timeout.toSeconds() + " s; sent " + sent() + ".");
    }
    if (failure.get() != null) {
      throw new AssertionError("The feed failed after " + sent() + " workflows: " + failure.get(), failure.get());
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (thread != null) {
      thread.interrupt();
      thread.join(10_000);
    }
    producer.close(Duration.ofSeconds(5));
  }
}
