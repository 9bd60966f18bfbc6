package io.tracestitch.topology;

import io.tracestitch.topology.alert.AlertSettings;
import io.tracestitch.topology.expect.Contracts;
import io.tracestitch.topology.expect.ExpectationSettings;
import io.tracestitch.topology.graph.DiagnosisSettings;
import io.tracestitch.topology.ingest.EventIdentitySettings;
import io.tracestitch.topology.ingest.SpanAttributeSettings;
import io.tracestitch.topology.ingest.SpanEncoding;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Everything the stitching topology needs to know, already validated. Built from the application's
 * configuration; tests build it directly with {@link #defaults()} and the {@code with...} methods.
 *
 * @param spansTopic the OTLP span topic the Collector's Kafka exporter writes
 * @param spanEncoding otlp_proto or otlp_json, as the exporter is configured
 * @param eventTopics business-event topics read read-only; ignored when {@code eventTopicPattern} is set
 * @param eventTopicPattern a regex of event topics, or null
 * @param graphsTopic where finished workflow graphs go
 * @param alertsTopic where grouped alerts go
 * @param deadLetterTopic where unusable input records go, unchanged, with reason headers
 * @param internalTopicPrefix prefix of the two topics the stitcher routes through (by trace, by workflow)
 * @param traceHold how long a trace whose workflow is unknown is held before it becomes a workflow of its own
 * @param inactivityGap how long a workflow must be quiet before it is published
 * @param maxDuration the latest a workflow is first published, however busy it stays
 * @param retention how long a published workflow stays in the stores to absorb late data
 * @param punctuationInterval how often the wall-clock punctuators look for due work
 * @param maxSpansPerWorkflow cap on stored spans and events per workflow; more are counted and dropped
 * @param maxSpansPerMessage cap on spans in one internal record, to stay under the broker's record size
 * @param clockSkewTolerance how far a child may start before its cause before the graph warns of skew
 * @param contracts declared expectations: which consumers must handle which events, by when
 * @param expectations how expectations are learned from traffic
 * @param alerts how findings become grouped alerts
 * @param republishAfterRestart under at-least-once, a crash can keep a "published" summary and lose the
 *     graph record sent with it; at task start, workflows published this close to the latest publication
 *     are published again (a duplicate at-least-once allows). Zero under exactly-once, where it cannot happen.
 * @param diagnosis how the findings that explain a workflow (ERROR_ORIGIN, REPEATED_CALLS, SLOW_STEP) are
 *     decided, and which of them page
 * @param publishUnrecorded whether a workflow whose telemetry was never recorded (NOT_SAMPLED: every event's
 *     context has the sampled flag off, no span arrived) is published; its graph would show nothing observed
 */
public record StitchSettings(
    String spansTopic,
    SpanEncoding spanEncoding,
    List<String> eventTopics,
    Pattern eventTopicPattern,
    String graphsTopic,
    String alertsTopic,
    String deadLetterTopic,
    String internalTopicPrefix,
    Duration traceHold,
    Duration inactivityGap,
    Duration maxDuration,
    Duration retention,
    Duration punctuationInterval,
    int maxSpansPerWorkflow,
    int maxSpansPerMessage,
    Duration clockSkewTolerance,
    SpanAttributeSettings spanAttributes,
    EventIdentitySettings eventIdentity,
    Contracts contracts,
    ExpectationSettings expectations,
    AlertSettings alerts,
    Duration republishAfterRestart,
    DiagnosisSettings diagnosis,
    boolean publishUnrecorded) {

  public StitchSettings {
    Objects.requireNonNull(spansTopic, "spansTopic");
    Objects.requireNonNull(spanEncoding, "spanEncoding");
    eventTopics = List.copyOf(eventTopics);
    requirePositive(traceHold, "traceHold");
    requirePositive(inactivityGap, "inactivityGap");
    requirePositive(maxDuration, "maxDuration");
    requirePositive(retention, "retention");
    requirePositive(punctuationInterval, "punctuationInterval");
    Objects.requireNonNull(diagnosis, "diagnosis");
    if (maxSpansPerWorkflow < 1 || maxSpansPerMessage < 1) {
      throw new IllegalArgumentException("maxSpansPerWorkflow and maxSpansPerMessage must be at least 1.");
    }
  }

  /** Without the choice for unrecorded workflows: they are not published (the default). */
  public StitchSettings(String spansTopic, SpanEncoding spanEncoding, List<String> eventTopics,
      Pattern eventTopicPattern, String graphsTopic, String alertsTopic, String deadLetterTopic,
      String internalTopicPrefix, Duration traceHold, Duration inactivityGap, Duration maxDuration,
      Duration retention, Duration punctuationInterval, int maxSpansPerWorkflow, int maxSpansPerMessage,
      Duration clockSkewTolerance, SpanAttributeSettings spanAttributes, EventIdentitySettings eventIdentity,
      Contracts contracts, ExpectationSettings expectations, AlertSettings alerts, Duration republishAfterRestart,
      DiagnosisSettings diagnosis) {
    this(spansTopic, spanEncoding, eventTopics, eventTopicPattern, graphsTopic, alertsTopic, deadLetterTopic,
        internalTopicPrefix, traceHold, inactivityGap, maxDuration, retention, punctuationInterval,
        maxSpansPerWorkflow, maxSpansPerMessage, clockSkewTolerance, spanAttributes, eventIdentity, contracts,
        expectations, alerts, republishAfterRestart, diagnosis, false);
  }

  public StitchSettings withPublishUnrecorded(boolean publish) {
    return new StitchSettings(spansTopic, spanEncoding, eventTopics, eventTopicPattern, graphsTopic, alertsTopic,
        deadLetterTopic, internalTopicPrefix, traceHold, inactivityGap, maxDuration, retention, punctuationInterval,
        maxSpansPerWorkflow, maxSpansPerMessage, clockSkewTolerance, spanAttributes, eventIdentity, contracts,
        expectations, alerts, republishAfterRestart, diagnosis, publish);
  }

  /** The defaults the README documents; see {@code TracestitchConfig} for why each is what it is. */
  public static StitchSettings defaults() {
    return new StitchSettings(
        "otlp_spans", SpanEncoding.OTLP_PROTO, List.of("order.created", "payment.authorized"), null,
        "workflow-graphs", "trace-alerts", "tracestitch-dlq", "tracestitch",
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(10), Duration.ofMinutes(10),
        Duration.ofMillis(500), 20_000, 200, Duration.ofMillis(100),
        SpanAttributeSettings.defaults(), EventIdentitySettings.defaults(), Contracts.NONE,
        ExpectationSettings.defaults(), AlertSettings.defaults(), Duration.ZERO, DiagnosisSettings.defaults());
  }

  public String byTraceTopic() {
    return internalTopicPrefix + "-by-trace";
  }

  public String byWorkflowTopic() {
    return internalTopicPrefix + "-by-workflow";
  }

  public String findingsTopic() {
    return internalTopicPrefix + "-findings";
  }

  public StitchSettings withEventTopics(List<String> topics) {
    return new StitchSettings(spansTopic, spanEncoding, topics, null, graphsTopic, alertsTopic,
        deadLetterTopic, internalTopicPrefix, traceHold, inactivityGap, maxDuration, retention,
        punctuationInterval, maxSpansPerWorkflow, maxSpansPerMessage, clockSkewTolerance, spanAttributes,
        eventIdentity, contracts, expectations, alerts, republishAfterRestart, diagnosis, publishUnrecorded);
  }

  public StitchSettings withEventTopicPattern(Pattern pattern) {
    return new StitchSettings(spansTopic, spanEncoding, List.of(), pattern, graphsTopic, alertsTopic,
        deadLetterTopic, internalTopicPrefix, traceHold, inactivityGap, maxDuration, retention,
        punctuationInterval, maxSpansPerWorkflow, maxSpansPerMessage, clockSkewTolerance, spanAttributes,
        eventIdentity, contracts, expectations, alerts, republishAfterRestart, diagnosis, publishUnrecorded);
  }

  public StitchSettings withSpanEncoding(SpanEncoding encoding) {
    return new StitchSettings(spansTopic, encoding, eventTopics, eventTopicPattern, graphsTopic, alertsTopic,
        deadLetterTopic, internalTopicPrefix, traceHold, inactivityGap, maxDuration, retention,
        punctuationInterval, maxSpansPerWorkflow, maxSpansPerMessage, clockSkewTolerance, spanAttributes,
        eventIdentity, contracts, expectations, alerts, republishAfterRestart, diagnosis, publishUnrecorded);
  }

  public StitchSettings withMaxSpansPerWorkflow(int cap) {
    return new StitchSettings(spansTopic, spanEncoding, eventTopics, eventTopicPattern, graphsTopic, alertsTopic,
        deadLetterTopic, internalTopicPrefix, traceHold, inactivityGap, maxDuration, retention,
        punctuationInterval, cap, maxSpansPerMessage, clockSkewTolerance, spanAttributes, eventIdentity, contracts,
        expectations, alerts, republishAfterRestart, diagnosis, publishUnrecorded);
  }

  public StitchSettings withTimes(Duration hold, Duration gap, Duration max, Duration keep) {
    return new StitchSettings(spansTopic, spanEncoding, eventTopics, eventTopicPattern, graphsTopic, alertsTopic,
        deadLetterTopic, internalTopicPrefix, hold, gap, max, keep, punctuationInterval, maxSpansPerWorkflow,
        maxSpansPerMessage, clockSkewTolerance, spanAttributes, eventIdentity, contracts, expectations, alerts,
        republishAfterRestart, diagnosis, publishUnrecorded);
  }

  public StitchSettings withContracts(Contracts declared) {
    return new StitchSettings(spansTopic, spanEncoding, eventTopics, eventTopicPattern, graphsTopic, alertsTopic,
        deadLetterTopic, internalTopicPrefix, traceHold, inactivityGap, maxDuration, retention, punctuationInterval,
        maxSpansPerWorkflow, maxSpansPerMessage, clockSkewTolerance, spanAttributes, eventIdentity, declared,
        expectations, alerts, republishAfterRestart, diagnosis, publishUnrecorded);
  }

  public StitchSettings withExpectations(ExpectationSettings learned) {
    return new StitchSettings(spansTopic, spanEncoding, eventTopics, eventTopicPattern, graphsTopic, alertsTopic,
        deadLetterTopic, internalTopicPrefix, traceHold, inactivityGap, maxDuration, retention, punctuationInterval,
        maxSpansPerWorkflow, maxSpansPerMessage, clockSkewTolerance, spanAttributes, eventIdentity, contracts,
        learned, alerts, republishAfterRestart, diagnosis, publishUnrecorded);
  }

  public StitchSettings withRepublishAfterRestart(Duration window) {
    return new StitchSettings(spansTopic, spanEncoding, eventTopics, eventTopicPattern, graphsTopic, alertsTopic,
        deadLetterTopic, internalTopicPrefix, traceHold, inactivityGap, maxDuration, retention, punctuationInterval,
        maxSpansPerWorkflow, maxSpansPerMessage, clockSkewTolerance, spanAttributes, eventIdentity, contracts,
        expectations, alerts, window, diagnosis, publishUnrecorded);
  }

  public StitchSettings withPunctuationInterval(Duration interval) {
    return new StitchSettings(spansTopic, spanEncoding, eventTopics, eventTopicPattern, graphsTopic, alertsTopic,
        deadLetterTopic, internalTopicPrefix, traceHold, inactivityGap, maxDuration, retention, interval,
        maxSpansPerWorkflow, maxSpansPerMessage, clockSkewTolerance, spanAttributes, eventIdentity, contracts,
        expectations, alerts, republishAfterRestart, diagnosis, publishUnrecorded);
  }

  public StitchSettings withAlerts(AlertSettings alerting) {
    return new StitchSettings(spansTopic, spanEncoding, eventTopics, eventTopicPattern, graphsTopic, alertsTopic,
        deadLetterTopic, internalTopicPrefix, traceHold, inactivityGap, maxDuration, retention, punctuationInterval,
        maxSpansPerWorkflow, maxSpansPerMessage, clockSkewTolerance, spanAttributes, eventIdentity, contracts,
        expectations, alerting, republishAfterRestart, diagnosis, publishUnrecorded);
  }

  public StitchSettings withDiagnosis(DiagnosisSettings findings) {
    return new StitchSettings(spansTopic, spanEncoding, eventTopics, eventTopicPattern, graphsTopic, alertsTopic,
        deadLetterTopic, internalTopicPrefix, traceHold, inactivityGap, maxDuration, retention, punctuationInterval,
        maxSpansPerWorkflow, maxSpansPerMessage, clockSkewTolerance, spanAttributes, eventIdentity, contracts,
        expectations, alerts, republishAfterRestart, findings, publishUnrecorded);
  }

  private static void requirePositive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration, but was " + d + ".");
    }
  }
}
