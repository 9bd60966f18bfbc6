package io.tracestitch.topology.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.testing.InMemoryStores;
import io.tracestitch.avro.internal.StepTimes;
import io.tracestitch.topology.StitchSerdes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The learned step times on Kafka's in-memory store. */
class StepLearningTest {
  static final long HOUR = 3_600_000;
  KeyValueStore<String, StepTimes> store;
  StepLearning steps;

  @BeforeEach
  void openStore() {
    store = InMemoryStores.open(StepLearning.STORE, StitchSerdes.avro().stepTimes());
    steps = new StepLearning(store, Duration.ofHours(1), 10, 3);
  }

  static List<StepSample> runs(String key, long ms, int count) {
    List<StepSample> samples = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      samples.add(new StepSample(key, "inventory SELECT stock", ms * 1000));
    }
    return samples;
  }

  @Test
  void aStepHasNoUsualTimeUntilEnoughRunsWereLearned() {
    steps.learn(runs("select", 60, 9), 0);
    assertThat(steps.usual("select", 0)).isEmpty();

    steps.learn(runs("select", 60, 1), 0);
    assertThat(steps.usual("select", 0)).hasValueSatisfying(u -> {
      assertThat(u.samples()).isEqualTo(10);
      assertThat(u.medianMicros() / 1000).isBetween(55.0, 65.0);
    });
    assertThat(store.get("select").getStep()).isEqualTo("inventory SELECT stock");
  }

  @Test
  void aStepNotSeenForSomeHalfLivesFallsBelowEnoughAgain() {
    steps.learn(runs("select", 60, 12), 0);

    assertThat(steps.usual("select", HOUR / 4)).as("12 x 0.84").isPresent();
    assertThat(steps.usual("select", HOUR)).as("12 halved is 6, under 10").isEmpty();
  }

  @Test
  void oneWorkflowLearnsOneEntryPerStepAndAtMostItsCapOfSteps() {
    List<StepSample> workflow = new ArrayList<>(runs("a", 10, 40));
    workflow.addAll(runs("b", 10, 1));
    workflow.addAll(runs("c", 10, 1));
    workflow.addAll(runs("d", 10, 1));

    steps.learn(workflow, 0);

    assertThat(store.approximateNumEntries()).isEqualTo(3);
    assertThat(store.get("a").getSamples()).isEqualTo(40);
    assertThat(store.get("d")).isNull();
  }
}
