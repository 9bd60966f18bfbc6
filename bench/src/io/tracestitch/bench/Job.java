package io.tracestitch.bench;

import io.tracestitch.topology.StitchSettings;
import io.tracestitch.topology.ingest.SpanEncoding;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One processor run, as the harness asks the processor JVM for it (sent as one JSON line).
 *
 * @param id application id, prefix of every topic the run writes, and name of its state directory
 * @param kind {@code stitch} (the tracestitch topology) or {@code pass} (read bytes, write bytes)
 * @param exactlyOnce processing.guarantee exactly_once_v2 rather than at_least_once
 * @param expectItems when the run is over: spans plus events stored by the workflow-stitcher (stitch), or
 *     records written (pass)
 * @param expectSpans OTLP spans in the input, for spans per second
 * @param pauseAtItems if above 0, a two-phase run: pause once this many items are stored, say so, and go
 *     on when told to (the open-workflows run fills its workflows, then measures on top of them)
 * @param settleDueBeforeMs if above 0, before pausing, also wait until the trace-router has worked off every
 *     deadline before this record time (the trace holds of the fill phase), so that bookkeeping, which
 *     depends on how many traces are new and not on how many are open, stays out of the measured phase
 * @param expectWorkflows if above 0, after the measurement wait (untimed) until this many workflows have complete
 *     graphs (all expectSpans spans in their latest revisions)
 * @param waitExpiry and until that many have been removed from the stores again (retention run out)
 * @param live the latency run: no target, runs until told to stop
 * @param jfrFile if not null, a JFR recording of the measured window is written there
 * @param streamsOverrides Kafka Streams settings an experiment changes; empty for the product's own
 */
record Job(
    String id,
    String kind,
    boolean exactlyOnce,
    String spansTopic,
    List<String> eventTopics,
    int partitions,
    long commitMs,
    long gapMs,
    long holdMs,
    long maxDurationMs,
    long retentionMs,
    long punctuationMs,
    long expectItems,
    long expectSpans,
    long pauseAtItems,
    long settleDueBeforeMs,
    int expectWorkflows,
    long graphWaitMs,
    boolean waitExpiry,
    boolean live,
    String jfrFile,
    long timeoutMs,
    String stateDir,
    Map<String, String> streamsOverrides) {

  boolean stitch() {
    return "stitch".equals(kind);
  }

  /**
   * The product's defaults except the times the run chooses, and topic names of the run's own, so runs
   * sharing the broker never read each other's routing records.
   */
  StitchSettings settings() {
    Map<String, Object> changes = new LinkedHashMap<>();
    changes.put("spansTopic", spansTopic);
    changes.put("spanEncoding", SpanEncoding.OTLP_PROTO);
    changes.put("eventTopics", eventTopics);
    changes.put("graphsTopic", graphsTopic());
    changes.put("alertsTopic", alertsTopic());
    changes.put("deadLetterTopic", deadLetterTopic());
    changes.put("internalTopicPrefix", id);
    changes.put("traceHold", Duration.ofMillis(holdMs));
    changes.put("inactivityGap", Duration.ofMillis(gapMs));
    changes.put("maxDuration", Duration.ofMillis(maxDurationMs));
    changes.put("retention", Duration.ofMillis(retentionMs));
    changes.put("punctuationInterval", Duration.ofMillis(punctuationMs));
    return with(StitchSettings.defaults(), changes);
  }

  /**
   * A copy of a record with some components replaced, by name. StitchSettings gains components as the
   * product grows; going through its components keeps the product's default for everything the
   * benchmark does not set, and a renamed component fails here, loudly, instead of silently.
   */
  @SuppressWarnings("unchecked")
  static <R extends Record> R with(R base, Map<String, Object> changes) {
    RecordComponent[] components = base.getClass().getRecordComponents();
    Object[] values = new Object[components.length];
    Class<?>[] types = new Class<?>[components.length];
    Set<String> unused = new HashSet<>(changes.keySet());
    try {
      for (int i = 0; i < components.length; i++) {
        String name = components[i].getName();
        types[i] = components[i].getType();
        values[i] = unused.remove(name) ? changes.get(name) : components[i].getAccessor().invoke(base);
      }
      if (!unused.isEmpty()) {
        throw new IllegalStateException(base.getClass().getSimpleName() + " has no component(s) " + unused);
      }
      return (R) base.getClass().getDeclaredConstructor(types).newInstance(values);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Cannot build " + base.getClass().getSimpleName() + ": " + e, e);
    }
  }

  String graphsTopic() {
    return id + "-graphs";
  }

  String alertsTopic() {
    return id + "-alerts";
  }

  String deadLetterTopic() {
    return id + "-dlq";
  }

  String passOutputTopic() {
    return id + "-out";
  }
}
