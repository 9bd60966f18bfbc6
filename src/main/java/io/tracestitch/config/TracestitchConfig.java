package io.tracestitch.config;

import io.tracestitch.delivery.DeliverySettings;
import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.Severity;
import io.tracestitch.serdes.OutputFormat;
import io.tracestitch.topology.StitchSettings;
import io.tracestitch.topology.alert.AlertSettings;
import io.tracestitch.topology.expect.ExpectationSettings;
import io.tracestitch.topology.graph.DiagnosisSettings;
import io.tracestitch.topology.ingest.EventIdentitySettings;
import io.tracestitch.topology.ingest.SpanAttributeSettings;
import io.tracestitch.topology.ingest.SpanEncoding;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Every tracestitch setting, with its type, default, validation and documentation in one place (the
 * README's settings table is checked against this class by a test). Any setting not defined here is
 * handed to Kafka Streams and its clients unchanged, so SASL/SSL and every other client option work
 * as documented by Kafka.
 */
public final class TracestitchConfig extends AbstractConfig {
  public static final String BOOTSTRAP_SERVERS = StreamsConfig.BOOTSTRAP_SERVERS_CONFIG;
  public static final String APPLICATION_ID = StreamsConfig.APPLICATION_ID_CONFIG;

  public static final String SPANS_TOPIC = "spans.topic";
  public static final String SPANS_ENCODING = "spans.encoding";
  public static final String EVENTS_TOPICS = "events.topics";
  public static final String EVENTS_TOPIC_PATTERN = "events.topic.pattern";
  public static final String GRAPHS_TOPIC = "graphs.topic";
  public static final String ALERTS_TOPIC = "alerts.topic";
  public static final String DLQ_TOPIC = "dlq.topic";
  public static final String INTERNAL_TOPIC_PARTITIONS = "internal.topic.partitions";
  public static final String OUTPUT_FORMAT = "output.format";
  public static final String TOPICS_CREATE = "topics.create";
  public static final String CONTRACTS_FILE = "contracts.file";
  public static final String EXPECT_MIN_EVENTS = "expectations.min.events";
  public static final String EXPECT_MIN_RATIO = "expectations.min.ratio";
  public static final String EXPECT_DEADLINE_FLOOR_MS = "expectations.deadline.floor.ms";
  public static final String EXPECT_DEADLINE_MULTIPLIER = "expectations.deadline.multiplier";
  public static final String EXPECT_FORGET_AFTER_MS = "expectations.forget.after.ms";
  public static final String EXPECT_HALF_LIFE_MS = "expectations.half.life.ms";
  public static final String FINDINGS_REPEATED_CALLS_MIN = "findings.repeated.calls.min";
  public static final String FINDINGS_SLOW_STEP_FACTOR = "findings.slow.step.factor";
  public static final String TELEMETRY_PUBLISH_UNRECORDED = "telemetry.publish.unrecorded";
  public static final String FINDINGS_SLOW_STEP_MIN_EXCESS_MS = "findings.slow.step.min.excess.ms";
  public static final String FINDINGS_SLOW_STEP_MIN_SAMPLES = "findings.slow.step.min.samples";
  public static final String FINDINGS_STEPS_HALF_LIFE_MS = "findings.steps.half.life.ms";
  public static final String FINDINGS_ERROR_ORIGIN_SEVERITY = "findings.error.origin.alert.severity";
  public static final String FINDINGS_REPEATED_CALLS_SEVERITY = "findings.repeated.calls.alert.severity";
  public static final String FINDINGS_SLOW_STEP_SEVERITY = "findings.slow.step.alert.severity";
  public static final String EXPECT_BASELINE_PERCENTILE = "expectations.baseline.percentile";
  public static final String EXPECT_BASELINE_HALF_LIFE_MS = "expectations.baseline.half.life.ms";
  public static final String EXPECT_BASELINE_MAX_CHANGE = "expectations.baseline.max.change.per.hour";
  public static final String EXPECT_MAX_KEYS = "expectations.max.keys";
  public static final String EXPECT_MAX_CONSUMERS_PER_EVENT = "expectations.max.consumers.per.event";
  public static final String ALERT_RESEND_MS = "alerts.resend.interval.ms";
  public static final String ALERT_RESOLVE_AFTER_MS = "alerts.resolve.after.ms";
  public static final String ALERT_QUIET_MS = "alerts.quiet.period.ms";
  public static final String ALERT_MAX_GROUPS = "alerts.max.groups";
  public static final String ALERT_OFFSETS_REFRESH_MS = "alerts.offsets.refresh.ms";
  public static final String ALERT_OFFSETS_TIMEOUT_MS = "alerts.offsets.timeout.ms";
  public static final String ALERT_TELEMETRY_HOLD_MS = "alerts.telemetry.hold.ms";
  public static final String ALERT_TELEMETRY_MISSING = "alerts.telemetry.missing.alert";
  public static final String ALERT_MAX_LAG_MS = "alerts.max.lag.ms";
  public static final String ALERT_SOURCE = "alerts.source";
  public static final String ALERT_LINK_TEMPLATE = "alerts.link.template";
  public static final String ALERT_FORMAT = "alerts.format";
  public static final String ALERT_PAGERDUTY_ROUTING_KEY = "alerts.pagerduty.routing.key";
  public static final String DELIVERY_TARGETS = "delivery.targets";
  public static final String DELIVERY_GROUP_ID = "delivery.group.id";
  public static final String DELIVERY_ALERTMANAGER_URL = "delivery.alertmanager.url";
  public static final String DELIVERY_ALERTMANAGER_REPOST_MS = "delivery.alertmanager.repost.interval.ms";
  public static final String DELIVERY_ALERTMANAGER_FIRING_HOLD_MS = "delivery.alertmanager.firing.hold.ms";
  public static final String DELIVERY_PAGERDUTY_URL = "delivery.pagerduty.url";
  public static final String DELIVERY_RETRY_INITIAL_MS = "delivery.retry.initial.ms";
  public static final String DELIVERY_RETRY_MAX_MS = "delivery.retry.max.ms";
  public static final String DELIVERY_REQUEST_TIMEOUT_MS = "delivery.request.timeout.ms";
  public static final String DELIVERY_UNREADY_AFTER_MS = "delivery.unready.after.ms";
  public static final String EMBEDDED_DATA_DIR = "embedded.data.dir";
  public static final String HTTP_PORT = "http.port";
  public static final String ROCKSDB_MEMORY_BYTES = "rocksdb.memory.bytes";
  public static final String HTTP_PEER_TIMEOUT_MS = "http.peer.timeout.ms";
  public static final String METRICS_OTLP_ENDPOINT = "metrics.otlp.endpoint";
  public static final String METRICS_OTLP_INTERVAL_MS = "metrics.otlp.interval.ms";
  /** Kafka Streams' own setting, passed through; the HTTP API reads it to know which instance it is. */
  public static final String APPLICATION_SERVER = StreamsConfig.APPLICATION_SERVER_CONFIG;

  public static final String TRACE_HOLD_MS = "trace.hold.ms";
  public static final String INACTIVITY_GAP_MS = "workflow.inactivity.gap.ms";
  public static final String MAX_DURATION_MS = "workflow.max.duration.ms";
  public static final String RETENTION_MS = "workflow.retention.ms";
  public static final String MAX_SPANS = "workflow.max.spans";
  public static final String PUNCTUATION_INTERVAL_MS = "punctuation.interval.ms";
  public static final String MAX_SPANS_PER_RECORD = "internal.max.spans.per.record";
  public static final String CLOCK_SKEW_TOLERANCE_MS = "clock.skew.tolerance.ms";

  public static final String SPAN_CORRELATION_ATTRIBUTES = "spans.correlation.attributes";
  public static final String SPAN_EVENT_ID_ATTRIBUTES = "spans.event.id.attributes";
  public static final String SPAN_EVENT_NAME_ATTRIBUTES = "spans.event.name.attributes";
  public static final String SPAN_MAX_ATTRIBUTES = "spans.max.attributes";
  public static final String SPAN_MAX_ATTRIBUTE_CHARS = "spans.max.attribute.chars";
  public static final String SPAN_KEPT_ATTRIBUTES = "spans.kept.attributes";

  public static final String EVENT_ID_HEADERS = "events.event.id.headers";
  public static final String EVENT_NAME_HEADERS = "events.event.name.headers";
  public static final String EVENT_CORRELATION_HEADERS = "events.correlation.headers";
  public static final String EVENT_TRACE_ID_HEADERS = "events.trace.id.headers";
  public static final String EVENT_SPAN_ID_HEADERS = "events.span.id.headers";
  public static final String EVENT_PARENT_SPAN_ID_HEADERS = "events.parent.span.id.headers";
  public static final String EVENT_BAGGAGE_CORRELATION_KEYS = "events.baggage.correlation.keys";
  public static final String EVENT_ID_POINTERS = "events.event.id.pointers";
  public static final String EVENT_NAME_POINTERS = "events.event.name.pointers";
  public static final String EVENT_CORRELATION_POINTERS = "events.correlation.pointers";
  public static final String EVENT_TRACEPARENT_POINTERS = "events.traceparent.pointers";
  public static final String EVENT_TRACE_ID_POINTERS = "events.trace.id.pointers";
  public static final String EVENT_SPAN_ID_POINTERS = "events.span.id.pointers";
  public static final String EVENT_PARENT_SPAN_ID_POINTERS = "events.parent.span.id.pointers";
  public static final String EVENT_SOURCE_POINTERS = "events.source.pointers";

  /** Environment variables with this prefix override settings: TRACESTITCH_SPANS_TOPIC sets spans.topic. */
  public static final String ENV_PREFIX = "TRACESTITCH_";

  private static final StitchSettings D = StitchSettings.defaults();
  private static final SpanAttributeSettings SA = SpanAttributeSettings.defaults();
  private static final EventIdentitySettings EI = EventIdentitySettings.defaults();
  private static final ExpectationSettings EX = ExpectationSettings.defaults();
  private static final AlertSettings AL = AlertSettings.defaults();
  private static final ConfigDef.Validator DELIVERY_TARGET_NAMES = (name, value) -> {
    for (Object target : (List<?>) value) {
      try {
        DeliverySettings.Target.named(target.toString());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(name, value, e.getMessage());
      }
    }
  };
  private static final DiagnosisSettings DG = DiagnosisSettings.defaults();
  private static final ConfigDef.Validator SEVERITY = ConfigDef.CaseInsensitiveValidString.in("", "critical", "error",
      "warning", "info");

  public static final ConfigDef DEFINITION = new ConfigDef()
      .define(BOOTSTRAP_SERVERS, Type.LIST, List.of(), Importance.HIGH,
          "Kafka brokers to connect to. Empty: start an embedded single-node Kafka broker inside this JVM "
              + "(for trying tracestitch out, not for production).")
      .define(APPLICATION_ID, Type.STRING, "tracestitch", new ConfigDef.NonEmptyString(), Importance.HIGH,
          "Kafka Streams application id: the consumer group, the prefix of state changelogs and of the two routing topics.")
      .define(SPANS_TOPIC, Type.STRING, D.spansTopic(), new ConfigDef.NonEmptyString(), Importance.HIGH,
          "The topic the OpenTelemetry Collector's Kafka exporter writes spans to.")
      .define(SPANS_ENCODING, Type.STRING, "otlp_proto", ConfigDef.ValidString.in("otlp_proto", "otlp_json"),
          Importance.HIGH, "The exporter's encoding of the span topic: otlp_proto or otlp_json.")
      .define(EVENTS_TOPICS, Type.LIST, List.of(), Importance.HIGH,
          "Business-event topics to read (read-only), comma-separated.")
      .define(EVENTS_TOPIC_PATTERN, Type.STRING, "", Importance.MEDIUM,
          "A regular expression of business-event topics; when set it replaces events.topics.")
      .define(GRAPHS_TOPIC, Type.STRING, D.graphsTopic(), new ConfigDef.NonEmptyString(), Importance.MEDIUM,
          "Where finished workflow graphs are published, keyed by workflow id.")
      .define(ALERTS_TOPIC, Type.STRING, D.alertsTopic(), new ConfigDef.NonEmptyString(), Importance.MEDIUM,
          "Where grouped alerts are published, keyed by dedup key (compacted).")
      .define(DLQ_TOPIC, Type.STRING, D.deadLetterTopic(), new ConfigDef.NonEmptyString(), Importance.MEDIUM,
          "Where input records that could not be used go, unchanged, with headers saying why.")
      .define(INTERNAL_TOPIC_PARTITIONS, Type.INT, 6, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
          "Partitions of the by-trace and by-workflow routing topics when tracestitch creates them: the ceiling on "
              + "useful instances.")
      .define(OUTPUT_FORMAT, Type.STRING, "avro", ConfigDef.CaseInsensitiveValidString.in("avro", "registry", "json"),
          Importance.MEDIUM, "Wire format of the graph and alert topics: avro (single-object encoding, no registry), "
              + "registry (Confluent wire format; set schema.registry.url) or json.")
      .define(TOPICS_CREATE, Type.BOOLEAN, true, Importance.LOW,
          "Create the topics tracestitch writes (routing, graphs, alerts, dead letters) when they are missing; "
              + "existing topics are never changed. Input topics are only created on the embedded broker.")
      .define(ROCKSDB_MEMORY_BYTES, Type.LONG, io.tracestitch.app.RocksDbMemoryBudget.DEFAULT_BYTES, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
          "All the memory RocksDB may use in this instance, shared by every state store: block cache, index and "
              + "filter blocks, and memtables (a quarter of it). Without a bound each store of each partition takes "
              + "its own cache and memtables, so native memory grows with partitions rather than data. Keep it "
              + "inside the container's memory outside the heap. 0 leaves RocksDB's per-store defaults; a "
              + "rocksdb.config.setter of your own replaces this.")
      .define(EMBEDDED_DATA_DIR, Type.STRING, "", Importance.LOW,
          "Where the embedded broker keeps its data; empty for a temporary directory deleted at exit.")
      .define(HTTP_PORT, Type.INT, 8080, ConfigDef.Range.between(0, 65535), Importance.MEDIUM,
          "Port of the HTTP server: /healthz, /readyz, /metrics and the workflow API under /api. 0 picks a free "
              + "port; an application.server ending in ':0' then advertises the port actually bound. The API forwards "
              + "a query for a workflow another instance holds to that instance's application.server (a Kafka "
              + "Streams setting: host:port of this server as the others reach it; unset, this host's name and this "
              + "port).")
      .define(HTTP_PEER_TIMEOUT_MS, Type.LONG, 10_000L, ConfigDef.Range.atLeast(100), Importance.LOW,
          "How long the HTTP API waits for another instance when it forwards a query or gathers a list from all "
              + "instances; an instance that does not answer in time makes the request fail with 502, never a partial "
              + "answer.")
      .define(METRICS_OTLP_ENDPOINT, Type.STRING, "", Importance.LOW,
          "Also push tracestitch's own metrics over OTLP/HTTP (protobuf) to this URL, e.g. "
              + "http://otel-collector:4318/v1/metrics; empty for none (they are always on /metrics).")
      .define(METRICS_OTLP_INTERVAL_MS, Type.LONG, 60_000L, ConfigDef.Range.atLeast(1000), Importance.LOW,
          "How often metrics are pushed to metrics.otlp.endpoint.")
      .define(CONTRACTS_FILE, Type.STRING, "", Importance.MEDIUM,
          "A YAML file of declared workflow contracts: event name -> consumers that must handle it, each with a "
              + "deadline; and terminal events. Empty: only learned expectations.")
      .define(EXPECT_MIN_EVENTS, Type.DOUBLE, EX.minObservations(), ConfigDef.Range.atLeast(1), Importance.LOW,
          "A consumer becomes expected for an event name only after it handled this many (decayed) events of it...")
      .define(EXPECT_MIN_RATIO, Type.DOUBLE, EX.minRatio(), ConfigDef.Range.between(0.01, 1), Importance.LOW,
          "...and at least this share of those seen since it first handled one. Once expected, misses (outages, "
              + "partial outages, retries) never undo it; only expectations.forget.after.ms does. A consumer that "
              + "handles a share of the events on purpose is expected only when its share is at least this.")
      .define(EXPECT_DEADLINE_FLOOR_MS, Type.LONG, EX.deadlineFloor().toMillis(), ConfigDef.Range.atLeast(1),
          Importance.MEDIUM, "A learned deadline is never shorter than this.")
      .define(EXPECT_DEADLINE_MULTIPLIER, Type.DOUBLE, EX.deadlineMultiplier(), ConfigDef.Range.atLeast(1),
          Importance.MEDIUM, "A learned deadline is this many times the consumer's baseline publish-to-success time "
              + "(expectations.baseline.percentile of its recent times).")
      .define(EXPECT_FORGET_AFTER_MS, Type.LONG, EX.forgetAfter().toMillis(), ConfigDef.Range.atLeast(1),
          Importance.MEDIUM, "A consumer that handled nothing for this long is no longer expected, so a consumer "
              + "removed on purpose does not page forever (it pages until then, as an outage would; its alert then "
              + "resolves after alerts.quiet.period.ms). The only way an expected consumer stops being expected.")
      .define(EXPECT_HALF_LIFE_MS, Type.LONG, EX.halfLife().toMillis(), ConfigDef.Range.atLeast(1), Importance.LOW,
          "The counts that decide whether a consumer becomes expected lose half their weight in this time.")
      .define(FINDINGS_REPEATED_CALLS_MIN, Type.INT, DG.repeatedCallsMin(), ConfigDef.Range.atLeast(2),
          Importance.LOW, "A span that made at least this many calls of the same shape (service, span name, route, "
              + "statement with literals stripped) one after another, none overlapping, gets a REPEATED_CALLS "
              + "finding (N+1). The same call fanned out in parallel is not counted.")
      .define(TELEMETRY_PUBLISH_UNRECORDED, Type.BOOLEAN, false, Importance.MEDIUM,
          "Whether a workflow nothing recorded is published: every event carries a trace context with the sampled "
              + "flag off (head sampling left it out) and no span arrived. Off by default, because its graph could "
              + "only claim a success nobody observed; when on, it is published with telemetry NOT_SAMPLED. Never "
              + "counted in learned expectations either way.")
      .define(FINDINGS_SLOW_STEP_FACTOR, Type.DOUBLE, DG.slowStepFactor(), ConfigDef.Range.atLeast(1), Importance.LOW,
          "A step on the critical path is SLOW_STEP when it took at least this many times its learned median, and "
              + "more than its own spread allows (6 x the log-distance from median to upper quartile).")
      .define(FINDINGS_SLOW_STEP_MIN_EXCESS_MS, Type.LONG, DG.slowStepMinExcess().toMillis(),
          ConfigDef.Range.atLeast(0), Importance.LOW, "...and at least this much longer than its median.")
      .define(FINDINGS_SLOW_STEP_MIN_SAMPLES, Type.DOUBLE, DG.slowStepMinSamples(), ConfigDef.Range.atLeast(1),
          Importance.LOW, "A step is judged only after this many (decayed) successful runs of it were learned.")
      .define(FINDINGS_STEPS_HALF_LIFE_MS, Type.LONG, DG.stepHalfLife().toMillis(), ConfigDef.Range.atLeast(1),
          Importance.LOW, "Learned step times lose half their weight in this time, so the usual time follows change.")
      .define(FINDINGS_ERROR_ORIGIN_SEVERITY, Type.STRING, "", SEVERITY, Importance.MEDIUM,
          "Empty: ERROR_ORIGIN findings are only on the graph. critical, error, warning or info: they also page, as "
              + "alerts of that severity grouped by origin service. Avro readers of the alert topic need Alert v2.")
      .define(FINDINGS_REPEATED_CALLS_SEVERITY, Type.STRING, "", SEVERITY, Importance.MEDIUM,
          "The same for REPEATED_CALLS, grouped by calling service and call.")
      .define(FINDINGS_SLOW_STEP_SEVERITY, Type.STRING, "", SEVERITY, Importance.MEDIUM,
          "The same for SLOW_STEP, grouped by service and step.")
      .define(EXPECT_BASELINE_PERCENTILE, Type.DOUBLE, EX.baselinePercentile(), ConfigDef.Range.between(0.5, 0.999),
          Importance.LOW, "A consumer's baseline latency is this percentile of its publish-to-success times (late "
              + "successes included).")
      .define(EXPECT_BASELINE_HALF_LIFE_MS, Type.LONG, EX.baselineHalfLife().toMillis(), ConfigDef.Range.atLeast(60_000),
          Importance.LOW, "The publish-to-success times behind the baseline lose half their weight in this time.")
      .define(EXPECT_BASELINE_MAX_CHANGE, Type.DOUBLE, EX.baselineMaxChangePerHour(), ConfigDef.Range.atLeast(1.01),
          Importance.LOW, "The baseline follows that percentile, but grows or shrinks by at most this factor per hour, "
              + "so a consumer that becomes k times slower pages as late for at least ln(k / multiplier) / ln(this) "
              + "hours before its pace is the new normal (5x slower: 1.26 h by default), however long its history.")
      .define(EXPECT_MAX_KEYS, Type.INT, EX.maxKeys(), ConfigDef.Range.atLeast(1), Importance.LOW,
          "Cap on event names plus calling spans learned per stitcher task; beyond it new ones are counted "
              + "(expectations.keys_over_cap) and not learned until stale ones are swept out.")
      .define(EXPECT_MAX_CONSUMERS_PER_EVENT, Type.INT, EX.maxConsumersPerEvent(), ConfigDef.Range.atLeast(1),
          Importance.LOW, "Cap on consumers learned per event name; beyond it new ones are counted "
              + "(expectations.consumers_over_cap) and not learned.")
      .define(ALERT_RESEND_MS, Type.LONG, AL.resendInterval().toMillis(), ConfigDef.Range.between(1000, 240_000),
          Importance.MEDIUM, "A firing alert is re-sent this often, never more often; at most 4 minutes, well "
              + "inside Alertmanager's 5-minute resolve timeout.")
      .define(ALERT_RESOLVE_AFTER_MS, Type.LONG, AL.resolveAfter().toMillis(), ConfigDef.Range.atLeast(1000),
          Importance.MEDIUM, "A firing alert resolves once it has had no new occurrence for this long (or for twice "
              + "its longest gap between occurrences, if longer, up to alerts.quiet.period.ms) and healthy branches of "
              + "its group were seen in that time. A problem that comes back within it is the same page; a single "
              + "healthy branch resolves nothing.")
      .define(ALERT_QUIET_MS, Type.LONG, AL.quietPeriod().toMillis(), ConfigDef.Range.atLeast(1000), Importance.MEDIUM,
          "A firing alert with no new occurrence for this long resolves even without healthy evidence (traffic "
              + "stopped, or the consumer was forgotten). At least alerts.resolve.after.ms.")
      .define(ALERT_MAX_GROUPS, Type.INT, AL.maxGroups(), ConfigDef.Range.atLeast(1), Importance.LOW,
          "Cap on alert groups (kind, consumer or service, event name) held per alert task; an occurrence that "
              + "would open one more is counted (alerts.suppressed_group_cap) and not paged.")
      .define(ALERT_OFFSETS_REFRESH_MS, Type.LONG, AL.offsetsRefresh().toMillis(), ConfigDef.Range.atLeast(1000),
          Importance.LOW, "How often the committed offsets of a stalled consumer group (every partition of the "
              + "event's topic) are read again, on a thread of their own, for the alert's diagnosis.")
      .define(ALERT_OFFSETS_TIMEOUT_MS, Type.LONG, AL.offsetsTimeout().toMillis(), ConfigDef.Range.atLeast(100),
          Importance.LOW, "How long one Admin API call of that reading may take; when it fails or takes longer the "
              + "alert says the diagnosis is unavailable and why. Stitching never waits for it.")
      .define(ALERT_TELEMETRY_HOLD_MS, Type.LONG, AL.telemetryHold().toMillis(), ConfigDef.Range.atLeast(0),
          Importance.LOW, "The longest a stall whose consumer left no span at all is held back before it pages, while "
              + "the consumer group's committed offsets and the consumer's branches of later events tell a stall "
              + "from lost telemetry. It pages at once when the group has not got past the event, or when a later "
              + "event's branch of the consumer arrives; it becomes lost telemetry only when the group committed past "
              + "the event and no span of the consumer came for any later event in this time. 0: never held, every "
              + "such stall pages at once, as in replay (which has no offsets to ask).")
      .define(ALERT_TELEMETRY_MISSING, Type.BOOLEAN, AL.telemetryMissingAlert(), Importance.LOW,
          "Whether a consumer whose spans stopped while its consumer group kept committing past its events raises a "
              + "TELEMETRY_MISSING alert of warning severity (its instrumentation or span export was switched off, "
              + "or it drops every event without a trace). Off: it is only counted "
              + "(tracestitch_alerts_suppressed_total, reason telemetry_missing); it never pages as a stall either way.")
      .define(ALERT_MAX_LAG_MS, Type.LONG, AL.maxLag().toMillis(), ConfigDef.Range.atLeast(0), Importance.MEDIUM,
          "An occurrence decided longer ago than this (tracestitch catching up on a backlog) is counted but does "
              + "not page by itself.")
      .define(ALERT_SOURCE, Type.STRING, AL.source(), Importance.LOW,
          "The alerts' source (PagerDuty 'source'): which tracestitch deployment speaks.")
      .define(ALERT_LINK_TEMPLATE, Type.STRING, AL.linkTemplate(), Importance.LOW,
          "A URL with {workflowId}, linked from each alert for its sample workflows; empty for none.")
      .define(ALERT_FORMAT, Type.STRING, "", ConfigDef.CaseInsensitiveValidString.in("", "pagerduty", "alertmanager"),
          Importance.MEDIUM, "Value format of the alert topic: empty to follow output.format; pagerduty or alertmanager "
              + "to write each record as that API's JSON body, so an HTTP sink can forward it unchanged.")
      .define(ALERT_PAGERDUTY_ROUTING_KEY, Type.PASSWORD, "", Importance.LOW,
          "The PagerDuty integration key written into pagerduty alert payloads, and the one deliver-alerts sends "
              + "with (give it as an environment variable, from a secret).")
      .define(DELIVERY_TARGETS, Type.LIST, List.of(), DELIVERY_TARGET_NAMES, Importance.HIGH,
          "deliver-alerts: where it sends the alert topic, alertmanager and/or pagerduty. Each target reads the "
              + "topic in a consumer group of its own, so one that is down never holds the other back.")
      .define(DELIVERY_GROUP_ID, Type.STRING, "tracestitch-delivery", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
          "deliver-alerts: prefix of its consumer groups, one per target (tracestitch-delivery-alertmanager, "
              + "tracestitch-delivery-pagerduty). A new group starts at the end of the topic; what is firing then "
              + "reaches Alertmanager at once and PagerDuty with the processor's next re-send.")
      .define(DELIVERY_ALERTMANAGER_URL, Type.STRING, "", Importance.HIGH,
          "deliver-alerts: the Alertmanager base URL, e.g. http://alertmanager:9093 (alerts are posted to "
              + "/api/v2/alerts under it).")
      .define(DELIVERY_ALERTMANAGER_REPOST_MS, Type.LONG, 60_000L, ConfigDef.Range.between(1000, 240_000),
          Importance.MEDIUM, "deliver-alerts: every firing alert is posted to Alertmanager again this often, with "
              + "endsAt four of these ahead, whether or not the topic brought anything new: a delivery that lagged or "
              + "restarted still keeps Alertmanager from resolving what fires, and if tracestitch stops, its alerts "
              + "end by themselves.")
      .define(DELIVERY_ALERTMANAGER_FIRING_HOLD_MS, Type.LONG, 600_000L, ConfigDef.Range.atLeast(1000),
          Importance.LOW, "deliver-alerts: a firing alert whose latest record is older than this is no longer "
              + "re-posted (the processor re-sends firing alerts every alerts.resend.interval.ms, so an older one "
              + "means it stopped); keep it above twice alerts.resend.interval.ms.")
      .define(DELIVERY_PAGERDUTY_URL, Type.STRING, "https://events.pagerduty.com/v2/enqueue", Importance.MEDIUM,
          "deliver-alerts: the PagerDuty Events API v2 endpoint (https://events.eu.pagerduty.com/v2/enqueue for "
              + "the EU service region); the routing key is alerts.pagerduty.routing.key.")
      .define(DELIVERY_RETRY_INITIAL_MS, Type.LONG, 500L, ConfigDef.Range.atLeast(1), Importance.LOW,
          "deliver-alerts: delay before the first retry after a 429, a 5xx, a timeout or a connection error; each "
              + "further retry doubles it, with jitter. A 400 is never retried: the record goes to dlq.topic with "
              + "the answer.")
      .define(DELIVERY_RETRY_MAX_MS, Type.LONG, 60_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
          "deliver-alerts: the longest delay between two tries; a target that is down is tried for as long as "
              + "it takes, and nothing behind it is committed.")
      .define(DELIVERY_REQUEST_TIMEOUT_MS, Type.LONG, 10_000L, ConfigDef.Range.atLeast(100), Importance.LOW,
          "deliver-alerts: how long one HTTP request may take before it counts as failed (and is retried).")
      .define(DELIVERY_UNREADY_AFTER_MS, Type.LONG, 300_000L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
          "deliver-alerts: /readyz answers 503 once a target has failed every try for this long.")
      .define(TRACE_HOLD_MS, Type.LONG, D.traceHold().toMillis(), ConfigDef.Range.atLeast(1), Importance.LOW,
          "How long a trace whose workflow is still unknown is held before it becomes a workflow of its own. "
              + "10 s covers the OpenTelemetry SDK's 5 s export delay, so the span or event carrying the "
              + "correlation id usually arrives first and no merge is needed. A trace that would hold "
              + "workflow.max.spans spans and events ends its hold then (traces.hold_ended_at_cap).")
      .define(INACTIVITY_GAP_MS, Type.LONG, D.inactivityGap().toMillis(), ConfigDef.Range.atLeast(1), Importance.HIGH,
          "A workflow is published once it has been quiet this long. 30 s: spans are exported only when they end, "
              + "after the SDK's batch delay (5 s) and the Collector's batching, and asynchronous consumers add queue "
              + "wait; shorter gaps publish early and produce more revisions, longer ones delay graphs and alerts.")
      .define(MAX_DURATION_MS, Type.LONG, D.maxDuration().toMillis(), ConfigDef.Range.atLeast(1), Importance.MEDIUM,
          "A workflow that never goes quiet is first published this long after it began, with its open branches marked.")
      .define(RETENTION_MS, Type.LONG, D.retention().toMillis(), ConfigDef.Range.atLeast(1), Importance.MEDIUM,
          "How long a published workflow stays in the stores so late spans produce a new revision of it. "
              + "State grows with the traffic of this period.")
      .define(MAX_SPANS, Type.INT, D.maxSpansPerWorkflow(), ConfigDef.Range.atLeast(1), Importance.MEDIUM,
          "Cap on spans and events stored per workflow; beyond it they are counted and the graph is marked truncated.")
      .define(PUNCTUATION_INTERVAL_MS, Type.LONG, D.punctuationInterval().toMillis(), ConfigDef.Range.atLeast(10),
          Importance.LOW, "How often the wall-clock punctuators look for workflows and traces that are due, how "
              + "often each stage tells the next how far it has read, and how often the end offsets of the partitions "
              + "read are listed (so an instance cut off from the broker never takes the outage for quiet input and "
              + "pages branches whose answers wait unread). Graphs wait for up to two of these beyond the "
              + "gap (benchmark, gap 2 s: p99 2.8 s at 500 ms, 4.1-4.6 s at 1 s); the cost per span is the same.")
      .define(MAX_SPANS_PER_RECORD, Type.INT, D.maxSpansPerMessage(), ConfigDef.Range.atLeast(1), Importance.LOW,
          "Cap on spans in one record of the routing topics, to stay under the broker's maximum record size.")
      .define(CLOCK_SKEW_TOLERANCE_MS, Type.LONG, D.clockSkewTolerance().toMillis(), ConfigDef.Range.atLeast(0),
          Importance.LOW, "How far a span may start before its cause before the graph warns of clock skew.")
      .define(SPAN_CORRELATION_ATTRIBUTES, Type.LIST, SA.correlationAttributes(), Importance.MEDIUM,
          "Span (then resource) attributes holding the business correlation id; the first present wins.")
      .define(SPAN_EVENT_ID_ATTRIBUTES, Type.LIST, SA.eventIdAttributes(), Importance.LOW,
          "Span attributes holding the id of the event a span published or processed.")
      .define(SPAN_EVENT_NAME_ATTRIBUTES, Type.LIST, SA.eventNameAttributes(), Importance.LOW,
          "Span attributes holding the business name of that event.")
      .define(SPAN_MAX_ATTRIBUTES, Type.INT, SA.maxAttributes(), ConfigDef.Range.atLeast(0), Importance.LOW,
          "How many further attributes are kept per span.")
      .define(SPAN_MAX_ATTRIBUTE_CHARS, Type.INT, SA.maxAttributeValueChars(), ConfigDef.Range.atLeast(1),
          Importance.LOW, "Kept texts are cut to this many characters (bytes per span are bounded).")
      .define(SPAN_KEPT_ATTRIBUTES, Type.LIST, SA.keptAttributes(), Importance.LOW,
          "Attributes worth showing in a graph; 'prefix.*' keeps every key with that prefix.")
      .define(EVENT_ID_HEADERS, Type.LIST, EI.eventIdHeaders(), Importance.LOW, "Headers holding the event id.")
      .define(EVENT_NAME_HEADERS, Type.LIST, EI.eventNameHeaders(), Importance.LOW, "Headers holding the event name.")
      .define(EVENT_CORRELATION_HEADERS, Type.LIST, EI.correlationHeaders(), Importance.MEDIUM,
          "Headers holding the correlation id.")
      .define(EVENT_TRACE_ID_HEADERS, Type.LIST, EI.traceIdHeaders(), Importance.LOW,
          "Headers holding a bare trace id (X-Trace-Id style); traceparent is always read.")
      .define(EVENT_SPAN_ID_HEADERS, Type.LIST, EI.spanIdHeaders(), Importance.LOW,
          "Headers holding the producer's span id.")
      .define(EVENT_PARENT_SPAN_ID_HEADERS, Type.LIST, EI.parentSpanIdHeaders(), Importance.LOW,
          "Headers holding the parent span id.")
      .define(EVENT_BAGGAGE_CORRELATION_KEYS, Type.LIST, EI.baggageCorrelationKeys(), Importance.LOW,
          "W3C baggage entries holding the correlation id.")
      .define(EVENT_ID_POINTERS, Type.LIST, EI.eventIdPointers(), Importance.LOW,
          "JSON pointers into the payload for the event id, tried after the headers.")
      .define(EVENT_NAME_POINTERS, Type.LIST, EI.eventNamePointers(), Importance.LOW,
          "JSON pointers for the event name (the topic name is the last resort).")
      .define(EVENT_CORRELATION_POINTERS, Type.LIST, EI.correlationPointers(), Importance.MEDIUM,
          "JSON pointers for the correlation id.")
      .define(EVENT_TRACEPARENT_POINTERS, Type.LIST, EI.traceparentPointers(), Importance.LOW,
          "JSON pointers for a whole W3C traceparent string.")
      .define(EVENT_TRACE_ID_POINTERS, Type.LIST, EI.traceIdPointers(), Importance.LOW,
          "JSON pointers for a bare trace id.")
      .define(EVENT_SPAN_ID_POINTERS, Type.LIST, EI.spanIdPointers(), Importance.LOW,
          "JSON pointers for the producer's span id.")
      .define(EVENT_PARENT_SPAN_ID_POINTERS, Type.LIST, EI.parentSpanIdPointers(), Importance.LOW,
          "JSON pointers for the parent span id.")
      .define(EVENT_SOURCE_POINTERS, Type.LIST, EI.sourcePointers(), Importance.LOW,
          "JSON pointers naming the producing service.");

  public TracestitchConfig(Map<?, ?> values) {
    super(DEFINITION, values, false);
    if (!getString(EVENTS_TOPIC_PATTERN).isEmpty()) {
      try {
        Pattern.compile(getString(EVENTS_TOPIC_PATTERN));
      } catch (PatternSyntaxException e) {
        throw new ConfigException(EVENTS_TOPIC_PATTERN, getString(EVENTS_TOPIC_PATTERN),
            "not a valid regular expression (" + e.getDescription() + "); fix the pattern or use events.topics");
      }
    }
    String otlp = getString(METRICS_OTLP_ENDPOINT);
    if (!otlp.isEmpty() && !otlp.matches("(?i)https?://[^/\\s]+(/\\S*)?")) {
      throw new ConfigException(METRICS_OTLP_ENDPOINT, otlp,
          "not an http:// or https:// URL; give the Collector's OTLP/HTTP metrics URL or leave it empty");
    }
  }

  /** The settings table of the README, generated from {@link #DEFINITION} so the two cannot drift apart. */
  public static String markdownTable() {
    StringBuilder table = new StringBuilder("| setting | environment variable | default | description |\n|---|---|---|---|\n");
    for (ConfigDef.ConfigKey key : DEFINITION.configKeys().values()) {
      Object def = key.defaultValue;
      String shown = def == null ? "" : def instanceof List<?> list ? String.join(",", list.stream().map(String::valueOf).toList())
          : String.valueOf(def);
      table.append("| `").append(key.name).append("` | `").append(ENV_PREFIX)
          .append(key.name.toUpperCase(Locale.ROOT).replace('.', '_')).append("` | ")
          .append(shown.isEmpty() ? "(empty)" : "`" + shown + "`").append(" | ")
          .append(key.documentation.replace("|", "\\|")).append(" |\n");
    }
    return table.toString();
  }

  /** File values, then environment variables (TRACESTITCH_X_Y sets x.y), then explicit overrides win. */
  public static TracestitchConfig load(Map<String, String> fileValues, Map<String, String> environment,
      Map<String, String> overrides) {
    Map<String, Object> merged = new HashMap<>(fileValues);
    merged.putAll(fromEnvironment(environment));
    merged.putAll(overrides);
    return new TracestitchConfig(merged);
  }

  static Map<String, String> fromEnvironment(Map<String, String> environment) {
    Map<String, String> values = new HashMap<>();
    environment.forEach((name, value) -> {
      if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
        values.put(name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
      }
    });
    return values;
  }

  public boolean embedded() {
    return getList(BOOTSTRAP_SERVERS).isEmpty();
  }

  public OutputFormat outputFormat() {
    return OutputFormat.valueOf(getString(OUTPUT_FORMAT).toUpperCase(Locale.ROOT));
  }

  public StitchSettings stitchSettings() {
    String pattern = getString(EVENTS_TOPIC_PATTERN);
    return new StitchSettings(
        getString(SPANS_TOPIC), SpanEncoding.parse(getString(SPANS_ENCODING)), getList(EVENTS_TOPICS),
        pattern.isEmpty() ? null : Pattern.compile(pattern),
        getString(GRAPHS_TOPIC), getString(ALERTS_TOPIC), getString(DLQ_TOPIC), getString(APPLICATION_ID),
        Duration.ofMillis(getLong(TRACE_HOLD_MS)), Duration.ofMillis(getLong(INACTIVITY_GAP_MS)),
        Duration.ofMillis(getLong(MAX_DURATION_MS)), Duration.ofMillis(getLong(RETENTION_MS)),
        Duration.ofMillis(getLong(PUNCTUATION_INTERVAL_MS)), getInt(MAX_SPANS), getInt(MAX_SPANS_PER_RECORD),
        Duration.ofMillis(getLong(CLOCK_SKEW_TOLERANCE_MS)),
        new SpanAttributeSettings(getList(SPAN_CORRELATION_ATTRIBUTES), getList(SPAN_EVENT_ID_ATTRIBUTES),
            getList(SPAN_EVENT_NAME_ATTRIBUTES), getInt(SPAN_MAX_ATTRIBUTES), getInt(SPAN_MAX_ATTRIBUTE_CHARS),
            getList(SPAN_KEPT_ATTRIBUTES)),
        new EventIdentitySettings(getList(EVENT_ID_HEADERS), getList(EVENT_NAME_HEADERS),
            getList(EVENT_CORRELATION_HEADERS), getList(EVENT_TRACE_ID_HEADERS), getList(EVENT_SPAN_ID_HEADERS),
            getList(EVENT_PARENT_SPAN_ID_HEADERS), getList(EVENT_BAGGAGE_CORRELATION_KEYS),
            getList(EVENT_ID_POINTERS), getList(EVENT_NAME_POINTERS), getList(EVENT_CORRELATION_POINTERS),
            getList(EVENT_TRACEPARENT_POINTERS), getList(EVENT_TRACE_ID_POINTERS), getList(EVENT_SPAN_ID_POINTERS),
            getList(EVENT_PARENT_SPAN_ID_POINTERS), getList(EVENT_SOURCE_POINTERS)),
        ContractsFile.read(getString(CONTRACTS_FILE)),
        new ExpectationSettings(getDouble(EXPECT_MIN_EVENTS), getDouble(EXPECT_MIN_RATIO),
            Duration.ofMillis(getLong(EXPECT_DEADLINE_FLOOR_MS)), getDouble(EXPECT_DEADLINE_MULTIPLIER),
            Duration.ofMillis(getLong(EXPECT_FORGET_AFTER_MS)), Duration.ofMillis(getLong(EXPECT_HALF_LIFE_MS)),
            getDouble(EXPECT_BASELINE_PERCENTILE), Duration.ofMillis(getLong(EXPECT_BASELINE_HALF_LIFE_MS)),
            getDouble(EXPECT_BASELINE_MAX_CHANGE),
            getInt(EXPECT_MAX_KEYS), getInt(EXPECT_MAX_CONSUMERS_PER_EVENT)),
        alertSettings(),
        republishAfterRestart(), diagnosisSettings(), getBoolean(TELEMETRY_PUBLISH_UNRECORDED));
  }

  private DiagnosisSettings diagnosisSettings() {
    Map<AlertKind, Severity> promoted = new EnumMap<>(AlertKind.class);
    Map.of(AlertKind.ERROR_ORIGIN, FINDINGS_ERROR_ORIGIN_SEVERITY, AlertKind.REPEATED_CALLS,
        FINDINGS_REPEATED_CALLS_SEVERITY, AlertKind.SLOW_STEP, FINDINGS_SLOW_STEP_SEVERITY).forEach((kind, name) -> {
          String severity = getString(name).strip().toLowerCase(Locale.ROOT);
          if (!severity.isEmpty()) {
            promoted.put(kind, Severity.valueOf(severity));
          }
        });
    return new DiagnosisSettings(getInt(FINDINGS_REPEATED_CALLS_MIN), getDouble(FINDINGS_SLOW_STEP_FACTOR),
        Duration.ofMillis(getLong(FINDINGS_SLOW_STEP_MIN_EXCESS_MS)), getDouble(FINDINGS_SLOW_STEP_MIN_SAMPLES),
        Duration.ofMillis(getLong(FINDINGS_STEPS_HALF_LIFE_MS)), promoted);
  }

  /**
   * What deliver-alerts needs, checked together: each target named has what it needs to send, and the
   * alert topic carries records it can read.
   *
   * @throws ConfigException naming the setting that is missing or wrong and what to do
   */
  public DeliverySettings deliverySettings() {
    List<DeliverySettings.Target> targets = getList(DELIVERY_TARGETS).stream().map(DeliverySettings.Target::named)
        .distinct().toList();
    if (targets.isEmpty()) {
      throw new ConfigException(DELIVERY_TARGETS, "", "deliver-alerts has nowhere to send; name alertmanager, "
          + "pagerduty or both");
    }
    if (embedded()) {
      throw new ConfigException(BOOTSTRAP_SERVERS, "", "deliver-alerts reads the alert topic of a running "
          + "tracestitch; set bootstrap.servers to its Kafka cluster");
    }
    if (!getString(ALERT_FORMAT).isEmpty()) {
      throw new ConfigException(ALERT_FORMAT, getString(ALERT_FORMAT), "deliver-alerts reads the Alert records of "
          + "alerts.topic and writes each target's request itself; with alerts.format set the processor writes "
          + "finished " + getString(ALERT_FORMAT) + " bodies instead, which carry no lifecycle to order them by. "
          + "Leave alerts.format empty for the processor and here, or forward those bodies with an HTTP sink");
    }
    java.net.URI alertmanager = null;
    java.net.URI pagerDuty = null;
    String routingKey = null;
    if (targets.contains(DeliverySettings.Target.ALERTMANAGER)) {
      alertmanager = httpUrl(DELIVERY_ALERTMANAGER_URL, "give the Alertmanager's base URL, e.g. http://alertmanager:9093");
    }
    if (targets.contains(DeliverySettings.Target.PAGERDUTY)) {
      pagerDuty = httpUrl(DELIVERY_PAGERDUTY_URL, "give the Events API v2 endpoint");
      routingKey = getPassword(ALERT_PAGERDUTY_ROUTING_KEY).value();
      if (routingKey.isBlank()) {
        throw new ConfigException(ALERT_PAGERDUTY_ROUTING_KEY, "", "delivery.targets includes pagerduty but there "
            + "is no routing key; give the integration key as the environment variable "
            + ENV_PREFIX + "ALERTS_PAGERDUTY_ROUTING_KEY (from a secret)");
      }
    }
    if (getLong(DELIVERY_RETRY_MAX_MS) < getLong(DELIVERY_RETRY_INITIAL_MS)) {
      throw new ConfigException(DELIVERY_RETRY_MAX_MS, getLong(DELIVERY_RETRY_MAX_MS), "shorter than "
          + DELIVERY_RETRY_INITIAL_MS + " (" + getLong(DELIVERY_RETRY_INITIAL_MS) + "); raise it or lower that");
    }
    return new DeliverySettings(targets, getString(DELIVERY_GROUP_ID), alertmanager,
        Duration.ofMillis(getLong(DELIVERY_ALERTMANAGER_REPOST_MS)),
        Duration.ofMillis(getLong(DELIVERY_ALERTMANAGER_FIRING_HOLD_MS)), pagerDuty, routingKey,
        Duration.ofMillis(getLong(DELIVERY_RETRY_INITIAL_MS)), Duration.ofMillis(getLong(DELIVERY_RETRY_MAX_MS)),
        Duration.ofMillis(getLong(DELIVERY_REQUEST_TIMEOUT_MS)), Duration.ofMillis(getLong(DELIVERY_UNREADY_AFTER_MS)));
  }

  private java.net.URI httpUrl(String setting, String what) {
    String text = getString(setting).strip();
    if (!text.matches("(?i)https?://[^/\\s]+(/\\S*)?")) {
      throw new ConfigException(setting, text, "not an http:// or https:// URL; " + what);
    }
    return java.net.URI.create(text);
  }

  private AlertSettings alertSettings() {
    try {
      return new AlertSettings(Duration.ofMillis(getLong(ALERT_RESEND_MS)),
          Duration.ofMillis(getLong(ALERT_RESOLVE_AFTER_MS)), Duration.ofMillis(getLong(ALERT_QUIET_MS)),
          Duration.ofMillis(getLong(ALERT_MAX_LAG_MS)), getString(ALERT_SOURCE), getString(ALERT_LINK_TEMPLATE),
          getInt(ALERT_MAX_GROUPS), Duration.ofMillis(getLong(ALERT_OFFSETS_REFRESH_MS)),
          Duration.ofMillis(getLong(ALERT_OFFSETS_TIMEOUT_MS)), Duration.ofMillis(getLong(ALERT_TELEMETRY_HOLD_MS)),
          getBoolean(ALERT_TELEMETRY_MISSING));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  /**
   * Exactly-once v2 unless the user chose otherwise: without it a crash can lose or duplicate a graph
   * published by a punctuation (see {@link StitchSettings#republishAfterRestart()}).
   */
  public String processingGuarantee() {
    Object chosen = originals().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
    return chosen == null ? StreamsConfig.EXACTLY_ONCE_V2 : chosen.toString();
  }

  /**
   * The commit interval the application runs with: 100 ms (Kafka Streams' own exactly-once default) unless the
   * user chose otherwise. Under exactly-once each hop's output is readable only after a commit, and a graph
   * passes three hops: at 1 s the benchmark's p99 from last span to readable graph was 5.0 s (gap 2 s), at
   * 100 ms 2.8 s, for some throughput (1 s commits did 1.2-1.45x the spans/s).
   */
  public long commitIntervalMs() {
    Object chosen = originals().get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
    return chosen == null ? 100 : Long.parseLong(chosen.toString().trim());
  }

  private Duration republishAfterRestart() {
    if (!StreamsConfig.AT_LEAST_ONCE.equals(processingGuarantee())) {
      return Duration.ZERO;
    }
    // What a crash can lose is what was sent since the last commit; two intervals and a margin cover it.
    return Duration.ofMillis(2 * commitIntervalMs() + 2000);
  }

  /**
   * Everything Kafka Streams and its clients get: every setting this class does not define, unchanged,
   * plus the application id and bootstrap servers.
   */
  public Properties kafkaProperties(String bootstrapServers) {
    Properties props = new Properties();
    originals().forEach((k, v) -> {
      if (!DEFINITION.names().contains(k)) {
        props.put(k, v);
      }
    });
    props.put(APPLICATION_ID, getString(APPLICATION_ID));
    props.put(BOOTSTRAP_SERVERS, bootstrapServers);
    return props;
  }

  /** Settings for a user-supplied or registry serde: the pass-through values, as Confluent spells them. */
  public Map<String, Object> serdeConfig() {
    Map<String, Object> values = new HashMap<>();
    originals().forEach((k, v) -> {
      if (!DEFINITION.names().contains(k)) {
        values.put(k, v);
      }
    });
    return values;
  }
}
