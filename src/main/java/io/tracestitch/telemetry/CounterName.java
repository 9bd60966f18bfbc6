package io.tracestitch.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import java.util.Locale;

/**
 * Where one of {@link io.tracestitch.topology.StitchCounters}' names goes: which metric, with which
 * attributes. The counters are named where they are counted ({@code <topic>|USED},
 * {@code workflows.published}, {@code alerts.silent_failure.trigger}); metrics group them, so a new
 * topic or alert kind is a new attribute value, never a new metric name. A name no rule knows still
 * shows, under {@link #OTHER} with its name as the attribute.
 */
record CounterName(String metric, Attributes attributes) {
  static final String INPUT_RECORDS = "tracestitch.input.records";
  static final String WORKFLOWS = "tracestitch.workflows";
  static final String SPANS = "tracestitch.spans";
  static final String ALERTS_SENT = "tracestitch.alerts.sent";
  static final String ALERTS_SUPPRESSED = "tracestitch.alerts.suppressed";
  static final String FAILURES = "tracestitch.failures";
  static final String OTHER = "tracestitch.counters";

  static final AttributeKey<String> TOPIC = AttributeKey.stringKey("topic");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outcome");
  static final AttributeKey<String> EVENT = AttributeKey.stringKey("event");
  static final AttributeKey<String> KIND = AttributeKey.stringKey("kind");
  static final AttributeKey<String> ACTION = AttributeKey.stringKey("action");
  static final AttributeKey<String> REASON = AttributeKey.stringKey("reason");
  static final AttributeKey<String> NAME = AttributeKey.stringKey("name");
  static final AttributeKey<String> STAGE = AttributeKey.stringKey("stage");
  static final AttributeKey<String> WHERE = AttributeKey.stringKey("where");

  private static final String SUPPRESSED_PREFIX = "alerts.suppressed_";
  private static final String FAILURES_PREFIX = "failures.";

  static CounterName of(String counter) {
    // failures.<stage>.<topic or processor>: the topic may hold dots and bars, the stage holds neither.
    if (counter.startsWith(FAILURES_PREFIX) && counter.indexOf('.', FAILURES_PREFIX.length()) > 0) {
      int dot = counter.indexOf('.', FAILURES_PREFIX.length());
      return new CounterName(FAILURES, Attributes.of(STAGE, counter.substring(FAILURES_PREFIX.length(), dot),
          WHERE, counter.substring(dot + 1)));
    }
    int bar = counter.lastIndexOf('|');
    if (bar > 0) {
      return new CounterName(INPUT_RECORDS, Attributes.of(TOPIC, counter.substring(0, bar),
          OUTCOME, counter.substring(bar + 1).toLowerCase(Locale.ROOT)));
    }
    if (counter.startsWith("workflows.")) {
      return new CounterName(WORKFLOWS, Attributes.of(EVENT, counter.substring("workflows.".length())));
    }
    if (counter.startsWith("spans.")) {
      return new CounterName(SPANS, Attributes.of(EVENT, counter.substring("spans.".length())));
    }
    if (counter.startsWith(SUPPRESSED_PREFIX)) {
      return new CounterName(ALERTS_SUPPRESSED, Attributes.of(REASON, counter.substring(SUPPRESSED_PREFIX.length())));
    }
    String[] parts = counter.split("\\.");
    if (parts.length == 3 && parts[0].equals("alerts")) {
      return new CounterName(ALERTS_SENT, Attributes.of(KIND, parts[1], ACTION, parts[2]));
    }
    return new CounterName(OTHER, Attributes.of(NAME, counter));
  }
}
