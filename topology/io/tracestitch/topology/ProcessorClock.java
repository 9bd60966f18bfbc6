package io.tracestitch.topology;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.api.ProcessingContext;

/**
 * The time a stitching processor judges deadlines by.
 *
 * <p>Completion and stalls are the absence of data, so stream time alone would never fire on a quiet
 * partition; the wall clock alone would fire deadlines that only look missed because the processor
 * is behind its input. This clock is the latest timestamp of the records this processor has seen,
 * moved forward by the wall-clock time elapsed since that record arrived: while records keep coming
 * (live or catching up) it follows the records' own time, and once the input goes quiet it follows
 * the wall clock. (The task's stream time would not do: records a punctuation forwards carry this
 * clock's reading, and counting them as data would add the idle time again on every round.)
 *
 * <p>A downstream stage can look idle while its upstream is busy (holding records, or working through
 * a backlog). So an upstream stage sends its clock as ticks ({@link #upstreamTick}), and a stage
 * that has heard from upstream never runs ahead of the slowest upstream task's clock, each extrapolated
 * by the wall time since its last tick. Never goes backwards.
 *
 * <p>Both readings come from the {@link ProcessingContext}, so a test driver (and offline replay)
 * controls them. Not thread-safe: one instance per processor, used by the stream thread only.
 */
public final class ProcessorClock {
  private final Map<String, long[]> upstream = new HashMap<>();
  private ProcessingContext context;
  private long wallAtLastRecord;
  private long dataTime = Long.MIN_VALUE;
  private long last = Long.MIN_VALUE;

  public void init(ProcessingContext context) {
    this.context = context;
    this.wallAtLastRecord = context.currentSystemTimeMs();
  }

  /** Call once per input record with its timestamp, before reading {@link #now()}. */
  public void recordArrived(long timestampMs) {
    wallAtLastRecord = context.currentSystemTimeMs();
    // The extrapolation restarts from this record; now() keeps the reading from ever going back.
    dataTime = Math.max(dataTime, timestampMs);
  }

  /** An upstream task says its clock reads {@code tickMs}. */
  public void upstreamTick(String sender, long tickMs) {
    upstream.put(sender, new long[] {tickMs, context.currentSystemTimeMs()});
  }

  public long now() {
    long wall = context.currentSystemTimeMs();
    long computed;
    if (!upstream.isEmpty()) {
      computed = Long.MAX_VALUE;
      for (long[] tick : upstream.values()) {
        computed = Math.min(computed, tick[0] + Math.max(0, wall - tick[1]));
      }
    } else if (dataTime != Long.MIN_VALUE) {
      computed = dataTime + Math.max(0, wall - wallAtLastRecord);
    } else {
      // Nothing seen since start: the restored stream time, else (empty input) only the wall clock is left.
      // Not remembered as a reading: a backlog arriving after an outage carries older times, and a clock held
      // at the start-up wall time would wait until record time caught up before anything came due.
      long stream = context.currentStreamTimeMs();
      return Math.max(last, stream < 0 ? wall : stream + Math.max(0, wall - wallAtLastRecord));
    }
    last = Math.max(last, computed);
    return last;
  }

  /** True once this processor has a reading from data (a record, or an upstream tick), not only the wall clock. */
  public boolean hasData() {
    return dataTime != Long.MIN_VALUE || !upstream.isEmpty();
  }
}
