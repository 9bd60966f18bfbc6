package io.tracestitch.demo;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/** What a consuming service does with one record, and what its consumer should do next. */
@FunctionalInterface
interface RecordHandler {

  enum Outcome {
    /** Handled (successfully or not): commit past it. */
    DONE,
    /** Not handled yet: deliver the same record again after a back-off. */
    RETRY,
    /** The service is stuck: it handles nothing more, this record included, but keeps its group membership. */
    STALL
  }

  Outcome handle(ConsumerRecord<byte[], byte[]> record);
}
