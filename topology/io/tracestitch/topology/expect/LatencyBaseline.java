package io.tracestitch.topology.expect;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * A consumer's publish-to-success times as a decayed histogram with logarithmic buckets (four per doubling,
 * so a percentile read off it is within 19 % of the true one, from 1 ms to 49 days in at most 128 buckets).
 * Every sample counts 1 when it arrives and half as much after each half-life, so the histogram is the
 * consumer's last few half-lives of traffic, weighted by how much of it there was.
 *
 * <p>A high percentile of it is robust (one outlier does not move it) and an outage cannot move it (no samples);
 * a change of pace moves it once the new pace carries more than the percentile's complement of the weight,
 * which for a consumer with a short history is soon: {@link LearnedExpectations} therefore follows it only at a
 * bounded pace.
 *
 * <p>Immutable; {@link #withSample} returns a new one. The weights are as of {@link #asOfMs()}.
 */
public final class LatencyBaseline {
  static final int BUCKETS_PER_DOUBLING = 4;
  static final int MAX_BUCKET = 127;
  /** Leading and trailing buckets lighter than this share of the total are dropped, so the record stays small. */
  private static final double NEGLIGIBLE = 1e-6;

  private final int firstBucket;
  private final double[] weights;
  private final long asOfMs;

  private LatencyBaseline(int firstBucket, double[] weights, long asOfMs) {
    this.firstBucket = firstBucket;
    this.weights = weights;
    this.asOfMs = asOfMs;
  }

  public static LatencyBaseline empty() {
    return new LatencyBaseline(0, new double[0], 0);
  }

  /** A baseline as stored: buckets from {@code firstBucket} on, weights as of {@code asOfMs}. */
  public static LatencyBaseline of(int firstBucket, List<Double> weights, long asOfMs) {
    double[] w = new double[weights.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = weights.get(i);
    }
    return new LatencyBaseline(Math.max(0, firstBucket), w, asOfMs);
  }

  /** The bucket a time falls in. */
  static int bucket(double latencyMs) {
    if (latencyMs < 1) {
      return 0;
    }
    int b = (int) Math.floor(Math.log(latencyMs) / Math.log(2) * BUCKETS_PER_DOUBLING);
    return Math.min(MAX_BUCKET, Math.max(0, b));
  }

  /** This baseline decayed to {@code nowMs}, plus one sample. */
  public LatencyBaseline withSample(double latencyMs, long nowMs, long halfLifeMs) {
    double factor = asOfMs == 0 || nowMs <= asOfMs ? 1 : Math.pow(0.5, (double) (nowMs - asOfMs) / halfLifeMs);
    int b = bucket(latencyMs);
    int first = weights.length == 0 ? b : Math.min(firstBucket, b);
    int last = weights.length == 0 ? b : Math.max(firstBucket + weights.length - 1, b);
    double[] next = new double[last - first + 1];
    for (int i = 0; i < weights.length; i++) {
      next[firstBucket + i - first] = weights[i] * factor;
    }
    next[b - first] += 1;
    return trimmed(first, next, Math.max(asOfMs, nowMs));
  }

  private static LatencyBaseline trimmed(int first, double[] w, long asOfMs) {
    double total = 0;
    for (double x : w) {
      total += x;
    }
    int lo = 0;
    int hi = w.length - 1;
    while (lo < hi && w[lo] < total * NEGLIGIBLE) {
      lo++;
    }
    while (hi > lo && w[hi] < total * NEGLIGIBLE) {
      hi--;
    }
    double[] kept = new double[hi - lo + 1];
    System.arraycopy(w, lo, kept, 0, kept.length);
    return new LatencyBaseline(first + lo, kept, asOfMs);
  }

  /** Total weight: about how many samples of the last half-life or so it holds. */
  public double weight() {
    double total = 0;
    for (double x : weights) {
      total += x;
    }
    return total;
  }

  /**
   * The time below which {@code percentile} of the weight lies, interpolated geometrically inside its bucket;
   * empty when there are no samples.
   */
  public OptionalDouble quantile(double percentile) {
    double total = weight();
    if (total <= 0) {
      return OptionalDouble.empty();
    }
    double target = percentile * total;
    double below = 0;
    for (int i = 0; i < weights.length; i++) {
      if (weights[i] > 0 && below + weights[i] >= target) {
        double within = Math.min(1, Math.max(0, (target - below) / weights[i]));
        return OptionalDouble.of(Math.pow(2, (firstBucket + i + within) / BUCKETS_PER_DOUBLING));
      }
      below += weights[i];
    }
    return OptionalDouble.of(Math.pow(2, (double) (firstBucket + weights.length) / BUCKETS_PER_DOUBLING));
  }

  public int firstBucket() {
    return firstBucket;
  }

  public List<Double> weights() {
    List<Double> out = new ArrayList<>(weights.length);
    for (double w : weights) {
      out.add(w);
    }
    return out;
  }

  public long asOfMs() {
    return asOfMs;
  }
}
