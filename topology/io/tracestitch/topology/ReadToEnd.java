package io.tracestitch.topology;

/**
 * How far this instance is known to have read a source partition: the latest wall-clock time at which everything
 * appended to the partition had been fetched by this instance's consumer, as the broker and the consumer last
 * confirmed it together.
 *
 * <p>The ingest clock moves on by the wall clock while its input is quiet, and only this tells "quiet" from "cut
 * off": a processor that cannot reach the broker (a network cut, a broker restarting, a thread stuck in a long
 * pause) reads nothing either, while the records it will resume with pile up. Moved on by the wall clock alone,
 * its clock would then report the whole outage as quiet time, and the stages after it would judge deadlines missed
 * whose evidence is still waiting, unread, in the backlog — a false page for every branch in flight.
 *
 * <p>Called from the stream thread; implementations must be thread-safe and answer at once from what is already
 * known. Asking about a partition is what makes an implementation watch it.
 */
@FunctionalInterface
public interface ReadToEnd {
  /** There is nothing to confirm it with (a test driver, offline replay): the input is taken as read to its end. */
  long NOT_WATCHED = Long.MAX_VALUE;
  /** Watched, but not confirmed yet. */
  long NOT_YET = Long.MIN_VALUE;

  /** For the test driver and offline replay, where every record is there to be read. */
  ReadToEnd NOT_WATCHED_ANYWHERE = (topic, partition) -> NOT_WATCHED;

  /** The wall-clock time (ms) up to which the partition is known to be read to its end, or a constant above. */
  long confirmedAt(String topic, int partition);
}
