package io.tracestitch.topology.steps;

import io.tracestitch.avro.internal.StepTimes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * How long each step usually takes, learned from the workflows this task publishes and kept in a (changelogged)
 * store of its own, so learning survives restarts. Like the learned expectations, each by-workflow task learns
 * from its own fair sample of the traffic (workflows spread over tasks by id), counts decay with a half-life,
 * and a step is judged only once enough (decayed) samples were seen.
 *
 * <p>One publication costs one read and one write per distinct step of the workflow, however often the step ran.
 */
public final class StepLearning implements StepBaseline {
  /** The store: step key -> {@link StepTimes}. */
  public static final String STORE = "step-times";

  private final KeyValueStore<String, StepTimes> store;
  private final long halfLifeMs;
  private final double minSamples;
  private final int maxStepsPerWorkflow;

  public StepLearning(KeyValueStore<String, StepTimes> store, Duration halfLife, double minSamples,
      int maxStepsPerWorkflow) {
    this.store = store;
    this.halfLifeMs = halfLife.toMillis();
    this.minSamples = minSamples;
    this.maxStepsPerWorkflow = maxStepsPerWorkflow;
  }

  @Override
  public Optional<StepUsual> usual(String key, long nowMs) {
    StepTimes times = store.get(key);
    if (times == null) {
      return Optional.empty();
    }
    StepHistogram histogram = StepHistogram.of(times);
    double samples = histogram.samples(nowMs, halfLifeMs);
    return samples >= minSamples ? Optional.of(new StepUsual(samples, histogram)) : Optional.empty();
  }

  /** Folds one published workflow's successful steps into the table. */
  public void learn(List<StepSample> samples, long nowMs) {
    Map<String, List<StepSample>> byKey = new LinkedHashMap<>();
    for (StepSample sample : samples) {
      if (byKey.containsKey(sample.key()) || byKey.size() < maxStepsPerWorkflow) {
        byKey.computeIfAbsent(sample.key(), k -> new ArrayList<>()).add(sample);
      }
    }
    byKey.forEach((key, seen) -> {
      StepTimes stored = store.get(key);
      StepHistogram current = stored == null ? StepHistogram.empty(seen.get(0).step()) : StepHistogram.of(stored);
      List<Long> micros = seen.stream().map(StepSample::durationMicros).toList();
      store.put(key, current.plus(micros, nowMs, halfLifeMs).record());
    });
  }
}
