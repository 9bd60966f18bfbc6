package io.tracestitch.app;

import io.tracestitch.config.TracestitchConfig;
import io.tracestitch.kafka.KafkaBrokerFixture;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings for an application under test on the shared broker, with topics of its own (named after
 * {@code prefix}), a free HTTP port, and clocks short enough for a test: a 2 s quiet gap, a 0.5 s trace
 * hold, punctuation every 250 ms. Callers add what their scenario needs.
 */
final class IsolatedApp {
  private IsolatedApp() {}

  static Map<String, String> settings(String prefix, int partitions) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put(TracestitchConfig.BOOTSTRAP_SERVERS, KafkaBrokerFixture.shared().bootstrapServers());
    settings.put(TracestitchConfig.APPLICATION_ID, prefix);
    settings.put(TracestitchConfig.SPANS_TOPIC, prefix + "-spans");
    settings.put(TracestitchConfig.EVENTS_TOPICS, WorkflowFeed.eventTopic(prefix + "-"));
    settings.put(TracestitchConfig.GRAPHS_TOPIC, prefix + "-graphs");
    settings.put(TracestitchConfig.ALERTS_TOPIC, prefix + "-alerts");
    settings.put(TracestitchConfig.DLQ_TOPIC, prefix + "-dlq");
    settings.put(TracestitchConfig.INTERNAL_TOPIC_PARTITIONS, String.valueOf(partitions));
    // A free port each: two instances in one JVM, or anything else on this machine, may hold 8080.
    settings.put(TracestitchConfig.HTTP_PORT, "0");
    settings.put(TracestitchConfig.INACTIVITY_GAP_MS, "2000");
    settings.put(TracestitchConfig.TRACE_HOLD_MS, "500");
    settings.put(TracestitchConfig.PUNCTUATION_INTERVAL_MS, "250");
    return settings;
  }
}
