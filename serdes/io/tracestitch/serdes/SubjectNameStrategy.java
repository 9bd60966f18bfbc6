package io.tracestitch.serdes;

import java.util.Locale;
import org.apache.avro.Schema;

/**
 * Which registry subject a schema is filed under, matching Confluent's three strategies so a
 * topic's existing subjects keep being used.
 */
public enum SubjectNameStrategy {
  /** {@code <topic>-key} or {@code <topic>-value}: Confluent's default. */
  TOPIC,
  /** The record's full name, shared by every topic that carries it. */
  RECORD,
  /** {@code <topic>-<record full name>}. */
  TOPIC_RECORD;

  /** The subject for a key or value schema written to a topic. */
  public String subject(String topic, boolean isKey, Schema schema) {
    switch (this) {
      case RECORD:
        return schema.getFullName();
      case TOPIC_RECORD:
        return topic + "-" + schema.getFullName();
      default:
        return topic + (isKey ? "-key" : "-value");
    }
  }

  /**
   * Reads Confluent's class names ({@code io.confluent...TopicNameStrategy}) as well as this
   * enum's own names.
   *
   * @throws IllegalArgumentException for any other strategy
   */
  public static SubjectNameStrategy parse(String text) {
    String name = text.strip();
    // TopicRecordNameStrategy also ends with RecordNameStrategy, so it is checked first.
    if (name.endsWith("TopicRecordNameStrategy")) {
      return TOPIC_RECORD;
    }
    if (name.endsWith("TopicNameStrategy")) {
      return TOPIC;
    }
    if (name.endsWith("RecordNameStrategy")) {
      return RECORD;
    }
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Unknown subject name strategy '" + text + "'; use"
          + " TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy.", e);
    }
  }
}
