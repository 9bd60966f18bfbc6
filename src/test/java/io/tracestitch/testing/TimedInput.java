package io.tracestitch.testing;

import io.tracestitch.replay.ReplayDriver;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.header.Headers;

/** One input record of a scenario and when it reaches Kafka. */
public sealed interface TimedInput {
  long timestampMs();

  void pipeInto(ReplayDriver driver);

  record SpanBatch(Otlp batch, long timestampMs) implements TimedInput {
    @Override
    public void pipeInto(ReplayDriver driver) {
      driver.pipeSpans(null, batch.toProto(), timestampMs);
    }
  }

  record Event(String topic, String key, Headers headers, byte[] value, long timestampMs) implements TimedInput {
    @Override
    public void pipeInto(ReplayDriver driver) {
      driver.pipeEvent(topic, key == null ? null : key.getBytes(java.nio.charset.StandardCharsets.UTF_8), headers,
          value, timestampMs);
    }
  }

  /** Pipes the inputs in the order they reach Kafka. */
  static void pipeAll(List<TimedInput> inputs, ReplayDriver driver) {
    inputs.stream().sorted(Comparator.comparingLong(TimedInput::timestampMs)).forEach(i -> i.pipeInto(driver));
  }
}
