package io.tracestitch.testing;

import io.tracestitch.avro.internal.TraceMessage;
import io.tracestitch.avro.internal.TraceMessageType;
import io.tracestitch.avro.internal.WorkflowKind;
import io.tracestitch.avro.internal.WorkflowMessage;
import io.tracestitch.avro.internal.WorkflowMessageType;
import io.tracestitch.serdes.AvroSingleObjectSerde;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Records no stage of tracestitch can use, for each topic it reads: a tombstone (what a topic tool or a cleanup
 * script leaves), bytes that are not what is written there, and, for the routing topics, a record that decodes
 * but makes the stage reading it throw.
 */
public final class PoisonRecords {
  public static final byte[] GARBAGE = "\u00ff\u00fe not what belongs here".getBytes(StandardCharsets.ISO_8859_1);

  private PoisonRecords() {}

  /** For an input topic (spans or events): a tombstone and garbage. */
  public static List<ProducerRecord<byte[], byte[]>> input(String topic) {
    return List.of(record(topic, "poison-1", null), record(topic, "poison-2", GARBAGE));
  }

  /** For the by-trace topic: a tombstone, garbage, and a span record keyed by no trace at all. */
  public static List<ProducerRecord<byte[], byte[]>> byTrace(String topic) {
    byte[] keyless = AvroSingleObjectSerde.of(TraceMessage.class).serializer().serialize(topic,
        TraceMessage.newBuilder().setType(TraceMessageType.SPANS).setTraceId(Otlp.traceId(9_999)).build());
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(List.of(record(topic, "poison-trace", null),
        record(topic, "poison-trace", GARBAGE)));
    records.add(new ProducerRecord<>(topic, 0, null, keyless));
    return records;
  }

  /** For the by-workflow topic: a tombstone, garbage, and a merge into no workflow. */
  public static List<ProducerRecord<byte[], byte[]>> byWorkflow(String topic) {
    byte[] mergeIntoNothing = AvroSingleObjectSerde.of(WorkflowMessage.class).serializer().serialize(topic,
        WorkflowMessage.newBuilder().setType(WorkflowMessageType.MERGE).setWorkflowId("poison-workflow")
            .setWorkflowKind(WorkflowKind.CORRELATION).build());
    return List.of(record(topic, "poison-workflow", null), record(topic, "poison-workflow", GARBAGE),
        record(topic, "poison-workflow", mergeIntoNothing));
  }

  /** For the findings topic: a tombstone and garbage. */
  public static List<ProducerRecord<byte[], byte[]>> findings(String topic) {
    return List.of(record(topic, "tracestitch/POISON/x/y", null), record(topic, "tracestitch/POISON/x/y", GARBAGE));
  }

  private static ProducerRecord<byte[], byte[]> record(String topic, String key, byte[] value) {
    return new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value);
  }
}
