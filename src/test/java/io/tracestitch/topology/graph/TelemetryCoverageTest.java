package io.tracestitch.topology.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.TelemetryState;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rule that tells lost telemetry from a missing consumer, at its boundaries. */
class TelemetryCoverageTest {

  @Test
  void aSampledEventWithNeitherItsProducerSpanNorAnyConsumerSpanWasNotRecorded() {
    assertThat(TelemetryCoverage.unrecorded(true, false, false)).isTrue();
  }

  @Test
  void itsProducerSpanArrivingMakesAMissingConsumerAStall() {
    assertThat(TelemetryCoverage.unrecorded(true, true, false)).isFalse();
  }

  @Test
  void anyConsumerSpanArrivingMakesTheOtherMissingConsumersStalls() {
    assertThat(TelemetryCoverage.unrecorded(true, false, true)).isFalse();
  }

  @Test
  void anUnsampledEventPromisedNoSpansSoNothingWasLost() {
    assertThat(TelemetryCoverage.unrecorded(false, false, false)).isFalse();
  }

  @Test
  void onlyUnsampledContextsAndNoSpansIsNotSampled() {
    assertThat(TelemetryCoverage.state(0, List.of(false, false), 0, Set.of())).isEqualTo(TelemetryState.NOT_SAMPLED);
  }

  @Test
  void aSpanOrASampledContextOrAContextFreeEventIsNotNotSampled() {
    assertThat(TelemetryCoverage.state(1, List.of(false), 0, Set.of())).isEqualTo(TelemetryState.RECORDED);
    assertThat(TelemetryCoverage.state(0, List.of(false, true), 0, Set.of())).isEqualTo(TelemetryState.RECORDED);
    assertThat(TelemetryCoverage.state(0, List.of(false), 1, Set.of())).isEqualTo(TelemetryState.RECORDED);
    assertThat(TelemetryCoverage.state(0, List.of(), 1, Set.of())).isEqualTo(TelemetryState.RECORDED);
  }

  @Test
  void anUnrecordedSampledEventMakesTheWorkflowPartial() {
    assertThat(TelemetryCoverage.state(0, List.of(true), 0, Set.of("evt-1"))).isEqualTo(TelemetryState.PARTIAL);
    assertThat(TelemetryCoverage.state(3, List.of(true, true), 0, Set.of("evt-2"))).isEqualTo(TelemetryState.PARTIAL);
  }
}
