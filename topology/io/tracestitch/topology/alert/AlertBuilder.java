package io.tracestitch.topology.alert;

import io.tracestitch.avro.Alert;
import io.tracestitch.avro.AlertAction;
import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.AlertLink;
import io.tracestitch.avro.Severity;
import io.tracestitch.avro.internal.AlertState;
import io.tracestitch.avro.internal.FindingMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Writes the alert record a paging system receives. Identity (dedup key, labels) is only kind,
 * consumer or service, and event name; trace and correlation ids go to the details.
 *
 * <p>Severity: a stalled branch or unconsumed event that a declared contract asks for is critical
 * (someone wrote down that it must happen); learned, it is an error. A silent failure is an error. A
 * missing callee is a warning, and so is a consumer whose telemetry was lost (TELEMETRY_MISSING). A kind that pages only when promoted (ERROR_ORIGIN, REPEATED_CALLS, SLOW_STEP) has
 * the severity it was promoted with, and its finding's detail as the summary.
 */
final class AlertBuilder {
  private static final int MAX_SUMMARY = 1024;

  private AlertBuilder() {}

  static Severity severity(FindingMessage f) {
    return switch (f.getKind()) {
      case STALLED_BRANCH, UNCONSUMED_EVENT -> f.getDeclared() ? Severity.critical : Severity.error;
      case SILENT_FAILURE -> Severity.error;
      case MISSING_CALLEE, TELEMETRY_MISSING -> Severity.warning;
      // Kinds that page only when promoted carry the severity they were promoted with.
      case ERROR_ORIGIN, REPEATED_CALLS, SLOW_STEP, UNKNOWN ->
          f.getSeverity() == null ? Severity.warning : Severity.valueOf(f.getSeverity());
    };
  }

  /**
   * @param diagnosis where the problem sits and what the consumer group's offsets say, when known
   * @param resolution for a RESOLVE, why it resolved (a few words); null otherwise
   */
  static Alert build(String dedupKey, AlertState state, AlertAction action, long nowMs, AlertSettings settings,
      Optional<PartitionDiagnosis> diagnosis, String resolution) {
    FindingMessage f = state.getLatest();
    String subject = f.getConsumer() != null ? f.getConsumer() : f.getService() != null ? f.getService() : "unknown";
    String summary = summary(f, state.getCount(), subject)
        + diagnosis.map(PartitionDiagnosis::where).map(w -> "; " + w).orElse("")
        + diagnosis.map(PartitionDiagnosis::offsets).map(o -> "; " + o).orElse("")
        + (action == AlertAction.RESOLVE ? " (resolved: " + resolution + ")" : "");
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("alertname", alertName(f.getKind()));
    labels.put("kind", f.getKind().name());
    labels.put(f.getConsumer() != null ? "consumer" : "service", subject);
    if (f.getEventName() != null) {
      labels.put("event_name", f.getEventName());
    }
    labels.put("severity", severity(f).name());
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("summary", truncate(summary));
    annotations.put("description", f.getDetail());
    annotations.put("runbook", "docs/operations.md#" + f.getKind().name().toLowerCase(Locale.ROOT));
    Map<String, String> details = new LinkedHashMap<>();
    details.put("count", Long.toString(state.getCount()));
    details.put("sample_workflow_ids", String.join(",", state.getSamples()));
    details.put("sample_trace_ids", String.join(",", state.getSampleTraceIds()));
    details.put("sample_correlation_ids", String.join(",", state.getSampleCorrelationIds()));
    put(details, "event_id", f.getEventId());
    put(details, "consumer_group", f.getConsumerGroup());
    put(details, "topic", f.getTopic());
    put(details, "partition", f.getPartition());
    put(details, "offset", f.getOffset());
    put(details, "waited_ms", f.getWaitedMs());
    put(details, "detail", f.getDetail());
    diagnosis.ifPresent(d -> {
      put(details, "affected_partitions", d.affected().isEmpty() ? null : d.affected());
      put(details, "healthy_partitions", d.healthy().isEmpty() ? null : d.healthy());
      put(details, "offset_diagnosis", d.offsets());
      put(details, "offset_check", d.offsetCheck());
    });
    put(details, "resolution", resolution);
    details.put("declared", Boolean.toString(f.getDeclared()));
    List<AlertLink> links = new ArrayList<>();
    if (!settings.linkTemplate().isEmpty()) {
      for (String workflowId : state.getSamples()) {
        links.add(AlertLink.newBuilder().setHref(settings.linkTemplate().replace("{workflowId}", workflowId))
            .setText("workflow " + workflowId).build());
      }
    }
    return Alert.newBuilder()
        .setDedupKey(dedupKey).setKind(f.getKind()).setAction(action).setSeverity(severity(f))
        .setSummary(truncate(summary)).setSource(settings.source()).setComponent(subject)
        .setGroup(f.getEventName()).setClass$(f.getKind().name().toLowerCase(Locale.ROOT))
        .setService(f.getService()).setConsumer(f.getConsumer()).setEventName(f.getEventName())
        .setCount(state.getCount()).setSampleWorkflowIds(new ArrayList<>(state.getSamples()))
        .setFirstSeenMs(state.getFirstSeenMs()).setLastSeenMs(state.getLastSeenMs())
        .setEndsAtMs(action == AlertAction.RESOLVE ? nowMs : null).setSequence(state.getSequence())
        .setLabels(labels).setAnnotations(annotations).setCustomDetails(details).setLinks(links)
        .setGeneratorUrl(links.isEmpty() ? null : links.get(0).getHref())
        .build();
  }

  private static String summary(FindingMessage f, long count, String subject) {
    String in = count == 1 ? "in 1 workflow" : "in " + count + " workflows";
    return switch (f.getKind()) {
      case STALLED_BRANCH -> subject + " has not handled " + f.getEventName() + " by its deadline " + in
          + " (latest waited " + seconds(f.getWaitedMs()) + ")";
      case SILENT_FAILURE -> subject + " failed handling " + f.getEventName() + " " + in
          + " while the workflow's root reported success";
      case UNCONSUMED_EVENT -> "No consumer handled " + f.getEventName() + " from " + subject + " " + in;
      case MISSING_CALLEE -> subject + "'s call " + f.getEventName() + " never reached its callee " + in;
      case TELEMETRY_MISSING -> subject + "'s spans stopped while its consumer group " + f.getConsumerGroup()
          + " kept committing past " + f.getEventName() + " " + in + ": its telemetry is lost, it is not stalled";
      case ERROR_ORIGIN, REPEATED_CALLS, SLOW_STEP, UNKNOWN -> f.getDetail() + " (" + in + ")";
    };
  }

  static String alertName(AlertKind kind) {
    StringBuilder name = new StringBuilder("Tracestitch");
    for (String part : kind.name().toLowerCase(Locale.ROOT).split("_")) {
      name.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
    }
    return name.toString();
  }

  private static String seconds(Long ms) {
    return ms == null ? "?" : (ms / 1000) + " s";
  }

  private static void put(Map<String, String> details, String key, Object value) {
    if (value != null) {
      details.put(key, value.toString());
    }
  }

  private static String truncate(String text) {
    return text.length() <= MAX_SUMMARY ? text : text.substring(0, MAX_SUMMARY - 1) + "…";
  }
}
