package io.tracestitch.topology.steps;

/**
 * What a step's learned durations say, in microseconds: enough samples were seen to judge it.
 *
 * @param samples the decayed number of samples behind these figures
 * @param histogram the learned durations, for quantiles of the usual population
 */
public record StepUsual(double samples, StepHistogram histogram) {
  public double medianMicros() {
    return histogram.quantileMicros(0.5);
  }

  public double upperQuartileMicros() {
    return histogram.quantileMicros(0.75);
  }
}
