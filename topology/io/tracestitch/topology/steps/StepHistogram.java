package io.tracestitch.topology.steps;

import io.tracestitch.avro.internal.StepTimes;
import java.util.ArrayList;
import java.util.List;

/**
 * A step's usual durations as a decayed histogram over logarithmic buckets (each about 9 % wider than the last,
 * from 1 microsecond up), read and written as the stored {@link StepTimes} record. Quantiles come from bucket
 * counts, so a minority of very slow samples moves the median and the quartiles by at most a bucket, where a
 * mean would follow them; decay is a multiplication of every count, so the histogram follows change.
 *
 * <p>Immutable: {@link #plus} returns a new histogram and never changes the record it was read from.
 */
public final class StepHistogram {
  /** Bucket b holds durations in [R^b, R^(b+1)) microseconds; R = 2^(1/8). */
  static final double RATIO = Math.pow(2, 1.0 / 8);
  private static final double LOG_RATIO = Math.log(RATIO);
  /** Counts that decayed below this are dropped from the ends, so a histogram does not keep every old bucket. */
  private static final double NEGLIGIBLE = 1e-3;

  private final StepTimes times;

  private StepHistogram(StepTimes times) {
    this.times = times;
  }

  public static StepHistogram of(StepTimes times) {
    return new StepHistogram(times);
  }

  public static StepHistogram empty(String step) {
    return new StepHistogram(StepTimes.newBuilder().setStep(step).build());
  }

  /** The stored record (a copy the caller may hand to a store). */
  public StepTimes record() {
    return StepTimes.newBuilder(times).setCounts(new ArrayList<>(times.getCounts())).build();
  }

  /** How many samples are left after decaying to {@code nowMs}. */
  public double samples(long nowMs, long halfLifeMs) {
    return times.getSamples() * factor(times.getLastObservedMs(), nowMs, halfLifeMs);
  }

  /** These counts decayed to {@code nowMs}, with one more sample of each of {@code durationsMicros}. */
  public StepHistogram plus(List<Long> durationsMicros, long nowMs, long halfLifeMs) {
    double factor = times.getCounts().isEmpty() ? 1 : factor(times.getLastObservedMs(), nowMs, halfLifeMs);
    int first = times.getFirstBucket();
    List<Double> counts = new ArrayList<>(times.getCounts().size());
    for (double c : times.getCounts()) {
      counts.add(c * factor);
    }
    for (long micros : durationsMicros) {
      int bucket = bucket(micros);
      if (counts.isEmpty()) {
        first = bucket;
        counts.add(0.0);
      }
      while (bucket < first) {
        counts.add(0, 0.0);
        first--;
      }
      while (bucket >= first + counts.size()) {
        counts.add(0.0);
      }
      counts.set(bucket - first, counts.get(bucket - first) + 1);
    }
    while (counts.size() > 1 && counts.get(0) < NEGLIGIBLE) {
      counts.remove(0);
      first++;
    }
    while (counts.size() > 1 && counts.get(counts.size() - 1) < NEGLIGIBLE) {
      counts.remove(counts.size() - 1);
    }
    return new StepHistogram(StepTimes.newBuilder().setStep(times.getStep())
        .setSamples(times.getSamples() * factor + durationsMicros.size())
        .setLastObservedMs(Math.max(nowMs, times.getLastObservedMs())).setFirstBucket(first).setCounts(counts)
        .build());
  }

  /** The q-quantile (0..1) in microseconds: the geometric middle of the bucket it falls in; 0 when empty. */
  public double quantileMicros(double q) {
    return quantileBelowMicros(q, Double.POSITIVE_INFINITY);
  }

  /** The q-quantile of the samples below {@code limitMicros} only: the usual population without the slow ones. */
  public double quantileBelowMicros(double q, double limitMicros) {
    List<Double> counts = times.getCounts();
    double total = 0;
    int end = 0;
    for (int i = 0; i < counts.size() && middle(times.getFirstBucket() + i) < limitMicros; i++) {
      total += counts.get(i);
      end = i + 1;
    }
    if (total <= 0) {
      return 0;
    }
    double wanted = q * total;
    double seen = 0;
    for (int i = 0; i < end; i++) {
      seen += counts.get(i);
      if (seen >= wanted) {
        return middle(times.getFirstBucket() + i);
      }
    }
    return middle(times.getFirstBucket() + end - 1);
  }

  static int bucket(long micros) {
    return (int) Math.floor(Math.log(Math.max(1, micros)) / LOG_RATIO);
  }

  private static double middle(int bucket) {
    return Math.pow(RATIO, bucket + 0.5);
  }

  private static double factor(long sinceMs, long nowMs, long halfLifeMs) {
    return Math.pow(0.5, (double) Math.max(0, nowMs - sinceMs) / halfLifeMs);
  }
}
