package io.tracestitch.topology;

import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER;
import static io.tracestitch.testing.Otlp.spanId;
import static io.tracestitch.testing.Otlp.traceId;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.internal.TraceMessage;
import io.tracestitch.avro.internal.TraceMessageType;
import io.tracestitch.avro.internal.WorkflowMessage;
import io.tracestitch.avro.internal.WorkflowMessageType;
import io.tracestitch.replay.ReplayDriver;
import io.tracestitch.serdes.AvroSingleObjectSerde;
import io.tracestitch.testing.Checkout;
import io.tracestitch.testing.Otlp;
import io.tracestitch.topology.deadletter.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * Records on the routing topics that no stage can use — a tombstone from a topic tool, bytes that are not the
 * record written there, a record that decodes but makes the stage throw — go to the dead-letter topic with their
 * coordinates and a reason, are counted, and the workflows around them are still stitched. Before Kafka Streams'
 * processing exception handler was set, the first of these made the stream thread fail and be replaced forever.
 */
class PoisonRecordTest {
  static final long T = Checkout.T0;
  static final StitchSettings SETTINGS = CheckoutWorkflowTest.SETTINGS;

  @Test
  void poisonOnEveryRoutingTopicIsDeadLetteredWithItsCoordinatesAndStitchingGoesOn() {
    byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);
    // A real TraceMessage, but keyed by nothing: the trace router cannot look a null trace id up.
    byte[] keylessSpans = AvroSingleObjectSerde.of(TraceMessage.class).serializer().serialize("t",
        TraceMessage.newBuilder().setType(TraceMessageType.SPANS).setTraceId(traceId(9)).build());
    // A merge that names no target: the stitcher cannot merge into nothing.
    byte[] mergeIntoNothing = AvroSingleObjectSerde.of(WorkflowMessage.class).serializer().serialize("t",
        WorkflowMessage.newBuilder().setType(WorkflowMessageType.MERGE).setWorkflowId("order-9")
            .setWorkflowKind(io.tracestitch.avro.internal.WorkflowKind.CORRELATION).build());
    try (ReplayDriver driver = new ReplayDriver(SETTINGS, Instant.ofEpochMilli(T))) {
      TestInputTopic<byte[], byte[]> byTrace = input(driver, SETTINGS.byTraceTopic());
      TestInputTopic<byte[], byte[]> byWorkflow = input(driver, SETTINGS.byWorkflowTopic());
      TestInputTopic<byte[], byte[]> findings = input(driver, SETTINGS.findingsTopic());

      driver.pipeSpans(null, order("order-1", 1), T + 100);
      byTrace.pipeInput(record("trace-a", null, T + 200));
      byTrace.pipeInput(record("trace-b", garbage, T + 210));
      byTrace.pipeInput(record(null, keylessSpans, T + 220));
      byWorkflow.pipeInput(record("order-9", null, T + 230));
      byWorkflow.pipeInput(record("order-9", garbage, T + 240));
      byWorkflow.pipeInput(record("order-9", mergeIntoNothing, T + 250));
      findings.pipeInput(record("tracestitch/x", null, T + 260));
      findings.pipeInput(record("tracestitch/x", garbage, T + 270));
      driver.pipeSpans(null, order("order-2", 2), T + 300);
      driver.finish();

      assertThat(driver.graphs()).extracting(g -> g.getWorkflowId())
          .as("the workflows before and after the poison").containsExactlyInAnyOrder("order-1", "order-2");
      List<TestRecord<byte[], byte[]>> dlq = driver.deadLetters();
      assertThat(dlq).extracting(r -> header(r, DeadLetters.TOPIC) + "@" + header(r, DeadLetters.OFFSET) + " "
              + header(r, DeadLetters.REASON))
          .containsExactly(
              // Offset 0 of each routing topic is order-1 on its way.
              SETTINGS.byTraceTopic() + "@1 EMPTY",
              SETTINGS.byTraceTopic() + "@2 UNDECODABLE",
              SETTINGS.byTraceTopic() + "@3 PROCESSING_FAILURE",
              SETTINGS.byWorkflowTopic() + "@1 EMPTY",
              SETTINGS.byWorkflowTopic() + "@2 UNDECODABLE",
              SETTINGS.byWorkflowTopic() + "@3 PROCESSING_FAILURE",
              SETTINGS.findingsTopic() + "@0 EMPTY",
              SETTINGS.findingsTopic() + "@1 UNDECODABLE");
      assertThat(dlq.get(1).value()).as("the bytes as they were read").isEqualTo(garbage);
      assertThat(dlq.get(5).value()).isEqualTo(mergeIntoNothing);
      assertThat(header(dlq.get(0), DeadLetters.STAGE)).isEqualTo(StitchTopology.TRACE_ROUTER);
      assertThat(header(dlq.get(0), DeadLetters.EXCEPTION)).isEqualTo(NullPointerException.class.getName());
      assertThat(header(dlq.get(0), DeadLetters.MESSAGE)).contains("tombstone");
      assertThat(header(dlq.get(1), DeadLetters.STAGE)).isEqualTo(StitchTopology.BY_TRACE_SOURCE);
      assertThat(header(dlq.get(1), DeadLetters.MESSAGE)).contains("C3 01");

      StitchCounters c = driver.counters();
      assertThat(c.get("failures.processing." + SETTINGS.byTraceTopic())).isEqualTo(2);
      assertThat(c.get("failures.deserialization." + SETTINGS.byTraceTopic())).isEqualTo(1);
      assertThat(c.get("failures.processing." + SETTINGS.byWorkflowTopic())).isEqualTo(2);
      assertThat(c.get("failures.deserialization." + SETTINGS.byWorkflowTopic())).isEqualTo(1);
      assertThat(c.get("failures.processing." + SETTINGS.findingsTopic())).isEqualTo(1);
      assertThat(c.get("failures.deserialization." + SETTINGS.findingsTopic())).isEqualTo(1);
    }
  }

  private static byte[] order(String correlationId, int n) {
    return Otlp.batch().span("order", traceId(500 + n), spanId(1), null, "POST /orders", SPAN_KIND_SERVER,
        T + n, T + n + 50).attr("correlation_id", correlationId).done().toProto();
  }

  private static TestInputTopic<byte[], byte[]> input(ReplayDriver driver, String topic) {
    return driver.driver().createInputTopic(topic, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static TestRecord<byte[], byte[]> record(String key, byte[] value, long timestampMs) {
    return new TestRecord<>(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, null,
        Instant.ofEpochMilli(timestampMs));
  }

  private static String header(TestRecord<byte[], byte[]> record, String name) {
    var h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
