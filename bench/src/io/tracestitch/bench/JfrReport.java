package io.tracestitch.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Reads a JFR recording of the processor (the events {@code jfr print --events jdk.ExecutionSample}
 * and {@code jdk.NativeMethodSample} show) and condenses what the stream thread did: Java time by
 * library, by method (self and inclusive), its native calls, and what it allocated.
 *
 * <p>The two kinds of samples are kept apart: JFR samples up to five threads running Java code every
 * 10 ms but only one thread in native code every 20 ms (whichever it finds, idle ones included), so
 * counts of the two are not comparable. How the stream thread's CPU time divides between Java and
 * native comes from the per-thread CPU accounting next to the profile ({@link ThreadCpu}); the native
 * samples only say which native calls it was in.
 */
final class JfrReport {
  private static final int TOP = 25;

  private JfrReport() {}

  static ObjectNode analyze(ObjectMapper json, Path file) throws IOException {
    Map<String, Double> javaSelf = new HashMap<>();
    Map<String, Double> javaInclusive = new HashMap<>();
    Map<String, Double> javaByLibrary = new HashMap<>();
    Map<String, Double> nativeSelf = new HashMap<>();
    Map<String, Double> nativeCaller = new HashMap<>();
    Map<String, Double> javaByThread = new HashMap<>();
    Map<String, Double> allocByClass = new HashMap<>();
    Map<String, Double> allocBySite = new HashMap<>();
    Map<String, Double> byStage = new HashMap<>();
    double javaSamples = 0;
    double nativeSamples = 0;
    double allocTotal = 0;
    // Streamed, not readAllEvents: a minute of profile-level recording does not need to fit in the heap at once.
    try (RecordingFile recording = new RecordingFile(file)) {
      while (recording.hasMoreEvents()) {
        RecordedEvent e = recording.readEvent();
        String type = e.getEventType().getName();
        boolean java = type.equals("jdk.ExecutionSample");
        if (java || type.equals("jdk.NativeMethodSample")) {
          RecordedThread thread = e.getThread("sampledThread");
          String group = ThreadCpu.group(thread == null ? null : thread.getJavaName());
          if (java) {
            javaByThread.merge(group, 1.0, Double::sum);
          }
          if (!"stream thread".equals(group) || e.getStackTrace() == null || e.getStackTrace().getFrames().isEmpty()) {
            continue;
          }
          List<RecordedFrame> frames = e.getStackTrace().getFrames();
          if (java) {
            javaSamples++;
            javaSelf.merge(name(frames.get(0)), 1.0, Double::sum);
            javaByLibrary.merge(library(frames.get(0)), 1.0, Double::sum);
            byStage.merge(stage(frames) + " / " + operation(frames), 1.0, Double::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame f : frames) {
              String n = name(f);
              if (seen.add(n)) {
                javaInclusive.merge(n, 1.0, Double::sum);
              }
            }
          } else {
            nativeSamples++;
            nativeSelf.merge(name(frames.get(0)), 1.0, Double::sum);
            nativeCaller.merge(firstOf(frames, "io.tracestitch.", "org.apache.kafka.streams."), 1.0, Double::sum);
          }
        } else if (type.equals("jdk.ObjectAllocationSample")) {
          RecordedThread thread = e.getThread("eventThread");
          if (thread == null || !"stream thread".equals(ThreadCpu.group(thread.getJavaName()))) {
            continue;
          }
          double weight = e.getLong("weight");
          allocTotal += weight;
          RecordedClass cls = e.getClass("objectClass");
          allocByClass.merge(cls == null ? "?" : cls.getName(), weight, Double::sum);
          allocBySite.merge(site(e.getStackTrace()), weight, Double::sum);
        }
      }
    }
    ObjectNode out = json.createObjectNode();
    out.put("streamThreadJavaSamples", javaSamples);
    out.put("streamThreadNativeSamples", nativeSamples);
    out.set("javaSamplesByThread", top(json, javaByThread, javaByThread.values().stream().mapToDouble(d -> d).sum(), 10));
    out.set("streamThreadJavaByLibrary", top(json, javaByLibrary, javaSamples, 15));
    out.set("streamThreadJavaSelf", top(json, javaSelf, javaSamples, TOP));
    out.set("streamThreadJavaByStage", top(json, byStage, javaSamples, 40));
    // Inclusive Java time of our own code and of the Streams machinery around it: where a record's time goes.
    Map<String, Double> interesting = new HashMap<>();
    javaInclusive.forEach((k, v) -> {
      if (k.startsWith("io.tracestitch.") || k.startsWith("org.apache.kafka.streams.processor.internals.")
          || k.startsWith("org.apache.kafka.streams.state.internals.") || k.startsWith("org.apache.kafka.clients.")
          || k.startsWith("org.apache.avro.") || k.startsWith("com.google.protobuf.")) {
        interesting.put(k, v);
      }
    });
    out.set("streamThreadJavaInclusive", top(json, interesting, javaSamples, 45));
    out.set("streamThreadNativeSelf", top(json, nativeSelf, nativeSamples, 12));
    out.set("streamThreadNativeByCaller", top(json, nativeCaller, nativeSamples, 12));
    out.put("streamThreadAllocatedBytesSampled", allocTotal);
    out.set("allocationByClass", top(json, allocByClass, allocTotal, 15));
    out.set("allocationBySite", top(json, allocBySite, allocTotal, 15));
    return out;
  }

  /**
   * Which part of the topology (or of the Streams loop around it) a sample belongs to: the outermost
   * matching frame, so work a processor triggers downstream (a forward, a store write) counts where it
   * was caused. Order matters: more specific markers first.
   */
  private static final String[][] STAGES = {
      {"io.tracestitch.topology.ingest.SpanIngestProcessor.process", "span-ingest"},
      {"io.tracestitch.topology.ingest.EventIngestProcessor.process", "event-ingest"},
      {"io.tracestitch.topology.trace.TraceRouter.process", "trace-router: process"},
      {"io.tracestitch.topology.trace.TraceRouter.punctuate", "trace-router: punctuate"},
      {"io.tracestitch.topology.trace.TraceRouter.lambda$", "trace-router: punctuate"},
      {"io.tracestitch.topology.workflow.WorkflowStitcher.process", "workflow-stitcher: process"},
      {"io.tracestitch.topology.workflow.WorkflowStitcher.punctuate", "workflow-stitcher: punctuate"},
      {"io.tracestitch.topology.workflow.WorkflowStitcher.lambda$", "workflow-stitcher: punctuate"},
      {"io.tracestitch.topology.alert.AlertProcessor", "alerter"},
      {"org.apache.kafka.streams.processor.internals.RecordDeserializer", "reading input: deserialize"},
      {"org.apache.kafka.streams.processor.internals.RecordQueue", "reading input: queue"},
      {"org.apache.kafka.streams.processor.internals.TaskManager.commit", "commit"},
      {"org.apache.kafka.streams.processor.internals.TaskExecutor.commit", "commit"},
      {"org.apache.kafka.streams.processor.internals.StreamThread.maybeCommit", "commit"},
      {"org.apache.kafka.streams.processor.internals.StreamThread.pollRequests", "poll"},
      {"org.apache.kafka.streams.processor.internals.StreamThread.pollPhase", "poll"},
      {"org.apache.kafka.streams.processor.internals.SinkNode.process", "sink (pass-through)"},
  };

  /** What the sample was doing: the innermost matching frame. */
  private static final String[][] OPERATIONS = {
      {"org.apache.kafka.streams.state.internals.ChangeLoggingKeyValueBytesStore.log", "changelog record"},
      {"org.apache.kafka.streams.processor.internals.RecordCollectorImpl.send", "record to a topic"},
      {"org.rocksdb.", "RocksDB"},
      {"org.apache.kafka.streams.state.internals.RocksDB", "RocksDB"},
      {"io.tracestitch.serdes.AvroSingleObjectSerde", "Avro (de)serialization"},
      {"org.apache.avro.", "Avro (de)serialization"},
      {"io.tracestitch.topology.graph.", "graph assembly"},
      {"io.tracestitch.topology.ingest.ProtoRequestFormat", "protobuf parse"},
      {"com.google.protobuf.", "protobuf parse"},
      {"io.tracestitch.topology.ingest.SpanConverter", "span conversion"},
      {"io.tracestitch.topology.ingest.", "ingest logic"},
      {"io.tracestitch.topology.DueIndex", "deadline index"},
      {"io.tracestitch.", "tracestitch logic"},
      {"org.apache.kafka.clients.consumer.", "consumer"},
      {"org.apache.kafka.clients.producer.", "producer"},
  };

  private static String stage(List<RecordedFrame> frames) {
    for (int i = frames.size() - 1; i >= 0; i--) {
      String n = name(frames.get(i));
      for (String[] s : STAGES) {
        if (n.startsWith(s[0])) {
          return s[1];
        }
      }
    }
    return "other Streams work";
  }

  private static String operation(List<RecordedFrame> frames) {
    for (RecordedFrame f : frames) {
      String n = name(f);
      for (String[] o : OPERATIONS) {
        if (n.startsWith(o[0])) {
          return o[1];
        }
      }
    }
    return "rest";
  }

  /** The innermost frame from one of the packages, as method name, to say who made a native call. */
  private static String firstOf(List<RecordedFrame> frames, String... packages) {
    for (RecordedFrame f : frames) {
      String n = name(f);
      for (String p : packages) {
        if (n.startsWith(p)) {
          return n;
        }
      }
    }
    return name(frames.get(frames.size() - 1));
  }

  private static ArrayNode top(ObjectMapper json, Map<String, Double> counts, double total, int n) {
    ArrayNode a = json.createArrayNode();
    counts.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(n)
        .forEach(en -> {
          ObjectNode o = a.addObject();
          o.put("name", en.getKey());
          o.put("weight", en.getValue());
          o.put("percent", total == 0 ? 0 : 100.0 * en.getValue() / total);
        });
    return a;
  }

  private static String library(RecordedFrame frame) {
    String type = frame.getMethod() == null ? "" : frame.getMethod().getType().getName();
    Map<String, String> prefixes = new LinkedHashMap<>();
    prefixes.put("org.rocksdb.", "RocksDB (JNI)");
    prefixes.put("org.apache.avro.", "Avro");
    prefixes.put("com.google.protobuf.", "Protobuf");
    prefixes.put("io.opentelemetry.proto.", "Protobuf");
    prefixes.put("io.opentelemetry.", "OpenTelemetry API");
    prefixes.put("io.tracestitch.", "tracestitch");
    prefixes.put("org.apache.kafka.streams.", "Kafka Streams");
    prefixes.put("org.apache.kafka.", "Kafka clients");
    prefixes.put("com.fasterxml.jackson.", "Jackson");
    prefixes.put("java.util.regex.", "JDK regex");
    prefixes.put("java.util.", "JDK collections");
    prefixes.put("java.lang.String", "JDK strings");
    prefixes.put("java.lang.", "JDK lang");
    prefixes.put("jdk.", "JDK internal");
    prefixes.put("sun.", "JDK internal");
    prefixes.put("java.", "JDK other");
    for (Map.Entry<String, String> p : prefixes.entrySet()) {
      if (type.startsWith(p.getKey())) {
        return p.getValue();
      }
    }
    return type.isEmpty() ? "?" : "other (" + type.replaceAll("\\.[^.]*$", "") + ")";
  }

  /** The allocating line that is ours if any: the first tracestitch frame, else the allocating frame itself. */
  private static String site(RecordedStackTrace stack) {
    if (stack == null || stack.getFrames().isEmpty()) {
      return "?";
    }
    for (RecordedFrame f : stack.getFrames()) {
      if (f.getMethod() != null && f.getMethod().getType().getName().startsWith("io.tracestitch.")) {
        return name(f) + ":" + f.getLineNumber();
      }
    }
    return name(stack.getFrames().get(0));
  }

  private static String name(RecordedFrame frame) {
    RecordedMethod m = frame.getMethod();
    return m == null ? "?" : m.getType().getName() + "." + m.getName();
  }
}
