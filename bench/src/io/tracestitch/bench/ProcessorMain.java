package io.tracestitch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.avro.NodeKind;
import io.tracestitch.topology.StitchCounters;
import io.tracestitch.topology.StitchSerdes;
import io.tracestitch.topology.StitchSettings;
import io.tracestitch.topology.DueIndex;
import io.tracestitch.topology.StitchTopology;
import io.tracestitch.topology.trace.TraceView;
import io.tracestitch.topology.workflow.GraphListener;
import io.tracestitch.topology.workflow.WorkflowStitcher;
import io.tracestitch.topology.workflow.WorkflowView;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * The processor JVM: runs one Kafka Streams application at a time (the stitching topology or the
 * pass-through baseline) as the harness asks on stdin, and answers with JSON lines on stdout
 * prefixed {@value #PREFIX}. It is its own process so that its heap and RSS are the processor's
 * alone, not the broker's or the load generator's.
 *
 * <p>Where a run starts and ends is read off the topology without changing it: the stitching serdes
 * are wrapped, so the first by-trace record the ingest stage serializes marks the start of
 * consumption, and every item the workflow-stitcher writes to its item store is counted; the run is
 * over when the last expected span or event is stored. The pass-through counts the records its sink
 * serializes. Startup (rebalance, store creation, the first fetch) is therefore outside the timed
 * window for both.
 */
public final class ProcessorMain {
  static final String PREFIX = "@@";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static PrintStream protocol;

  private ProcessorMain() {}

  public static void main(String[] args) throws Exception {
    // Only protocol lines may reach stdout; anything else a library prints goes to stderr.
    protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    System.setOut(System.err);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    emit("hello", Map.of("pid", ProcessHandle.current().pid(), "maxHeapBytes", Runtime.getRuntime().maxMemory(),
        "jvmArgs", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()));
    String line;
    while ((line = in.readLine()) != null) {
      JsonNode command = JSON.readTree(line);
      String name = command.path("cmd").asText();
      if ("run".equals(name)) {
        Job job = JSON.treeToValue(command.get("job"), Job.class);
        Map<String, Object> result;
        try {
          result = new Run(job, in).execute();
        } catch (Exception | Error e) {
          result = new LinkedHashMap<>();
          result.put("job", job.id());
          result.put("error", e.toString());
          e.printStackTrace();
        }
        emit("result", result);
      } else if ("exit".equals(name)) {
        return;
      }
    }
  }

  static void emit(String type, Map<String, ?> body) {
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("type", type);
    message.putAll(body);
    try {
      protocol.println(PREFIX + JSON.writeValueAsString(message));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String await(BufferedReader in, String expected) throws IOException {
    String line;
    while ((line = in.readLine()) != null) {
      String name = JSON.readTree(line).path("cmd").asText();
      if (expected.equals(name)) {
        return name;
      }
    }
    throw new IOException("The harness closed stdin while the processor waited for '" + expected + "'.");
  }

  /** One Kafka Streams application from start to close, with its measurements. */
  private static final class Run {
    private final Job job;
    private final BufferedReader in;
    private final Progress progress;
    private final StitchCounters counters = new StitchCounters();
    private final Map<String, Integer> graphSpans = new ConcurrentHashMap<>();
    private final Map<String, Integer> firstGraphSpans = new ConcurrentHashMap<>();
    private final Map<String, Long> publishReasons = new ConcurrentHashMap<>();
    private final AtomicLong graphsPublished = new AtomicLong();
    private final LongAccumulator largestGraphBytes = new LongAccumulator(Math::max, 0);
    private final AtomicLong graphBytes = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile long runningNanos;
    private StitchSerdes plainSerdes;
    private double windowCpuStart;

    Run(Job job, BufferedReader in) {
      this.job = job;
      this.in = in;
      this.progress = new Progress(job.expectItems(), job.pauseAtItems());
    }

    Map<String, Object> execute() throws Exception {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("job", job.id());
      Path stateDir = Path.of(job.stateDir());
      Files.createDirectories(stateDir);
      System.gc();
      MemoryWatch memory = MemoryWatch.start();
      Properties properties = properties();
      // The application's watch of how far the sources are read, so the stitching run's clock is the product's.
      io.tracestitch.app.SourceEndWatch sourceEnds = job.stitch() ? io.tracestitch.app.SourceEndWatch.start(
          properties, properties.getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG),
          job.settings().punctuationInterval()) : null;
      KafkaStreams streams = sourceEnds == null ? new KafkaStreams(passThrough(), properties)
          : new KafkaStreams(stitching(sourceEnds), properties, sourceEnds);
      streams.setUncaughtExceptionHandler(e -> {
        failure.compareAndSet(null, e);
        progress.abort();
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
      });
      CountDownLatch running = new CountDownLatch(1);
      streams.setStateListener((now, before) -> {
        if (now == KafkaStreams.State.RUNNING && runningNanos == 0) {
          runningNanos = System.nanoTime();
          running.countDown();
        } else if (now == KafkaStreams.State.ERROR) {
          progress.abort();
          running.countDown();
        }
      });
      Recording jfr = null;
      long startNanos = System.nanoTime();
      streams.start();
      Thread storedWatch = job.stitch() ? watchStoredItems() : null;
      try {
        if (job.live()) {
          running.await(job.timeoutMs(), TimeUnit.MILLISECONDS);
          emit("running", Map.of("job", job.id()));
          await(in, "stop");
        } else {
          long timeout = job.timeoutMs();
          if (job.pauseAtItems() > 0) {
            boolean filled = progress.phase.await(timeout, TimeUnit.MILLISECONDS);
            if (filled && job.settleDueBeforeMs() > 0 && failure.get() == null) {
              r.put("settleSeconds", settle(streams, job.settleDueBeforeMs(), timeout));
            }
            streams.pause();
            r.put("fillSeconds", seconds(progress.phaseNanos - progress.firstNanos));
            r.put("fillItems", progress.items.get());
            r.put("fillItemsPerSecond", progress.items.get() / seconds(progress.phaseNanos - progress.firstNanos));
            emit("paused", Map.of("job", job.id(), "filled", filled && failure.get() == null));
            if (!filled || failure.get() != null) {
              throw new IllegalStateException("The fill phase did not complete: " + progress.items.get() + " of "
                  + job.pauseAtItems() + " items stored" + describe(failure.get()));
            }
            await(in, "resume");
            progress.armSecondPhase();
            streams.resume();
          }
          awaitFirstRecord();
          ThreadCpu threads = ThreadCpu.start();
          memory.markWindowStart();
          windowCpuStart = MemoryWatch.processCpuSeconds();
          Map<String, Double> loopBefore = loopMetrics(streams);
          jfr = maybeStartRecording();
          boolean done = progress.done.await(timeout, TimeUnit.MILLISECONDS);
          memory.markMeasured();
          Map<String, Object> threadCpu = threads.stop();
          r.put("threads", threadCpu);
          r.put("streamsLoop", loopDelta(loopBefore, loopMetrics(streams), seconds(progress.doneNanos - (job.pauseAtItems() > 0
              ? progress.secondFirstNanos : progress.firstNanos))));
          @SuppressWarnings("unchecked")
          Double streamCpu = ((Map<String, Double>) threadCpu.get("cpuSecondsByThread")).get("stream thread");
          r.put("streamThreadCpuSeconds", streamCpu);
          r.put("spansPerStreamThreadCpuSecond", streamCpu == null ? null : job.expectSpans() / streamCpu);
          if (!done || failure.get() != null) {
            r.put("error", "Not all expected items arrived: " + progress.items.get() + " of " + job.expectItems()
                + describe(failure.get()));
          }
          long first = job.pauseAtItems() > 0 ? progress.secondFirstNanos : progress.firstNanos;
          long measuredItems = job.expectItems() - Math.max(0, job.pauseAtItems());
          double secs = seconds(progress.doneNanos - first);
          r.put("startupSeconds", seconds(progress.firstNanos - startNanos));
          r.put("runningAfterSeconds", seconds(runningNanos - startNanos));
          r.put("seconds", secs);
          r.put("items", measuredItems);
          r.put("spans", job.expectSpans());
          r.put("spansPerSecond", job.expectSpans() / secs);
          r.put("itemsPerSecond", measuredItems / secs);
          r.put("cpuSecondsInWindow", memory.cpuSecondsInWindow());
          // Per CPU second as well as per wall second: on a shared machine the processor does not get whole cores.
          r.put("spansPerProcessorCpuSecond", job.expectSpans() / memory.cpuSecondsInWindow());
          if (jfr != null) {
            jfr.stop();
            jfr.dump(Path.of(job.jfrFile()));
            jfr.close();
            jfr = null;
            r.put("jfrFile", job.jfrFile());
          }
          r.put("state", stateMetrics(streams));
          if (job.stitch() && job.pauseAtItems() > 0) {
            r.put("storeContents", storeContents(streams));
          }
          r.put("stateDirBytes", directoryBytes(stateDir));
          if (job.expectWorkflows() > 0 && failure.get() == null) {
            allIn(r, first);
          }
        }
        if (job.stitch()) {
          r.put("graphsPublished", graphsPublished.get());
          r.put("workflowsWithGraph", graphSpans.size());
          r.put("spansInLatestGraphs", spansInLatestGraphs());
          r.put("publishReasons", new TreeMap<>(publishReasons));
          if (job.expectWorkflows() > 0) {
            // A first graph with fewer spans than its workflow has was published before the workflow was complete.
            long perWorkflow = job.expectSpans() / job.expectWorkflows();
            r.put("workflowsFirstPublishedIncomplete", firstGraphSpans.values().stream().filter(n -> n < perWorkflow).count());
          }
          r.put("largestGraphBytes", largestGraphBytes.get());
          r.put("graphBytes", graphBytes.get());
          r.put("counters", counters.snapshot());
        }
        if (failure.get() != null) {
          r.put("error", describe(failure.get()));
        }
      } finally {
        if (storedWatch != null) {
          storedWatch.interrupt();
        }
        if (jfr != null) {
          jfr.close();
        }
        streams.close(Duration.ofSeconds(60));
        if (sourceEnds != null) {
          sourceEnds.close();
        }
        streams.cleanUp();
        // cleanUp leaves the application's directory itself behind when RocksDB files linger in it.
        deleteRecursively(stateDir);
        r.put("memory", memory.stop());
      }
      return r;
    }

    private long spansInLatestGraphs() {
      return graphSpans.values().stream().mapToLong(Integer::longValue).sum();
    }

    /**
     * After the timed window: waits (up to graphWaitMs from the last span stored) until every workflow's
     * latest graph holds all its spans and, if asked, every workflow has left the stores again, and says
     * how much CPU the processor spent from the first record to that point. That "all-in" CPU is every
     * per-span and per-workflow cost (store, publish, remove) without the idle waiting for deadlines.
     */
    private void allIn(Map<String, Object> r, long firstNanos) throws InterruptedException {
      long deadline = progress.doneNanos + TimeUnit.MILLISECONDS.toNanos(job.graphWaitMs());
      long complete = 0;
      while (System.nanoTime() < deadline && failure.get() == null) {
        boolean graphs = graphSpans.size() >= job.expectWorkflows() && spansInLatestGraphs() >= job.expectSpans();
        if (graphs && complete == 0) {
          complete = System.nanoTime();
        }
        if (graphs && (!job.waitExpiry() || counters.get("workflows.expired") >= job.expectWorkflows())) {
          double cpu = MemoryWatch.processCpuSeconds() - windowCpuStart;
          r.put("allGraphsCompleteAfterSeconds", seconds(complete - firstNanos));
          r.put("allInSeconds", seconds(System.nanoTime() - firstNanos));
          r.put("allInCpuSeconds", cpu);
          r.put("spansPerAllInCpuSecond", job.expectSpans() / cpu);
          return;
        }
        Thread.sleep(20);
      }
      r.put("allGraphsCompleteAfterSeconds", complete == 0 ? null : seconds(complete - firstNanos));
      r.put("allInSeconds", null);
    }

    /** The measured window opens with the first record (of the second phase, in a two-phase run). */
    private void awaitFirstRecord() throws InterruptedException {
      while ((job.pauseAtItems() > 0 ? progress.secondFirstNanos : progress.firstNanos) == 0
          && progress.done.getCount() > 0) {
        Thread.sleep(1);
      }
    }

    private Recording maybeStartRecording() throws Exception {
      if (job.jfrFile() == null) {
        return null;
      }
      // Scoped to the measured window, so startup and store creation do not dilute the hot path.
      Recording recording = new Recording(Configuration.getConfiguration("profile"));
      recording.setToDisk(true);
      recording.start();
      return recording;
    }

    private Topology stitching(io.tracestitch.topology.ReadToEnd readToEnd) {
      StitchSettings settings = job.settings();
      StitchSerdes base = StitchSerdes.avro();
      plainSerdes = base;
      StitchSerdes serdes = new StitchSerdes(
          observed(base.traceMessage(), (value, bytes) -> progress.started()),
          base.workflowMessage(), base.traceState(), base.workflowSummary(),
          base.workflowItem(),
          base.expectationStats(), base.finding(), base.alertState(),
          observed(base.graph(), (value, bytes) -> {
            if (bytes != null) {
              largestGraphBytes.accumulate(bytes.length);
              graphBytes.addAndGet(bytes.length);
            }
          }),
          base.alert());
      GraphListener listener = (graph, now) -> {
        graphsPublished.incrementAndGet();
        int spans = spanNodes(graph);
        graphSpans.put(graph.getWorkflowId(), spans);
        firstGraphSpans.putIfAbsent(graph.getWorkflowId(), spans);
        publishReasons.merge(String.valueOf(graph.getPublishReason()), 1L, Long::sum);
      };
      return StitchTopology.build(settings, serdes, counters, List.of(listener),
          io.tracestitch.topology.alert.ConsumerOffsets.NONE, readToEnd);
    }

    /** Waits until the trace-router's deadline index holds nothing due before {@code beforeMs}. */
    private double settle(KafkaStreams streams, long beforeMs, long timeoutMs) throws InterruptedException {
      long start = System.nanoTime();
      long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
      while (System.nanoTime() < deadline && failure.get() == null) {
        ReadOnlyKeyValueStore<String, String> due = streams.store(
            StoreQueryParameters.fromNameAndType(TraceView.DUE_STORE, QueryableStoreTypes.<String, String>keyValueStore()));
        if (!DueIndex.anyDueBefore(due, beforeMs)) {
          return seconds(System.nanoTime() - start);
        }
        Thread.sleep(200);
      }
      throw new IllegalStateException("The trace holds of the fill phase were not worked off in time.");
    }

    /**
     * What the stores hold, counted the way the stores' serdes write it (keys plus values), by reading
     * every entry through interactive queries: the logical size, independent of how far RocksDB has
     * flushed or compacted.
     */
    private Map<String, Object> storeContents(KafkaStreams streams) {
      Map<String, Serializer<?>> stores = new LinkedHashMap<>();
      stores.put(TraceView.STATE_STORE, plainSerdes.traceState().serializer());
      stores.put(TraceView.HELD_STORE, plainSerdes.traceMessage().serializer());
      stores.put(TraceView.DUE_STORE, Serdes.String().serializer());
      stores.put(WorkflowView.SUMMARY_STORE, plainSerdes.workflowSummary().serializer());
      stores.put(WorkflowView.ITEM_STORE, plainSerdes.workflowItem().serializer());
      stores.put(WorkflowView.DUE_STORE, Serdes.String().serializer());
      stores.put(WorkflowStitcher.EXPECTATION_STORE, plainSerdes.expectationStats().serializer());
      Map<String, Object> out = new LinkedHashMap<>();
      long total = 0;
      long started = System.nanoTime();
      for (Map.Entry<String, Serializer<?>> store : stores.entrySet()) {
        @SuppressWarnings("unchecked")
        Serializer<Object> values = (Serializer<Object>) store.getValue();
        ReadOnlyKeyValueStore<String, Object> view = streams.store(
            StoreQueryParameters.fromNameAndType(store.getKey(), QueryableStoreTypes.keyValueStore()));
        long entries = 0;
        long bytes = 0;
        try (KeyValueIterator<String, Object> it = view.all()) {
          while (it.hasNext()) {
            var kv = it.next();
            entries++;
            bytes += kv.key.getBytes(StandardCharsets.UTF_8).length;
            byte[] value = values.serialize(store.getKey(), kv.value);
            bytes += value == null ? 0 : value.length;
          }
        }
        out.put(store.getKey(), Map.of("entries", entries, "bytes", bytes));
        total += bytes;
      }
      out.put("totalBytes", total);
      out.put("secondsToRead", seconds(System.nanoTime() - started));
      return out;
    }

    private Topology passThrough() {
      Topology topology = new Topology();
      String[] topics = Stream.concat(Stream.of(job.spansTopic()), job.eventTopics().stream()).toArray(String[]::new);
      topology.addSource("bytes-in", new ByteArrayDeserializer(), new ByteArrayDeserializer(), topics);
      Serializer<byte[]> counting = new ByteArraySerializer() {
        @Override
        public byte[] serialize(String topic, byte[] data) {
          progress.started();
          progress.stored(1);
          return data;
        }
      };
      topology.addSink("bytes-out", job.passOutputTopic(), new ByteArraySerializer(), counting, "bytes-in");
      return topology;
    }

    private Properties properties() {
      Properties p = new Properties();
      p.put(StreamsConfig.APPLICATION_ID_CONFIG, job.id());
      p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, System.getProperty("bench.bootstrap"));
      p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
          job.exactlyOnce() ? StreamsConfig.EXACTLY_ONCE_V2 : StreamsConfig.AT_LEAST_ONCE);
      // The application's own defaults (TracestitchApp.streamsProperties), so the numbers are the product's.
      p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, String.valueOf(job.commitMs()));
      p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "1");
      p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
          LogAndContinueExceptionHandler.class.getName());
      p.put(StreamsConfig.STATE_DIR_CONFIG, job.stateDir());
      // A 10,000-span workflow's graph is larger than the 1 MB default request; see largestGraphBytes.
      p.put(StreamsConfig.producerPrefix("max.request.size"), String.valueOf(64 * 1024 * 1024));
      p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, io.tracestitch.app.RocksDbMemoryBudget.class.getName());
      p.put(io.tracestitch.app.RocksDbMemoryBudget.BYTES_CONFIG, String.valueOf(io.tracestitch.app.RocksDbMemoryBudget.DEFAULT_BYTES));
      p.putAll(job.streamsOverrides());
      return p;
    }

    /**
     * Feeds the progress with the spans and events the stitcher has stored, read off its own counter
     * ({@code workflows.items_stored}) every millisecond; the run is over when all of them are stored. Counting them as
     * the item store's serializer saw them counted a workflow's shared open span item again at every rewrite
     * (2026-12-03 to 12-04: every group's spans counted as many times as groups joined it after them), so those runs
     * closed their window early; and spans now ride in the summary.
     */
    private Thread watchStoredItems() {
      Thread watch = new Thread(() -> {
        long seen = 0;
        while (!Thread.currentThread().isInterrupted()) {
          long stored = counters.get("workflows.items_stored");
          if (stored > seen) {
            progress.stored(stored - seen);
            seen = stored;
          }
          try {
            Thread.sleep(1);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "bench-stored-items");
      watch.setDaemon(true);
      watch.start();
      return watch;
    }

    private static int spanNodes(WorkflowGraph graph) {
      int n = 0;
      for (var node : graph.getNodes()) {
        if (node.getKind() == NodeKind.SPAN) {
          n++;
        }
      }
      return n;
    }

    private static String describe(Throwable t) {
      return t == null ? "" : "; stream thread failed: " + t;
    }
  }

  /** Start, pause and end marks of a run, set from the stream thread through the observed serdes. */
  static final class Progress {
    final AtomicLong items = new AtomicLong();
    final CountDownLatch phase = new CountDownLatch(1);
    final CountDownLatch done = new CountDownLatch(1);
    private final long target;
    private final long pauseAt;
    volatile long firstNanos;
    volatile long phaseNanos;
    volatile long doneNanos;
    volatile long secondFirstNanos;
    private volatile boolean secondArmed;

    Progress(long target, long pauseAt) {
      this.target = target;
      this.pauseAt = pauseAt;
    }

    void started() {
      if (firstNanos == 0) {
        firstNanos = System.nanoTime();
      }
      if (secondArmed && secondFirstNanos == 0) {
        secondFirstNanos = System.nanoTime();
      }
    }

    void armSecondPhase() {
      secondArmed = true;
    }

    void stored(long n) {
      long now = items.addAndGet(n);
      if (pauseAt > 0 && now >= pauseAt && phaseNanos == 0) {
        phaseNanos = System.nanoTime();
        phase.countDown();
      }
      if (target > 0 && now >= target && doneNanos == 0) {
        doneNanos = System.nanoTime();
        done.countDown();
      }
    }

    void abort() {
      phase.countDown();
      done.countDown();
    }
  }

  /** A serde whose serializer also tells {@code onSerialize} what it wrote. */
  static <T> Serde<T> observed(Serde<T> inner, BiConsumer<T, byte[]> onSerialize) {
    Serializer<T> serializer = new Serializer<>() {
      @Override
      public byte[] serialize(String topic, T data) {
        byte[] bytes = inner.serializer().serialize(topic, data);
        if (data != null) {
          onSerialize.accept(data, bytes);
        }
        return bytes;
      }

      @Override
      public byte[] serialize(String topic, org.apache.kafka.common.header.Headers headers, T data) {
        byte[] bytes = inner.serializer().serialize(topic, headers, data);
        if (data != null) {
          onSerialize.accept(data, bytes);
        }
        return bytes;
      }
    };
    Deserializer<T> deserializer = inner.deserializer();
    return Serdes.serdeFrom(serializer, deserializer);
  }

  /** Where the stream thread's time goes, by Kafka Streams' and the clients' own accounting. */
  private static final Set<String> LOOP_RATIOS = Set.of("process-ratio", "punctuate-ratio", "poll-ratio", "commit-ratio");
  private static final Set<String> LOOP_TOTALS = Set.of("blocked-time-ns-total", "txn-commit-time-ns-total",
      "txn-send-offsets-time-ns-total", "txn-begin-time-ns-total", "flush-time-ns-total", "commit-sync-time-ns-total",
      "committed-time-ns-total", "metadata-wait-time-ns-total", "bufferpool-wait-time-ns-total");

  /** The stream thread's loop metrics and the time totals of its producer and consumer, summed per name. */
  static Map<String, Double> loopMetrics(KafkaStreams streams) {
    Map<String, Double> out = new TreeMap<>();
    for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
      MetricName name = e.getKey();
      boolean ratio = "stream-thread-metrics".equals(name.group()) && LOOP_RATIOS.contains(name.name());
      boolean total = LOOP_TOTALS.contains(name.name()) && (name.group().startsWith("stream-thread")
          || name.tags().getOrDefault("client-id", "").contains("StreamThread"));
      if (ratio || total) {
        Object v = e.getValue().metricValue();
        if (v instanceof Number n && !Double.isNaN(n.doubleValue())) {
          out.merge(name.group().replace("-metrics", "") + "/" + name.name(), n.doubleValue(), Double::sum);
        }
      }
    }
    return out;
  }

  /** Ratios as read at the end (Kafka's recent-window averages); time totals as seconds spent within the window. */
  static Map<String, Object> loopDelta(Map<String, Double> before, Map<String, Double> after, double windowSeconds) {
    Map<String, Object> out = new TreeMap<>();
    after.forEach((k, v) -> {
      if (k.endsWith("-ns-total")) {
        double secs = (v - before.getOrDefault(k, 0.0)) / 1e9;
        out.put(k.replace("-ns-total", "-seconds"), secs);
        out.put(k.replace("-ns-total", "-share-of-window"), windowSeconds > 0 ? secs / windowSeconds : null);
      } else {
        out.put(k, v);
      }
    });
    return out;
  }

  private static final Set<String> STATE_METRICS = Set.of("live-sst-files-size", "total-sst-files-size",
      "cur-size-all-mem-tables", "estimate-num-keys", "block-cache-usage", "estimate-table-readers-mem");

  /** RocksDB's own size estimates, summed over tasks: per store and in total. */
  static Map<String, Object> stateMetrics(KafkaStreams streams) {
    Map<String, Map<String, Long>> byStore = new TreeMap<>();
    Map<String, Long> total = new TreeMap<>();
    for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
      MetricName name = e.getKey();
      if (!"stream-state-metrics".equals(name.group()) || !STATE_METRICS.contains(name.name())) {
        continue;
      }
      Object value = e.getValue().metricValue();
      if (!(value instanceof Number number)) {
        continue;
      }
      String store = name.tags().entrySet().stream().filter(t -> t.getKey().endsWith("-state-id"))
          .map(Map.Entry::getValue).findFirst().orElse("?");
      byStore.computeIfAbsent(store, k -> new TreeMap<>()).merge(name.name(), number.longValue(), Long::sum);
      total.merge(name.name(), number.longValue(), Long::sum);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("total", total);
    out.put("stores", byStore);
    // Live SST files hold what was flushed, memtables what was not: together, the store's data.
    out.put("dataBytes", total.getOrDefault("live-sst-files-size", 0L) + total.getOrDefault("cur-size-all-mem-tables", 0L));
    return out;
  }

  static long directoryBytes(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> {
        try {
          return Files.size(f);
        } catch (IOException e) {
          return 0; // a file RocksDB deleted while we walked
        }
      }).sum();
    } catch (IOException | java.io.UncheckedIOException e) {
      return -1;
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> paths = Files.walk(dir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
