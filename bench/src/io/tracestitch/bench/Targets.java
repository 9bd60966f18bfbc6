package io.tracestitch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/** The targets of issues 6 and 15, judged against this run's own numbers. */
final class Targets {
  private Targets() {}

  static ArrayNode evaluate(ObjectMapper json, JsonNode r) {
    ArrayNode targets = json.createArrayNode();

    JsonNode eos = r.path("throughput").path("exactlyOnce");
    ratioTarget(targets.addObject(), "stitching throughput ÷ pass-through, exactly-once on", 0.5,
        eos.path("ratio"), String.format(Locale.ROOT, "stitching %,.0f spans/s ÷ pass-through %,.0f spans/s (median)",
            eos.path("stitchSpansPerSecond").asDouble(), eos.path("passThroughSpansPerSecondMedian").asDouble()));

    // Issue 15: the bill a user's Kafka cluster pays, from the end offsets of every topic the run wrote.
    JsonNode written = eos.path("stitch").path("recordsWritten");
    ObjectNode w = targets.addObject();
    w.put("name", "records written to Kafka per input span, all topics, exactly-once on");
    w.put("target", "≤ 1.0");
    if (written.path("totalPerSpan").isNumber()) {
      double perSpan = written.path("totalPerSpan").asDouble();
      w.put("measured", round(perSpan));
      w.put("met", perSpan <= 1.0);
      if (perSpan > 1.0) {
        w.put("missedBy", String.format(Locale.ROOT, "%.3f (%.0f%% over the target)", perSpan - 1.0,
            100 * (perSpan - 1.0)));
      }
      w.put("basis", "routing topics, changelogs, graphs and findings of the exactly-once throughput run, "
          + "transaction markers included; largest: " + largestTopics(written));
    } else {
      w.put("measured", (String) null);
      w.put("met", false);
      w.put("missedBy", "not measured");
    }

    JsonNode sizes = r.path("traceSize");
    if (sizes.size() >= 2) {
      JsonNode small = sizes.get(0);
      JsonNode large = sizes.get(sizes.size() - 1);
      double ratio = large.path("stitch").path("spansPerSecond").asDouble() / small.path("stitch").path("spansPerSecond").asDouble();
      ObjectNode t = targets.addObject();
      ratioTarget(t, "spans/s at 10,000-span workflows ÷ at 10-span", 0.8, json.getNodeFactory().numberNode(ratio),
          String.format(Locale.ROOT, "%,d-span %,.0f spans/s ÷ %,d-span %,.0f spans/s",
              large.path("spansPerWorkflow").asInt(), large.path("stitch").path("spansPerSecond").asDouble(),
              small.path("spansPerWorkflow").asInt(), small.path("stitch").path("spansPerSecond").asDouble()));
      if (large.path("spansPerWorkflow").asInt() < 10_000) {
        t.put("partial", "largest size measured is " + large.path("spansPerWorkflow").asInt()
            + " spans (quick mode); the full mode measures 10,000");
      }
    } else {
      missing(targets.addObject(), "spans/s at 10,000-span workflows ÷ at 10-span", 0.8);
    }

    JsonNode open = r.path("openWorkflows");
    if (open.size() >= 2) {
      JsonNode small = open.get(0);
      JsonNode large = open.get(open.size() - 1);
      double ratio = large.path("stitch").path("spansPerSecond").asDouble() / small.path("stitch").path("spansPerSecond").asDouble();
      ObjectNode t = targets.addObject();
      ratioTarget(t, "spans/s at 1M open workflows ÷ at 10k", 0.8, json.getNodeFactory().numberNode(ratio),
          String.format(Locale.ROOT, "%,d open %,.0f spans/s ÷ %,d open %,.0f spans/s",
              large.path("openWorkflows").asInt(), large.path("stitch").path("spansPerSecond").asDouble(),
              small.path("openWorkflows").asInt(), small.path("stitch").path("spansPerSecond").asDouble()));
      if (large.path("openWorkflows").asInt() < 1_000_000) {
        t.put("partial", "largest measured is " + large.path("openWorkflows").asInt()
            + " open workflows (quick mode); the full mode measures 1,000,000");
      }
    } else {
      missing(targets.addObject(), "spans/s at 1M open workflows ÷ at 10k", 0.8);
    }

    JsonNode lat = r.path("latency");
    ObjectNode t = targets.addObject();
    t.put("name", "p99 stitch latency ≤ inactivity gap + 2 s");
    if (lat.path("p99Ms").isNumber()) {
      long bound = lat.path("inactivityGapMs").asLong() + 2_000;
      long p99 = lat.path("p99Ms").asLong();
      t.put("target", bound + " ms");
      t.put("measured", p99 + " ms");
      t.put("met", p99 <= bound);
      if (p99 > bound) {
        t.put("missedBy", (p99 - bound) + " ms (" + String.format(Locale.ROOT, "%.0f%%", 100.0 * (p99 - bound) / bound)
            + " over)");
      }
      t.put("basis", String.format(Locale.ROOT, "p50 %d ms, p99 %d ms over %d workflows, gap %d ms",
          lat.path("p50Ms").asLong(), p99, lat.path("workflowsWithCompleteGraph").asLong(),
          lat.path("inactivityGapMs").asLong()));
    } else {
      t.put("target", "gap + 2000 ms");
      t.put("measured", (String) null);
      t.put("met", false);
      t.put("missedBy", "not measured");
    }
    return targets;
  }

  private static void ratioTarget(ObjectNode t, String name, double target, JsonNode measured, String basis) {
    t.put("name", name);
    t.put("target", "≥ " + target);
    if (!measured.isNumber() || Double.isNaN(measured.asDouble())) {
      t.put("measured", (String) null);
      t.put("met", false);
      t.put("missedBy", "not measured");
      return;
    }
    double m = measured.asDouble();
    t.put("measured", round(m));
    t.put("met", m >= target);
    if (m < target) {
      t.put("missedBy", String.format(Locale.ROOT, "%.3f (%.0f%% below the target)", target - m,
          100 * (target - m) / target));
    }
    t.put("basis", basis);
  }

  private static String largestTopics(JsonNode written) {
    java.util.List<java.util.Map.Entry<String, Double>> perTopic = new java.util.ArrayList<>();
    written.fields().forEachRemaining(e -> {
      if (e.getValue().has("perSpan")) {
        perTopic.add(java.util.Map.entry(e.getKey(), e.getValue().path("perSpan").asDouble()));
      }
    });
    perTopic.sort(java.util.Map.Entry.<String, Double>comparingByValue().reversed());
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < Math.min(3, perTopic.size()); i++) {
      b.append(i == 0 ? "" : ", ").append(perTopic.get(i).getKey())
          .append(String.format(Locale.ROOT, " %.2f", perTopic.get(i).getValue()));
    }
    return b.toString();
  }

  private static void missing(ObjectNode t, String name, double target) {
    t.put("name", name);
    t.put("target", "≥ " + target);
    t.put("measured", (String) null);
    t.put("met", false);
    t.put("missedBy", "not measured");
  }

  static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  /** The line bench/run ends with. */
  static String headline(JsonNode r) {
    JsonNode eos = r.path("throughput").path("exactlyOnce");
    if (!eos.path("ratio").isNumber()) {
      return "HEADLINE: stitching ÷ pass-through throughput (exactly-once) could not be measured in this run; "
          + "see bench/results/latest.json problems";
    }
    return String.format(Locale.ROOT, "HEADLINE: stitching ÷ pass-through throughput, exactly-once on = %.3f "
            + "(%,.0f ÷ %,.0f spans/s, %s mode; target ≥ 0.5)", eos.path("ratio").asDouble(),
        eos.path("stitchSpansPerSecond").asDouble(), eos.path("passThroughSpansPerSecondMedian").asDouble(),
        r.path("mode").asText());
  }
}
