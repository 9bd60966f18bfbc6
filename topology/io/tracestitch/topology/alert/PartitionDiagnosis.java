package io.tracestitch.topology.alert;

import io.tracestitch.avro.internal.PartitionSeen;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a problem sits on its event topic, and for a stalled consumer group what its committed offsets say:
 * "order.created-2 only (17 workflows, offsets 1183-1240; healthy: order.created-0, order.created-1)" and
 * "loyalty's committed offset on order.created-2 stuck at 1183 for 2 min (lag 57) while order.created-0 and
 * order.created-1 advance".
 *
 * <p>The partitions come from the alert's own occurrences and healthy evidence, so they are there without any
 * access to the cluster: one affected partition among healthy ones is a stuck partition (a poison pill, a dead
 * consumer instance); affected partitions that also have healthy branches are a share of the events failing,
 * not a partition. The offsets come from {@link ConsumerOffsets}, when it has them.
 *
 * @param where the affected partitions in one sentence, or null when the findings carried none
 * @param offsets what the group's offsets say, or null when there is nothing to say
 * @param offsetCheck the state of the offset check in a few words: ready, pending, unavailable (why), not checked (why)
 * @param affected the affected partitions as {@code topic-partition:count,...}
 * @param healthy the partitions with only healthy branches as {@code topic-partition,...}
 */
record PartitionDiagnosis(String where, String offsets, String offsetCheck, String affected, String healthy) {
  private static final int LISTED = 5;

  /**
   * @param topic the topic the offsets are of (the latest occurrence's)
   * @param positions the group's offsets there, or null when they cannot be asked for
   */
  static PartitionDiagnosis of(List<PartitionSeen> seen, String consumerGroup, String topic, GroupPositions positions) {
    List<PartitionSeen> affected = seen.stream().filter(p -> p.getAffected() > 0)
        .sorted(Comparator.comparing(PartitionSeen::getTopic).thenComparing(PartitionSeen::getPartition)).toList();
    List<PartitionSeen> healthyOnly = seen.stream().filter(p -> p.getAffected() == 0 && p.getHealthy() > 0)
        .sorted(Comparator.comparing(PartitionSeen::getTopic).thenComparing(PartitionSeen::getPartition)).toList();
    String where = where(affected, healthyOnly);
    String offsets = null;
    String check;
    if (positions == null) {
      check = "not checked: " + (consumerGroup == null ? "the consumer's spans name no consumer group"
          : "the events' partitions and offsets are unknown");
    } else {
      switch (positions.status()) {
        case READY -> {
          offsets = offsets(affected.stream().filter(p -> p.getTopic().equals(topic)).toList(), consumerGroup, positions);
          check = "ready";
        }
        case PENDING -> check = "pending: being read, shown from the next re-send";
        case UNAVAILABLE -> {
          offsets = "consumer-group offsets unavailable (" + positions.problem() + ")";
          check = "unavailable: " + positions.problem();
        }
        default -> check = "not checked: " + positions.problem();
      }
    }
    return new PartitionDiagnosis(where, offsets, check,
        String.join(",", affected.stream().map(p -> name(p) + ":" + p.getAffected()).toList()),
        String.join(",", healthyOnly.stream().map(PartitionDiagnosis::name).toList()));
  }

  private static String where(List<PartitionSeen> affected, List<PartitionSeen> healthyOnly) {
    if (affected.isEmpty()) {
      return null;
    }
    String healthy = healthyOnly.isEmpty() ? "" : "; healthy: " + list(healthyOnly.stream().map(PartitionDiagnosis::name)
        .toList());
    if (affected.size() == 1 && affected.get(0).getHealthy() == 0 && !healthyOnly.isEmpty()) {
      PartitionSeen p = affected.get(0);
      return name(p) + " only (" + workflows(p.getAffected()) + offsetRange(p) + healthy + ")";
    }
    String list = list(affected.stream().map(p -> name(p) + " (" + p.getAffected() + ")").toList());
    if (affected.stream().allMatch(p -> p.getHealthy() > 0)) {
      return "affected " + list + ", each with healthy branches too: a share of the events, not a whole partition";
    }
    return "affected " + list + healthy;
  }

  private static String offsets(List<PartitionSeen> affected, String group, GroupPositions positions) {
    List<String> parts = new ArrayList<>();
    for (PartitionSeen p : affected.subList(0, Math.min(3, affected.size()))) {
      GroupPositions.Position at = positions.partitions().get(p.getPartition());
      if (at == null) {
        continue;
      }
      if (at.committed() < 0) {
        parts.add(group + " has no committed offset on " + name(p) + " (it has never consumed there, or no such group "
            + "exists)");
      } else if (p.getLastOffset() >= 0 && at.committed() > p.getLastOffset()) {
        parts.add(group + "'s committed offset on " + name(p) + " is " + at.committed() + ", past the affected events "
            + "(up to offset " + p.getLastOffset() + "), with no span of handling them: dropped silently or not "
            + "instrumented");
      } else if (at.stuck()) {
        parts.add(group + "'s committed offset on " + name(p) + " stuck at " + at.committed() + " for "
            + duration(at.unchangedForMs()) + " (lag " + at.lag() + ")");
      } else {
        long behind = p.getLastOffset() >= 0 ? p.getLastOffset() - at.committed() + 1 : at.lag();
        parts.add(group + " is lagging on " + name(p) + ": committed offset " + at.committed() + ", " + behind
            + " record(s) before the latest affected event (lag " + at.lag() + ")" + (at.readings() > 1 ? ", moving" : ""));
      }
    }
    if (parts.isEmpty()) {
      return null;
    }
    String topic = affected.get(0).getTopic();
    List<String> advancing = new ArrayList<>();
    List<String> stuckToo = new ArrayList<>();
    for (Map.Entry<Integer, GroupPositions.Position> e : positions.partitions().entrySet()) {
      boolean isAffected = affected.stream().anyMatch(p -> p.getPartition() == e.getKey());
      GroupPositions.Position at = e.getValue();
      if (isAffected || at.committed() < 0) {
        continue;
      }
      if (at.stuck()) {
        stuckToo.add(topic + "-" + e.getKey());
      } else if (at.readings() > 1 || at.lag() == 0) {
        advancing.add(topic + "-" + e.getKey());
      }
    }
    String sentence = String.join("; ", parts);
    if (!advancing.isEmpty()) {
      sentence += " while " + list(advancing) + (advancing.size() == 1 ? " advances" : " advance");
    }
    if (!stuckToo.isEmpty()) {
      sentence += "; " + list(stuckToo) + (stuckToo.size() == 1 ? " is" : " are") + " stuck too";
    }
    return sentence;
  }

  private static String name(PartitionSeen p) {
    return p.getTopic() + "-" + p.getPartition();
  }

  private static String workflows(long n) {
    return n == 1 ? "1 workflow" : n + " workflows";
  }

  private static String offsetRange(PartitionSeen p) {
    if (p.getFirstOffset() < 0) {
      return "";
    }
    return p.getFirstOffset() == p.getLastOffset() ? ", offset " + p.getFirstOffset()
        : ", offsets " + p.getFirstOffset() + "-" + p.getLastOffset();
  }

  /** "a", "a and b", "a, b and c", "a, b, c, d, e and 3 more". */
  private static String list(List<String> items) {
    if (items.size() > LISTED) {
      return String.join(", ", items.subList(0, LISTED)) + " and " + (items.size() - LISTED) + " more";
    }
    if (items.size() <= 1) {
      return String.join("", items);
    }
    return String.join(", ", items.subList(0, items.size() - 1)) + " and " + items.get(items.size() - 1);
  }

  private static String duration(long ms) {
    long s = ms / 1000;
    return s < 120 ? s + " s" : String.format(Locale.ROOT, "%d min", s / 60);
  }
}
