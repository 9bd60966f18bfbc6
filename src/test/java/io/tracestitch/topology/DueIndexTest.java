package io.tracestitch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.testing.InMemoryStores;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

class DueIndexTest {
  @Test
  void anEntryWhoseHandlingThrowsDoesNotStrandTheEntriesAfterIt() {
    KeyValueStore<String, String> store = InMemoryStores.open("due", Serdes.String());
    DueIndex due = new DueIndex(store);
    due.add(10, "poison");
    due.add(20, "w-1");
    due.add(30, "w-2");
    due.add(99, "later");

    List<String> handled = new ArrayList<>();
    try {
      for (DueIndex.Due entry : due.takeDue(50, 100)) {
        if (entry.id().equals("poison")) {
          throw new IllegalStateException("the punctuator fails on this workflow");
        }
        handled.add(entry.id());
      }
    } catch (IllegalStateException expected) {
      // What Kafka Streams' processing exception handler catches; the next punctuation goes on.
    }
    assertThat(handled).isEmpty();
    assertThat(due.contains(10, "poison")).as("the entry it failed on is gone").isFalse();
    assertThat(due.contains(20, "w-1")).as("the entries after it are still filed").isTrue();

    due.takeDue(50, 100).forEach(entry -> handled.add(entry.id()));
    assertThat(handled).containsExactly("w-1", "w-2");
    assertThat(due.contains(99, "later")).isTrue();
  }
}
