package io.tracestitch.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.tracestitch.avro.GraphFinding;
import io.tracestitch.avro.GraphNode;
import io.tracestitch.avro.NodeKind;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.topology.workflow.GraphListener;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Per published graph: how many spans it has, its findings by kind (first publication only), and how long
 * after its last span ended it was published (the stitch latency: export delay, Collector batching, Kafka, the inactivity gap and
 * our own processing). Runs on the stream thread: recording into a histogram never blocks.
 */
final class GraphMetrics implements GraphListener {
  static final String SPANS_PER_WORKFLOW = "tracestitch.workflow.spans";
  static final String STITCH_LATENCY = "tracestitch.stitch.latency";
  static final String FINDINGS = "tracestitch.workflow.findings";
  static final AttributeKey<String> PUBLISH_REASON = AttributeKey.stringKey("publish_reason");
  static final AttributeKey<String> KIND = AttributeKey.stringKey("kind");

  private final LongHistogram spans;
  private final DoubleHistogram latency;
  private final LongCounter findings;

  GraphMetrics(Meter meter) {
    this.spans = meter.histogramBuilder(SPANS_PER_WORKFLOW).ofLongs().setUnit("{span}")
        .setDescription("Spans in each published workflow graph, by publish reason (late_data: a later revision).")
        .setExplicitBucketBoundariesAdvice(List.of(1L, 2L, 5L, 10L, 20L, 50L, 100L, 200L, 500L, 1_000L, 2_000L,
            5_000L, 10_000L, 20_000L))
        .build();
    this.latency = meter.histogramBuilder(STITCH_LATENCY).setUnit("s")
        .setDescription("From the end of a workflow's last span to the publication of its graph, by publish reason.")
        .setExplicitBucketBoundariesAdvice(List.of(1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 45.0, 60.0, 90.0, 120.0, 300.0,
            600.0, 1_200.0, 3_600.0))
        .build();
    this.findings = meter.counterBuilder(FINDINGS).setUnit("{finding}")
        .setDescription("Findings of each kind in the first publication of each workflow graph (allFindings: the "
            + "paging kinds and ERROR_ORIGIN, REPEATED_CALLS, SLOW_STEP).")
        .build();
  }

  @Override
  public void published(WorkflowGraph graph, long nowMs) {
    Attributes attributes = Attributes.of(PUBLISH_REASON, graph.getPublishReason().name().toLowerCase(Locale.ROOT));
    long spanCount = 0;
    OptionalLong lastSpanEnd = OptionalLong.empty();
    for (GraphNode node : graph.getNodes()) {
      if (node.getKind() == NodeKind.SPAN) {
        spanCount++;
        if (node.getEndMs() != null && (lastSpanEnd.isEmpty() || node.getEndMs() > lastSpanEnd.getAsLong())) {
          lastSpanEnd = OptionalLong.of(node.getEndMs());
        }
      }
    }
    spans.record(spanCount, attributes);
    // Counted once per workflow: a later revision shows mostly the same findings again.
    if (graph.getRevision() == 1) {
      for (GraphFinding finding : graph.getAllFindings()) {
        findings.add(1, Attributes.of(KIND, finding.getKind().name().toLowerCase(Locale.ROOT)));
      }
    }
    // A workflow of events alone has no span to measure from.
    if (lastSpanEnd.isPresent()) {
      latency.record(Math.max(0, nowMs - lastSpanEnd.getAsLong()) / 1000.0, attributes);
    }
  }
}
