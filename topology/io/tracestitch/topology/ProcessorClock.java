package io.tracestitch.topology;

import org.apache.kafka.streams.processor.api.ProcessingContext;

/**
 * The time a stitching processor judges deadlines by.
 *
 * <p>Completion and stalls are the absence of data, so stream time alone would never fire on a quiet
 * partition; the wall clock alone would fire every deadline at once while the processor replays a
 * backlog. This clock is the task's stream time, moved forward by the wall-clock time elapsed since
 * the last record arrived: while records keep coming (live or catching up) it follows the records'
 * own time, and once the input goes quiet it follows the wall clock. A backlog therefore never looks
 * like silence, and a quiet partition still reaches its deadlines.
 *
 * <p>Both readings come from the {@link ProcessingContext}, so a test driver (and offline replay)
 * controls them. Not thread-safe: one instance per processor, used by the stream thread only.
 */
public final class ProcessorClock {
  private ProcessingContext context;
  private long wallAtLastRecord;

  public void init(ProcessingContext context) {
    this.context = context;
    this.wallAtLastRecord = context.currentSystemTimeMs();
  }

  /** Call once per input record, before reading {@link #now()}. */
  public void recordArrived() {
    wallAtLastRecord = context.currentSystemTimeMs();
  }

  public long now() {
    long stream = context.currentStreamTimeMs();
    if (stream < 0) {
      // Nothing seen yet on this task (fresh start with empty input): only the wall clock is left.
      return context.currentSystemTimeMs();
    }
    return stream + Math.max(0, context.currentSystemTimeMs() - wallAtLastRecord);
  }
}
