package io.tracestitch.topology.graph;

import io.tracestitch.avro.TelemetryState;
import java.util.Collection;
import java.util.Set;

/**
 * What a workflow's telemetry shows, and which missing branches are telemetry loss rather than stalls.
 *
 * <p>The rule. An event whose context says "sampled" promises spans around it: the producer span it names, and
 * the consumer spans that handle it. When <em>neither</em> the producer span nor any consumer span of that event
 * arrived, the trace was not recorded after all (tail sampling in the Collector dropped it, an exporter dropped
 * it, or the services around it are not instrumented): the event is <em>unrecorded</em>, its expected branches
 * are marked {@code telemetryMissing} and do not page, and the workflow's telemetry is {@link TelemetryState#PARTIAL}.
 * When the producer span did arrive, the trace was kept, so a consumer that left no span is missing for real:
 * its branch is PENDING and, past its deadline, a stall that pages as before. Tail samplers decide per trace,
 * which is why the producer span is the witness: it is kept or dropped together with the consumer spans of its
 * trace. Whether the consumer's spans arrive for <em>other</em> workflows is no witness of whether this trace was
 * kept: under tail sampling the kept share keeps every consumer visible while most traces vanish whole. (A kept
 * trace whose consumer left no span, because its instrumentation was switched off, is judged later, by the alert
 * stage, from the consumer group's offsets.) A workflow whose events all carry a context with the sampled flag off,
 * and for which no span arrived, was never recorded at all: {@link TelemetryState#NOT_SAMPLED}.
 */
public final class TelemetryCoverage {
  private TelemetryCoverage() {}

  /**
   * Whether a sampled event's surroundings were lost.
   *
   * @param sampled the event carries a trace context with the sampled flag on
   * @param producerSpanArrived the span the event's context names is in the workflow
   * @param consumedBySomeSpan some consumer span handled the event (any consumer, any attempt)
   */
  public static boolean unrecorded(boolean sampled, boolean producerSpanArrived, boolean consumedBySomeSpan) {
    return sampled && !producerSpanArrived && !consumedBySomeSpan;
  }

  /**
   * The workflow's telemetry state.
   *
   * @param spanCount spans that arrived for the workflow
   * @param contexts the sampled flag of each event delivery that carries a trace context; an event without a
   *     context says nothing about sampling
   * @param eventsWithoutContext event deliveries that carry no trace context
   * @param unrecordedEvents ids of sampled events whose surroundings were lost ({@link #unrecorded})
   */
  public static TelemetryState state(int spanCount, Collection<Boolean> contexts, int eventsWithoutContext,
      Set<String> unrecordedEvents) {
    if (spanCount == 0 && eventsWithoutContext == 0 && !contexts.isEmpty()
        && contexts.stream().noneMatch(Boolean::booleanValue)) {
      return TelemetryState.NOT_SAMPLED;
    }
    return unrecordedEvents.isEmpty() ? TelemetryState.RECORDED : TelemetryState.PARTIAL;
  }
}
