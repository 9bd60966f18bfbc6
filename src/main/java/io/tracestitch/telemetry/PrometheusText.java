package io.tracestitch.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The SDK's collected metrics in the Prometheus text exposition format (version 0.0.4), named as the
 * OpenTelemetry-to-Prometheus conventions say: dots and other characters outside {@code [a-zA-Z0-9_:]}
 * become underscores, a seconds or bytes unit becomes a suffix, a monotonic sum becomes a counter
 * ending in {@code _total}, a non-monotonic sum or a gauge a gauge, an explicit-bucket histogram
 * {@code _bucket}/{@code _sum}/{@code _count} with cumulative buckets. Attributes become labels.
 * Exponential histograms and summaries are not produced by tracestitch and are left out.
 */
final class PrometheusText {
  private PrometheusText() {}

  static String render(Collection<MetricData> metrics) {
    List<MetricData> sorted = new ArrayList<>(metrics);
    sorted.sort(Comparator.comparing(MetricData::getName));
    StringBuilder out = new StringBuilder();
    for (MetricData metric : sorted) {
      switch (metric.getType()) {
        case LONG_SUM -> {
          boolean counter = metric.getLongSumData().isMonotonic();
          String name = name(metric, counter);
          header(out, name, metric, counter ? "counter" : "gauge");
          for (LongPointData p : sortedPoints(metric.getLongSumData().getPoints())) {
            sample(out, name, p.getAttributes(), Map.of(), Long.toString(p.getValue()));
          }
        }
        case DOUBLE_SUM -> {
          boolean counter = metric.getDoubleSumData().isMonotonic();
          String name = name(metric, counter);
          header(out, name, metric, counter ? "counter" : "gauge");
          for (DoublePointData p : sortedPoints(metric.getDoubleSumData().getPoints())) {
            sample(out, name, p.getAttributes(), Map.of(), number(p.getValue()));
          }
        }
        case LONG_GAUGE -> {
          String name = name(metric, false);
          header(out, name, metric, "gauge");
          for (LongPointData p : sortedPoints(metric.getLongGaugeData().getPoints())) {
            sample(out, name, p.getAttributes(), Map.of(), Long.toString(p.getValue()));
          }
        }
        case DOUBLE_GAUGE -> {
          String name = name(metric, false);
          header(out, name, metric, "gauge");
          for (DoublePointData p : sortedPoints(metric.getDoubleGaugeData().getPoints())) {
            sample(out, name, p.getAttributes(), Map.of(), number(p.getValue()));
          }
        }
        case HISTOGRAM -> {
          String name = name(metric, false);
          header(out, name, metric, "histogram");
          for (HistogramPointData p : sortedPoints(metric.getHistogramData().getPoints())) {
            histogram(out, name, p);
          }
        }
        default -> { }
      }
    }
    return out.toString();
  }

  private static void histogram(StringBuilder out, String name, HistogramPointData p) {
    long cumulative = 0;
    List<Double> bounds = p.getBoundaries();
    for (int i = 0; i < bounds.size(); i++) {
      cumulative += p.getCounts().get(i);
      sample(out, name + "_bucket", p.getAttributes(), Map.of("le", number(bounds.get(i))), Long.toString(cumulative));
    }
    sample(out, name + "_bucket", p.getAttributes(), Map.of("le", "+Inf"), Long.toString(p.getCount()));
    sample(out, name + "_sum", p.getAttributes(), Map.of(), number(p.getSum()));
    sample(out, name + "_count", p.getAttributes(), Map.of(), Long.toString(p.getCount()));
  }

  static String name(MetricData metric, boolean counter) {
    String name = sanitize(metric.getName(), false);
    String unit = switch (metric.getUnit() == null ? "" : metric.getUnit()) {
      case "s" -> "_seconds";
      case "ms" -> "_milliseconds";
      case "By" -> "_bytes";
      default -> "";
    };
    if (!unit.isEmpty() && !name.endsWith(unit)) {
      name += unit;
    }
    if (counter && !name.endsWith("_total")) {
      name += "_total";
    }
    return name;
  }

  private static void header(StringBuilder out, String name, MetricData metric, String type) {
    if (metric.getDescription() != null && !metric.getDescription().isEmpty()) {
      out.append("# HELP ").append(name).append(' ')
          .append(metric.getDescription().replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
    }
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void sample(StringBuilder out, String name, Attributes attributes, Map<String, String> extra,
      String value) {
    Map<String, String> labels = new TreeMap<>();
    attributes.forEach((AttributeKey<?> key, Object v) -> labels.put(sanitize(key.getKey(), true), String.valueOf(v)));
    labels.putAll(extra);
    out.append(name);
    if (!labels.isEmpty()) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<String, String> label : labels.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        out.append(label.getKey()).append("=\"").append(escape(label.getValue())).append('"');
      }
      out.append('}');
    }
    out.append(' ').append(value).append('\n');
  }

  private static <P extends PointData> List<P> sortedPoints(Collection<P> points) {
    List<P> sorted = new ArrayList<>(points);
    sorted.sort(Comparator.comparing(p -> p.getAttributes().toString()));
    return sorted;
  }

  static String sanitize(String name, boolean label) {
    StringBuilder out = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9')
          || (!label && c == ':');
      out.append(allowed ? c : '_');
    }
    return out.toString();
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  /** Whole numbers without a fraction, the rest as Java prints them; the special values as Prometheus spells them. */
  static String number(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "+Inf" : "-Inf";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(value);
  }
}
