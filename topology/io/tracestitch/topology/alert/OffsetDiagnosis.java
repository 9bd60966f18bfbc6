package io.tracestitch.topology.alert;

/**
 * Where a consumer group stands relative to one event, from its committed offset.
 *
 * @param verdict LAGGING: the group has not reached the event yet; COMMITTED_PAST: it has committed past
 *     the event with no span of handling it (dropped silently, or not instrumented); NO_COMMIT: the group
 *     has no committed offset on that partition
 * @param committedOffset the group's committed offset on the event's partition, or -1
 * @param recordsBehind how many records before the event the group still has to read (LAGGING)
 * @param partitionLag the group's lag on that partition (end offset minus committed), or -1
 */
public record OffsetDiagnosis(Verdict verdict, long committedOffset, long recordsBehind, long partitionLag) {
  public enum Verdict { LAGGING, COMMITTED_PAST, NO_COMMIT }

  /** One sentence for the alert's summary. */
  public String sentence(String group, String topic, int partition, long eventOffset) {
    return switch (verdict) {
      case LAGGING -> "consumer group " + group + " is lagging: its committed offset " + committedOffset + " on "
          + topic + "-" + partition + " is " + recordsBehind + " record(s) before the event (offset " + eventOffset
          + "); partition lag " + partitionLag;
      case COMMITTED_PAST -> "consumer group " + group + " has committed offset " + committedOffset + " on " + topic
          + "-" + partition + ", past the event (offset " + eventOffset
          + "), with no span of handling it: dropped silently or not instrumented";
      case NO_COMMIT -> "consumer group " + group + " has no committed offset on " + topic + "-" + partition
          + " (it has never consumed there, or no such group exists)";
    };
  }
}
