package io.tracestitch.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.apache.kafka.streams.processor.api.Record;

/**
 * A {@link MockProcessorContext} for a unit test of one stitching stage: the stage's stores opened in memory
 * ({@link InMemoryStores}), a wall clock the test moves, punctuations fired on purpose, and what the stage forwarded
 * read per child. A task that never committed: Kafka Streams has no partition time to restore.
 */
public final class StageContext {
  private final MockProcessorContext<String, Object> context;

  public StageContext(long wallMs) {
    Properties props = new Properties();
    // The clock of a later stage waits two tick intervals plus a commit for an upstream tick: a known commit interval.
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "1000");
    context = new MockProcessorContext<>(props);
    context.setCurrentSystemTimeMs(wallMs);
    context.setCurrentStreamTimeMs(-1);
  }

  public MockProcessorContext<String, Object> context() {
    return context;
  }

  /** Opens a store in memory under {@code name}, where the stage's {@code init} finds it. */
  public <V> StageContext withStore(String name, Serde<V> values) {
    context.addStateStore(InMemoryStores.open(context, name, values));
    return this;
  }

  public void wall(long wallMs) {
    context.setCurrentSystemTimeMs(wallMs);
  }

  /** Fires every punctuator the stage scheduled, at the current wall time. */
  public void punctuate() {
    for (CapturedPunctuator punctuator : context.scheduledPunctuators()) {
      punctuator.getPunctuator().punctuate(context.currentSystemTimeMs());
    }
  }

  /** The records forwarded to {@code child} since the last {@link #forget}, in order; a tombstone's value is null. */
  @SuppressWarnings("unchecked")
  public <V> List<Record<String, V>> forwarded(String child) {
    List<Record<String, V>> records = new ArrayList<>();
    for (CapturedForward<? extends String, ?> forward : context.forwarded()) {
      if (forward.childName().map(child::equals).orElse(false)) {
        records.add((Record<String, V>) forward.record());
      }
    }
    return records;
  }

  public void forget() {
    context.resetForwards();
  }
}
