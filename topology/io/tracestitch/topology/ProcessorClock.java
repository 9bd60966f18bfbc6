package io.tracestitch.topology;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.ProcessingContext;

/**
 * The time a stitching processor judges deadlines by.
 *
 * <p>Completion and stalls are the absence of data, so stream time alone would never fire on a quiet
 * partition; the wall clock alone would fire deadlines that only look missed because the processor
 * is behind its input. There are two kinds of clock, one per kind of stage:
 *
 * <ul>
 *   <li><b>Of records</b> ({@link #ofRecords}), for the stages that read topics of the cluster (ingest, alerts): the
 *       latest timestamp of the records this task has seen, moved forward by the wall-clock time elapsed
 *       since that record arrived — but only up to the last moment its input was confirmed read to its end
 *       ({@link ReadToEnd}). While records keep coming (live or catching up) it follows the records' own time;
 *       once the input goes quiet it follows the wall clock; while it is cut off from its input it stands still.
 *       (The task's stream time would not do: records a punctuation forwards carry this clock's reading, and
 *       counting them as data would add the idle time again on every round.)</li>
 *   <li><b>Of upstream ticks</b> ({@link #ofUpstreamTicks}), for every later stage: each upstream task
 *       sends its own reading as ticks to every partition, and this clock is the slowest upstream task's
 *       reading. Records never move it: tasks of one stage drift apart while a backlog is worked off (a
 *       partition of sparse business events is read to its end while the dense span partitions have
 *       seconds to go), and the records of the fastest task must not make the data still queued behind
 *       the slowest one look late.</li>
 * </ul>
 *
 * <p>Between two ticks an upstream reading is moved on by the wall time since it arrived, but only for
 * as long as the next tick is due ({@code 2 × tick interval + commit interval}): an upstream task that
 * falls silent (handed over to another instance, restoring, stuck) holds this clock back instead of
 * being assumed to keep up, so the backlog it resumes with is not late on arrival. A task silent for
 * {@link #FORGET_SILENT_SENDER} is forgotten, since its partitions may be gone for good (a deleted event
 * topic). Until ticks have been arriving for that long (so that every upstream task with data has been
 * heard from) there is no reading, and deadlines wait. When no upstream task has ticked at all for
 * {@link #QUIET_START} after the start (a restart while every source partition is quiet: a source task ticks
 * only once it has read something), or every one has been forgotten, the stage follows the wall clock, so
 * workflows restored from the changelogs are still published.
 *
 * <p>Never goes backwards. Both readings come from the {@link ProcessingContext}, so a test driver (and
 * offline replay) controls them. Not thread-safe: one instance per processor, used by the stream thread.
 */
public final class ProcessorClock {
  /** How long an upstream task may stay silent before it no longer holds this clock back. */
  public static final Duration FORGET_SILENT_SENDER = Duration.ofMinutes(5);
  /**
   * How long a stage waits, after it starts, for a first upstream tick before it takes the input for quiet.
   * A source task ticks only once it has read something, and one with a backlog reads it within its first
   * polls; when none has ticked this long, nothing is coming.
   */
  public static final Duration QUIET_START = Duration.ofSeconds(10);

  private final boolean fromUpstream;
  private final Duration tickInterval;
  /** Null for a clock of upstream ticks, which are not records of a partition it reads. */
  private final ReadToEnd readToEnd;
  /** The source partitions this task has read from, by topic: one, or several topics that share a partition number. */
  private final Map<String, Integer> sources = new HashMap<>(2);
  private final Map<String, long[]> upstream = new HashMap<>();
  private ProcessingContext context;
  /** How long after one tick the next is due: how far a reading is moved on, and how long the first one waits. */
  private long tickDueMs;
  private long wallAtLastRecord;
  private long wallAtLastTick;
  private long wallAtFirstTick = Long.MIN_VALUE;
  private long dataTime = Long.MIN_VALUE;
  private long last = Long.MIN_VALUE;
  private long upstreamReading = Long.MIN_VALUE;
  private long restoredTime = -1;

  private ProcessorClock(boolean fromUpstream, Duration tickInterval, ReadToEnd readToEnd) {
    this.fromUpstream = fromUpstream;
    this.tickInterval = tickInterval;
    this.readToEnd = readToEnd;
  }

  /**
   * The clock of a stage that reads topics of the cluster, moved on by the wall clock only up to the last moment
   * its input partitions were confirmed read to their end: time the processor spent cut off from its input is not
   * quiet time, and is not counted as such.
   */
  public static ProcessorClock ofRecords(ReadToEnd readToEnd) {
    return new ProcessorClock(false, Duration.ZERO, readToEnd);
  }

  /** The clock of a stage fed by upstream tasks that send their clock every {@code tickInterval}. */
  public static ProcessorClock ofUpstreamTicks(Duration tickInterval) {
    return new ProcessorClock(true, tickInterval, null);
  }

  public void init(ProcessingContext context) {
    this.context = context;
    this.wallAtLastRecord = context.currentSystemTimeMs();
    this.wallAtLastTick = wallAtLastRecord;
    // Read once, here: later the task's stream time also counts records this stage's own punctuations forward.
    this.restoredTime = context.currentStreamTimeMs();
    // Under exactly-once a tick becomes readable downstream only when its sender commits.
    Object commit = context.appConfigs().get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
    long commitMs = commit == null ? 0 : Long.parseLong(commit.toString());
    // Two intervals: a tick is sent at the first loop after its interval and read a commit later, so one interval
    // would stall the clock whenever a tick is a little late. Not more: when the whole stream
    // thread stalls (a long GC, a slow commit) its upstream tasks did not go on either, and every stage between
    // source and stitcher adds its extrapolation to the error.
    this.tickDueMs = 2 * tickInterval.toMillis() + commitMs;
  }

  /**
   * This task reads its partition of {@code topic}, known before any record arrives (a stage with a single source
   * topic). Call after {@link #init}: a task restarted on a quiet partition then has its clock bounded from the start,
   * not only from its first record. Not for a stage of several topics: a topic with fewer partitions than the task
   * number would never be confirmed.
   */
  public void readsFrom(String topic) {
    if (readToEnd != null) {
      sources.putIfAbsent(topic, context.taskId().partition());
    }
  }

  /** Call once per input record with its timestamp, before reading {@link #now()}. */
  public void recordArrived(long timestampMs) {
    wallAtLastRecord = context.currentSystemTimeMs();
    // The extrapolation restarts from this record; now() keeps the reading from ever going back.
    dataTime = Math.max(dataTime, timestampMs);
    if (readToEnd != null) {
      context.recordMetadata().ifPresent(m -> sources.putIfAbsent(m.topic(), m.partition()));
    }
  }

  /** An upstream task says its clock reads {@code tickMs}. */
  public void upstreamTick(String sender, long tickMs) {
    wallAtLastTick = context.currentSystemTimeMs();
    if (wallAtFirstTick == Long.MIN_VALUE) {
      wallAtFirstTick = wallAtLastTick;
    }
    long[] previous = upstream.get(sender);
    // Ticks of one sender can arrive out of order (a re-sent batch); its reading never goes back either.
    upstream.put(sender, new long[] {previous == null ? tickMs : Math.max(previous[0], tickMs),
        wallAtLastTick});
  }

  public long now() {
    long wall = context.currentSystemTimeMs();
    if (fromUpstream) {
      long slowest = slowestUpstream(wall);
      if (slowest != Long.MAX_VALUE && settled(wall)) {
        last = Math.max(last, slowest);
        upstreamReading = last;
        return last;
      }
      long silentMs = wall - wallAtLastTick;
      if (slowest != Long.MAX_VALUE || silentMs < silenceBeforeWallClock()) {
        return fallback(wall);
      }
      // Upstream is silent: every task forgotten (the last reading moves on by the whole silence), or none ever
      // heard from since the start (the input is quiet: the wall clock).
      last = Math.max(last, upstreamReading != Long.MIN_VALUE ? upstreamReading + silentMs : wall);
      return last;
    }
    if (dataTime == Long.MIN_VALUE) {
      // Nothing read since this task started. After a restart or a hand-over Kafka Streams restores the time of
      // the partition's last committed record: from there, as if the input had been quiet since. (A backlog
      // behind it is read within the first polls and carries times at least as late.) Not remembered.
      return restoredTime < 0 ? fallback(wall) : Math.max(last, restoredTime + quietSinceLastRecord(wall));
    }
    last = Math.max(last, dataTime + quietSinceLastRecord(wall));
    return last;
  }

  /**
   * The wall time since the last record (or the start) that the input is known to have been quiet: up to the last
   * confirmation that it was read to its end, never further. Between two confirmations the reading waits, which
   * costs a quiet partition's deadlines a fraction of a second; a cut-off processor's clock stands still.
   */
  private long quietSinceLastRecord(long wall) {
    long upTo = Math.min(wall, readToEndAt());
    // Compared, not subtracted: "not confirmed yet" is Long.MIN_VALUE.
    return upTo <= wallAtLastRecord ? 0 : upTo - wallAtLastRecord;
  }

  /**
   * Up to when every source partition of this task is known to be read to its end. A task that has read nothing
   * since it started and was not told its topic ({@link #readsFrom}) does not know its partitions yet and counts as
   * read to its end: its clock only moves from a restored time, by the wall time since the task started.
   */
  private long readToEndAt() {
    long at = ReadToEnd.NOT_WATCHED;
    for (Map.Entry<String, Integer> source : sources.entrySet()) {
      at = Math.min(at, readToEnd.confirmedAt(source.getKey(), source.getValue()));
    }
    return at;
  }

  /**
   * The first reading waits until every upstream task that has data has had time to tick: at a start with a
   * backlog, one poll can bring a sparse event partition's whole backlog before any span partition's first
   * record, and a minimum over only the tasks heard from so far would run ahead and never come back.
   */
  private boolean settled(long wall) {
    return last != Long.MIN_VALUE || (wallAtFirstTick != Long.MIN_VALUE && wall - wallAtFirstTick >= tickDueMs);
  }

  /** Never heard from upstream since the start: {@link #QUIET_START}; heard, then all forgotten: already 5 min. */
  private long silenceBeforeWallClock() {
    return wallAtFirstTick == Long.MIN_VALUE ? Math.max(QUIET_START.toMillis(), tickDueMs) : 0;
  }

  private long slowestUpstream(long wall) {
    long slowest = Long.MAX_VALUE;
    for (Iterator<long[]> it = upstream.values().iterator(); it.hasNext(); ) {
      long[] tick = it.next();
      long silentMs = Math.max(0, wall - tick[1]);
      if (silentMs > FORGET_SILENT_SENDER.toMillis()) {
        it.remove();
        continue;
      }
      slowest = Math.min(slowest, tick[0] + Math.min(silentMs, tickDueMs));
    }
    return slowest;
  }

  /**
   * Nothing read yet: the reading already given, else the restored stream time, else the wall clock. Not
   * remembered as a reading: a backlog arriving after an outage carries older times, and a clock held at the
   * start-up wall time would wait until record time caught up before anything came due.
   */
  private long fallback(long wall) {
    if (last != Long.MIN_VALUE) {
      return last;
    }
    long stream = context.currentStreamTimeMs();
    return stream < 0 ? wall : stream;
  }

  /**
   * True once this clock reads data: a record or a restored partition time (of records), or ticks of live
   * upstream tasks (of upstream ticks). Until then a stage neither acts on deadlines nor sends ticks of its own.
   */
  public boolean hasData() {
    if (fromUpstream) {
      long wall = context.currentSystemTimeMs();
      long slowest = slowestUpstream(wall);
      return last != Long.MIN_VALUE || (slowest != Long.MAX_VALUE && settled(wall))
          || (slowest == Long.MAX_VALUE && wall - wallAtLastTick >= silenceBeforeWallClock());
    }
    // A restored partition time counts: the task that owns a quiet partition after a restart must still tick, or
    // the stages after it would wait for the ticks its predecessor sent before it.
    return dataTime != Long.MIN_VALUE || restoredTime >= 0;
  }
}
