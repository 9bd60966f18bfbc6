package io.tracestitch.kafka;

import java.io.IOException;

/**
 * The embedded broker on its own, for scripts that drive clients of other languages against it (see
 * src/test/node/kafkajs-fixtures): prints {@code BOOTSTRAP host:port} once it is up, and stops when its
 * standard input closes.
 */
public final class StandaloneBroker {
  private StandaloneBroker() {}

  public static void main(String[] args) throws IOException {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(null)) {
      System.out.println("BOOTSTRAP " + broker.bootstrapServers());
      System.out.flush();
      // Blocks until whoever started this closes our standard input (or ends).
      while (System.in.read() != -1) {
        // nothing to read: only the end of input matters
      }
    }
    System.out.println("STOPPED");
  }
}
