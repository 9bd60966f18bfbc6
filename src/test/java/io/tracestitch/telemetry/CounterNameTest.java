package io.tracestitch.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.Attributes;
import org.junit.jupiter.api.Test;

class CounterNameTest {

  @Test
  void shouldGroupTheStitchCountersIntoMetricsWithAttributes() {
    assertThat(CounterName.of("otlp_spans|DEAD_LETTERED")).isEqualTo(new CounterName(CounterName.INPUT_RECORDS,
        Attributes.of(CounterName.TOPIC, "otlp_spans", CounterName.OUTCOME, "dead_lettered")));
    assertThat(CounterName.of("orders|v2|IN")).as("a topic name may hold a bar; the outcome is after the last")
        .isEqualTo(new CounterName(CounterName.INPUT_RECORDS,
            Attributes.of(CounterName.TOPIC, "orders|v2", CounterName.OUTCOME, "in")));
    assertThat(CounterName.of("workflows.merged_moves"))
        .isEqualTo(new CounterName(CounterName.WORKFLOWS, Attributes.of(CounterName.EVENT, "merged_moves")));
    assertThat(CounterName.of("spans.attributes_truncated"))
        .isEqualTo(new CounterName(CounterName.SPANS, Attributes.of(CounterName.EVENT, "attributes_truncated")));
    assertThat(CounterName.of("alerts.stalled_branch.resolve")).isEqualTo(new CounterName(CounterName.ALERTS_SENT,
        Attributes.of(CounterName.KIND, "stalled_branch", CounterName.ACTION, "resolve")));
    assertThat(CounterName.of("alerts.suppressed_catching_up")).isEqualTo(new CounterName(
        CounterName.ALERTS_SUPPRESSED, Attributes.of(CounterName.REASON, "catching_up")));
    assertThat(CounterName.of("failures.processing.app-by-trace.v2")).as("the topic may hold dots; the stage may not")
        .isEqualTo(new CounterName(CounterName.FAILURES,
            Attributes.of(CounterName.STAGE, "processing", CounterName.WHERE, "app-by-trace.v2")));
    assertThat(CounterName.of("failures.stream_thread.gave_up")).isEqualTo(new CounterName(CounterName.FAILURES,
        Attributes.of(CounterName.STAGE, "stream_thread", CounterName.WHERE, "gave_up")));
    assertThat(CounterName.of("something.new")).as("unknown names still show")
        .isEqualTo(new CounterName(CounterName.OTHER, Attributes.of(CounterName.NAME, "something.new")));
  }
}
