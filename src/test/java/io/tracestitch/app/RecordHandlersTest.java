package io.tracestitch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracestitch.topology.StitchCounters;
import io.tracestitch.topology.StitchSettings;
import io.tracestitch.topology.deadletter.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * The handlers on Kafka Streams' own test driver, with a processor that fails on purpose: a record it throws on
 * is dead-lettered and the next one is processed; a punctuation that throws is skipped and runs again; a failure
 * of the infrastructure (the broker away) is not blamed on the record but passed on to Kafka Streams.
 */
class RecordHandlersTest {
  private static final StitchSettings SETTINGS = StitchSettings.defaults();
  private final StitchCounters counters = new StitchCounters();
  private final AtomicInteger punctuations = new AtomicInteger();

  @Test
  void aRecordTheProcessorThrowsOnIsDeadLetteredAndTheNextOneIsProcessed() throws Exception {
    try (TopologyTestDriver driver = driver()) {
      TestInputTopic<String, String> in = driver.createInputTopic(SETTINGS.byTraceTopic(), new StringSerializer(),
          new StringSerializer());
      TestOutputTopic<String, String> out = driver.createOutputTopic("out", new StringDeserializer(),
          new StringDeserializer());
      in.pipeInput("a", "fine");
      in.pipeInput("b", "boom");
      in.pipeInput("c", "fine too");

      assertThat(out.readValuesToList()).containsExactly("fine", "fine too");
      List<TestRecord<byte[], byte[]>> dlq = driver.createOutputTopic(SETTINGS.deadLetterTopic(),
          new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
          new org.apache.kafka.common.serialization.ByteArrayDeserializer()).readRecordsToList();
      assertThat(dlq).hasSize(1);
      assertThat(new String(dlq.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("boom");
      assertThat(new String(dlq.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("b");
      assertThat(header(dlq.get(0), DeadLetters.OFFSET)).isEqualTo("1");
      assertThat(header(dlq.get(0), DeadLetters.REASON)).isEqualTo("PROCESSING_FAILURE");
      assertThat(header(dlq.get(0), DeadLetters.MESSAGE)).contains("IllegalStateException: cannot use 'boom'");
      assertThat(counters.get("failures.processing." + SETTINGS.byTraceTopic())).isEqualTo(1);
    }
  }

  @Test
  void aPunctuationThatThrowsIsSkippedCountedAndRunsAgain() throws Exception {
    try (TopologyTestDriver driver = driver()) {
      driver.advanceWallClockTime(Duration.ofSeconds(1));
      driver.advanceWallClockTime(Duration.ofSeconds(1));
      driver.advanceWallClockTime(Duration.ofSeconds(1));
      assertThat(punctuations.get()).as("punctuations run, the first two of them throwing").isEqualTo(3);
      assertThat(counters.get("failures.punctuation.fails-on-purpose")).isEqualTo(2);
    }
  }

  @Test
  void aBrokerThatIsAwayIsPassedOnToKafkaStreamsNotBlamedOnTheRecord() throws Exception {
    try (TopologyTestDriver driver = driver()) {
      TestInputTopic<String, String> in = driver.createInputTopic(SETTINGS.byTraceTopic(), new StringSerializer(),
          new StringSerializer());
      assertThatThrownBy(() -> in.pipeInput("a", "timeout")).isInstanceOf(StreamsException.class)
          .hasRootCauseInstanceOf(TimeoutException.class);
      assertThat(counters.get("failures.processing.infrastructure")).isEqualTo(1);
      assertThat(counters.get("failures.processing." + SETTINGS.byTraceTopic())).isZero();
    }
  }

  private TopologyTestDriver driver() throws Exception {
    Topology topology = new Topology();
    topology.addSource("source", new StringDeserializer(), new StringDeserializer(), SETTINGS.byTraceTopic());
    topology.addProcessor("fails-on-purpose", FailsOnPurpose::new, "source");
    topology.addSink("sink", "out", new StringSerializer(), new StringSerializer(), "fails-on-purpose");
    Path state = Files.createTempDirectory("handlers-test");
    state.toFile().deleteOnExit();
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "handlers-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
    RecordFailures.install(props, SETTINGS, counters);
    return new TopologyTestDriver(topology, props, Instant.parse("2026-01-01T00:00:00Z"));
  }

  private final class FailsOnPurpose implements Processor<String, String, String, String> {
    private ProcessorContext<String, String> context;

    @Override
    public void init(ProcessorContext<String, String> context) {
      this.context = context;
      context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, now -> {
        if (punctuations.incrementAndGet() <= 2) {
          throw new IllegalStateException("a deadline check that fails");
        }
      });
    }

    @Override
    public void process(Record<String, String> record) {
      if (record.value().equals("boom")) {
        throw new IllegalStateException("cannot use 'boom'");
      }
      if (record.value().equals("timeout")) {
        throw new TimeoutException("the broker did not answer in time");
      }
      context.forward(record);
    }
  }

  private static String header(TestRecord<byte[], byte[]> record, String name) {
    var h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
