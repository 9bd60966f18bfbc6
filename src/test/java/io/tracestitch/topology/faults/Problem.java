package io.tracestitch.topology.faults;

import java.util.List;
import java.util.Set;

/**
 * One problem an on-call engineer must hear about, from the schedule's ground truth: one consumer missing,
 * or handling too late, a continuous stretch of one event's traffic (affected events no further apart than
 * the rules' merge window).
 *
 * @param firstMs publication time of the first affected event
 * @param lastMs publication time of the last affected event
 * @param lastDecidedMs by when the last affected event has been decided on (published, plus its lateness, plus
 *     the stitcher's quiet gap and export delays): a page may start as late as this
 * @param partitions the partitions (of the driver's event topic) the affected events were on
 * @param missedWorkflowIds the workflows whose event the consumer never handled (they must show it PENDING)
 */
public record Problem(String consumer, String eventName, long firstMs, long lastMs, long lastDecidedMs, int affected,
    Set<Integer> partitions, List<String> missedWorkflowIds) {

  public Problem {
    partitions = Set.copyOf(partitions);
    missedWorkflowIds = List.copyOf(missedWorkflowIds);
  }

  @Override
  public String toString() {
    return consumer + "/" + eventName + " [" + FaultSchedule.clock(firstMs) + " .. " + FaultSchedule.clock(lastMs) + "] "
        + affected + " affected on partitions " + partitions;
  }
}
