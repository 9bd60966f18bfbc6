package io.tracestitch.topology.alert;

/**
 * Where consumer groups stand on a topic, as far as this instance knows right now. Answers at once from what
 * has already been read and never blocks: the reading happens elsewhere (see {@link AdminConsumerOffsets}), and
 * asking is what makes it read a group and topic it was not watching yet.
 *
 * <p>Called from the stream thread; implementations must be thread-safe and must not wait on anything.
 */
@FunctionalInterface
public interface ConsumerOffsets {
  /** For replay and tests: no cluster to ask, said in so many words. */
  ConsumerOffsets NONE = (group, topic) -> GroupPositions.notChecked("there is no Kafka cluster to ask (offline replay)");

  GroupPositions positions(String group, String topic);
}
