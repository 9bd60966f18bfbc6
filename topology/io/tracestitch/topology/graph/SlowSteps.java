package io.tracestitch.topology.graph;

import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.GraphFinding;
import io.tracestitch.topology.steps.StepBaseline;
import io.tracestitch.topology.steps.StepSample;
import io.tracestitch.topology.steps.StepUsual;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * SLOW_STEP: a step on the critical path that took far longer than it usually does, "slow only sometimes".
 *
 * <p>A step is a span's service, kind and name, or for a span that handled an event, its consumer and the event
 * name. Its usual time is learned ({@link StepBaseline}); a step seen too rarely is not judged. Far above usual
 * means at least {@code factor} times its median, at least {@code minExcess} more than it, and beyond what its own
 * spread allows: six times the log-distance from the median to the upper quartile, about four standard deviations
 * of a log-normal step, estimated from the quartile so that a minority of slow runs does not raise the bar. A step
 * that is always slow has a slow median and is never far above it.
 *
 * <p>Failed spans are not judged (how long a failure took is not the step's time), nor spans whose slowness a
 * slower step below them, a failing call below them or their own repeated calls explain (at least half of the
 * excess): one finding per cause.
 */
final class SlowSteps {
  /** ln(p75/p50) is 0.674 standard deviations of a log-normal; six of those are about four. */
  private static final double QUARTILE_DISTANCES = 6;

  private SlowSteps() {}

  /** A step of a workflow, keyed for the learned table. */
  record Step(String key, String name, String service, String consumer, String eventName, String operation) {}

  private record Slow(SpanView span, Step step, long micros, StepUsual usual, double usualMicros,
      double thresholdMicros) {
    double excessMicros() {
      return micros - usualMicros;
    }
  }

  static Step stepOf(SpanView s, Map<String, String> eventOfAttempt) {
    if (s.consumes()) {
      String event = eventOfAttempt.get(s.nodeId());
      if (event == null) {
        event = s.span().getEventName() != null ? s.span().getEventName()
            : s.span().getMessaging() != null && s.span().getMessaging().getDestination() != null
                ? s.span().getMessaging().getDestination() : s.span().getName();
      }
      String consumer = s.consumer();
      return new Step("consume\u0000" + consumer + "\u0000" + event, consumer + " handling " + event,
          s.span().getService(), consumer, event, "handling " + event);
    }
    return new Step("span\u0000" + s.span().getService() + "\u0000" + s.span().getKind().name() + "\u0000"
        + s.span().getName(), s.span().getService() + " " + s.span().getName(), s.span().getService(), null, null,
        s.span().getName());
  }

  /** What a published workflow teaches: every step that did not fail, with its time. */
  static List<StepSample> samples(SpanTree tree, Map<String, String> eventOfAttempt) {
    List<StepSample> samples = new ArrayList<>();
    for (SpanView s : tree.spans()) {
      long nanos = s.span().getEndNanos() - s.span().getStartNanos();
      if (!s.failed() && nanos >= 0) {
        Step step = stepOf(s, eventOfAttempt);
        samples.add(new StepSample(step.key(), step.name(), nanos / 1000));
      }
    }
    return samples;
  }

  /**
   * @param explainedMicros time below a span already explained by another finding (its failing chain, its
   *     repeated calls), by node id
   */
  static List<GraphFinding> find(SpanTree tree, CriticalSpans critical, StepBaseline baseline,
      Map<String, String> eventOfAttempt, Map<String, Long> explainedMicros, DiagnosisSettings settings, long nowMs) {
    List<Slow> slow = new ArrayList<>();
    for (SpanView s : tree.spans()) {
      if (s.failed() || !critical.contains(s.nodeId())) {
        continue;
      }
      Step step = stepOf(s, eventOfAttempt);
      Optional<StepUsual> usual = baseline.usual(step.key(), nowMs);
      if (usual.isEmpty()) {
        continue;
      }
      long micros = (s.span().getEndNanos() - s.span().getStartNanos()) / 1000;
      double median = usual.get().medianMicros();
      double quartile = Math.max(median, usual.get().upperQuartileMicros());
      double spread = median > 0 ? Math.pow(quartile / median, QUARTILE_DISTANCES) : 1;
      double threshold = median * Math.max(settings.slowStepFactor(), spread);
      if (micros >= threshold && micros - median >= settings.slowStepMinExcess().toNanos() / 1000.0) {
        slow.add(new Slow(s, step, micros, usual.get(), median, threshold));
      }
    }
    List<GraphFinding> findings = new ArrayList<>();
    for (Slow candidate : slow) {
      if (!explainedBelow(candidate, slow, tree, explainedMicros)) {
        findings.add(finding(candidate, critical));
      }
    }
    return findings;
  }

  private static boolean explainedBelow(Slow candidate, List<Slow> slow, SpanTree tree,
      Map<String, Long> explainedMicros) {
    double half = candidate.excessMicros() / 2;
    for (Slow other : slow) {
      if (other != candidate && other.excessMicros() >= half && tree.within(other.span(), candidate.span())) {
        return true;
      }
    }
    for (Map.Entry<String, Long> explained : explainedMicros.entrySet()) {
      SpanView below = tree.span(explained.getKey());
      if (below != null && explained.getValue() >= half && tree.within(below, candidate.span())) {
        return true;
      }
    }
    return false;
  }

  private static GraphFinding finding(Slow slow, CriticalSpans critical) {
    long ms = slow.micros() / 1000;
    long usualMs = Math.round(slow.usualMicros() / 1000);
    double p99 = slow.usual().histogram().quantileBelowMicros(0.99, slow.thresholdMicros());
    double share = critical.lengthMs() <= 0 ? 0 : Math.min(1, slow.excessMicros() / 1000 / critical.lengthMs());
    String detail = slow.step().name() + " took " + DurationText.of(ms) + ", usually " + micros(slow.usualMicros())
        + " (p99 " + micros(p99) + "): " + DurationText.of(Math.round(slow.excessMicros() / 1000)) + " more, "
        + DurationText.percent(share) + " of the critical path (" + DurationText.of(critical.lengthMs()) + ").";
    Step step = slow.step();
    return GraphFinding.newBuilder().setKind(AlertKind.SLOW_STEP).setService(step.service())
        .setConsumer(step.consumer()).setEventName(step.eventName()).setNodeId(slow.span().nodeId())
        .setOperation(step.operation()).setNodeIds(List.of(slow.span().nodeId())).setDurationMs(ms)
        .setUsualMs(usualMs).setUsualP99Ms(Math.round(p99 / 1000)).setShare(share).setDetail(detail).build();
  }

  private static String micros(double micros) {
    return micros < 1000 ? String.format(Locale.ROOT, "%.1f ms", micros / 1000) : DurationText.of(Math.round(micros / 1000));
  }
}
