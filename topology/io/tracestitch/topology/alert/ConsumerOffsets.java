package io.tracestitch.topology.alert;

import java.util.Optional;

/** Asks the cluster where a consumer group stands; empty when it cannot tell (no access, unknown group). */
@FunctionalInterface
public interface ConsumerOffsets {
  ConsumerOffsets NONE = (group, topic, partition, offset) -> Optional.empty();

  Optional<OffsetDiagnosis> diagnose(String group, String topic, int partition, long eventOffset);
}
