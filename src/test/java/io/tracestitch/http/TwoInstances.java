package io.tracestitch.http;

import io.tracestitch.app.TracestitchApp;
import io.tracestitch.config.TracestitchConfig;
import io.tracestitch.kafka.KafkaBrokerFixture;
import io.tracestitch.testing.Orders;
import io.tracestitch.testing.TimedInput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Settings and inputs shared by the HTTP integration tests: an application on the shared broker
 * with its own topic names, HTTP on a free port advertised as application.server, and order
 * workflows produced to its input topics.
 */
final class TwoInstances {
  static final int INPUT_PARTITIONS = 3;
  static final int INTERNAL_PARTITIONS = 4;

  private TwoInstances() {}

  /** Topic names and settings of one application (all its instances share them). */
  record Application(String prefix, Map<String, String> settings) {
    String spans() {
      return prefix + "-spans";
    }

    String orders() {
      return prefix + "-" + Orders.ORDER_CREATED;
    }

    String graphs() {
      return prefix + "-graphs";
    }

    TracestitchApp instance() {
      return new TracestitchApp(TracestitchConfig.load(Map.of(), Map.of(), settings), List.of());
    }
  }

  /**
   * A new application: its input topics created with several partitions, every order.created
   * event declared to need the consumer "shipping" within 10 minutes, so an order without it stays
   * unfinished (open) for the whole test.
   */
  static Application application(String name) {
    String prefix = name + "-" + Long.toHexString(System.nanoTime());
    Path contracts;
    try {
      contracts = Files.createTempFile("contracts-" + prefix, ".yaml");
      Files.writeString(contracts, "contracts:\n  - event: order.created\n    consumers:\n"
          + "      - name: shipping\n        deadline: 10m\n");
      contracts.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> settings = new HashMap<>();
    settings.put(TracestitchConfig.BOOTSTRAP_SERVERS, KafkaBrokerFixture.shared().bootstrapServers());
    settings.put(TracestitchConfig.APPLICATION_ID, prefix);
    settings.put(TracestitchConfig.SPANS_TOPIC, prefix + "-spans");
    settings.put(TracestitchConfig.EVENTS_TOPICS, prefix + "-" + Orders.ORDER_CREATED);
    settings.put(TracestitchConfig.GRAPHS_TOPIC, prefix + "-graphs");
    settings.put(TracestitchConfig.DLQ_TOPIC, prefix + "-dlq");
    settings.put(TracestitchConfig.ALERTS_TOPIC, prefix + "-alerts");
    settings.put(TracestitchConfig.INTERNAL_TOPIC_PARTITIONS, String.valueOf(INTERNAL_PARTITIONS));
    settings.put(TracestitchConfig.INACTIVITY_GAP_MS, "2000");
    settings.put(TracestitchConfig.TRACE_HOLD_MS, "500");
    settings.put(TracestitchConfig.PUNCTUATION_INTERVAL_MS, "200");
    settings.put(TracestitchConfig.CONTRACTS_FILE, contracts.toString());
    settings.put(TracestitchConfig.HTTP_PORT, "0");
    settings.put(TracestitchConfig.APPLICATION_SERVER, "127.0.0.1:0");
    settings.put("commit.interval.ms", "200");
    // A closed instance does not leave the group; its successor must not wait 45 s for it to expire.
    settings.put("session.timeout.ms", "6000");
    settings.put("heartbeat.interval.ms", "1000");
    KafkaBrokerFixture.shared().createTopics(Map.of(prefix + "-spans", INPUT_PARTITIONS,
        prefix + "-" + Orders.ORDER_CREATED, INPUT_PARTITIONS));
    return new Application(prefix, settings);
  }

  /** Produces every input of the orders, in the order they would reach Kafka; returns how many span batches. */
  static int produce(Application app, List<Orders> orders) {
    List<TimedInput> inputs = new ArrayList<>();
    orders.forEach(o -> inputs.addAll(o.inputs()));
    inputs.sort(Comparator.comparingLong(TimedInput::timestampMs));
    int batches = 0;
    for (TimedInput input : inputs) {
      if (input instanceof TimedInput.SpanBatch b) {
        KafkaBrokerFixture.produce(app.spans(), List.of(new ProducerRecord<>(app.spans(), null, b.timestampMs(), null,
            b.batch().toProto())));
        batches++;
      } else if (input instanceof TimedInput.Event e) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(app.orders(), null, e.timestampMs(),
            e.key().getBytes(StandardCharsets.UTF_8), e.value());
        for (Header h : e.headers()) {
          record.headers().add(h);
        }
        KafkaBrokerFixture.produce(app.orders(), List.of(record));
      }
    }
    return batches;
  }
}
