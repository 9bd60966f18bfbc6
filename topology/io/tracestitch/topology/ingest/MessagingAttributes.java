package io.tracestitch.topology.ingest;

import io.tracestitch.avro.internal.MessagingHop;
import io.tracestitch.avro.internal.SpanKind;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the messaging hop of a span under every generation of the OpenTelemetry messaging conventions: the
 * current ones ({@code messaging.operation.type} with a system-specific {@code messaging.operation.name},
 * {@code messaging.consumer.group.name}, {@code messaging.destination.partition.id}, {@code messaging.kafka.offset},
 * span names like {@code process orders} or kafkajs' {@code poll orders}) and the older ones still emitted by
 * widely deployed Kafka instrumentation ({@code messaging.operation}, {@code messaging.destination},
 * {@code messaging.kafka.consumer.group}, {@code messaging.kafka.message.offset}, {@code messaging.kafka.partition},
 * span names like {@code orders process}). A poll is a receive, whatever its instrumentation calls it.
 */
final class MessagingAttributes {
  private static final Set<String> OPERATION_WORDS =
      Set.of("publish", "process", "send", "receive", "create", "settle", "poll");
  private static final String POLL = "poll";
  private static final String RECEIVE = "receive";

  private MessagingAttributes() {}

  /** The hop, or null when the span is not a messaging span at all. */
  static MessagingHop read(Attributes attributes, String spanName, SpanKind kind, TextLimit limit) {
    boolean messagingKind = kind == SpanKind.PRODUCER || kind == SpanKind.CONSUMER;
    if (!messagingKind && !attributes.anyKeyStartsWith("messaging.")) {
      return null;
    }
    NameParts fromName = NameParts.of(spanName);
    // The type is the conventions' fixed vocabulary; the older single attribute held the same words; the name is
    // the system's own word for it (kafkajs: "poll" for its receive), so it comes last.
    String operation = attributes.firstText(
        "messaging.operation.type", "messaging.operation", "messaging.operation.name");
    if (operation == null) {
      operation = fromName.operation();
    }
    operation = operation == null ? null : operation.trim().toLowerCase(Locale.ROOT);
    if (POLL.equals(operation)) {
      operation = RECEIVE;
    }
    String destination = attributes.firstText("messaging.destination.name", "messaging.destination");
    if (destination == null) {
      destination = fromName.destination();
    }
    return MessagingHop.newBuilder()
        .setSystem(limit.apply(attributes.firstText("messaging.system")))
        .setOperation(limit.apply(operation))
        .setDestination(limit.apply(destination))
        .setConsumerGroup(limit.apply(attributes.firstText(
            "messaging.consumer.group.name", "messaging.kafka.consumer.group", "messaging.kafka.consumer_group")))
        .setMessageId(limit.apply(attributes.firstText("messaging.message.id", "messaging.message_id")))
        .setConversationId(limit.apply(attributes.firstText(
            "messaging.message.conversation_id", "messaging.conversation_id")))
        .setPartition(partition(attributes))
        .setOffset(nonNegative(attributes.firstInteger("messaging.kafka.message.offset", "messaging.kafka.offset")))
        .build();
  }

  private static Integer partition(Attributes attributes) {
    // The current conventions made the partition a string id; older ones had ints, on either side of the hop.
    Long partition = nonNegative(attributes.firstInteger("messaging.destination.partition.id",
        "messaging.kafka.destination.partition", "messaging.kafka.partition", "messaging.kafka.source.partition"));
    return partition == null || partition > Integer.MAX_VALUE ? null : partition.intValue();
  }

  // Kafka partitions and offsets are never negative; clients use -1 for "unknown", which is as good as absent.
  private static Long nonNegative(Long value) {
    return value == null || value < 0 ? null : value;
  }

  /** Operation and destination as conventional span names state them, old style first, then new style. */
  private record NameParts(String operation, String destination) {
    static NameParts of(String spanName) {
      String[] words = spanName == null ? new String[0] : spanName.trim().split("\\s+");
      if (words.length == 0 || words[0].isEmpty()) {
        return new NameParts(null, null);
      }
      String last = words[words.length - 1].toLowerCase(Locale.ROOT);
      if (OPERATION_WORDS.contains(last)) {
        return new NameParts(last, join(words, 0, words.length - 1));
      }
      String first = words[0].toLowerCase(Locale.ROOT);
      if (OPERATION_WORDS.contains(first)) {
        return new NameParts(first, join(words, 1, words.length));
      }
      return new NameParts(null, null);
    }

    private static String join(String[] words, int from, int to) {
      return from >= to ? null : String.join(" ", Arrays.copyOfRange(words, from, to));
    }
  }
}
