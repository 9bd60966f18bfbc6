package io.tracestitch.delivery;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How {@code deliver-alerts} sends the alert topic to the paging systems.
 *
 * @param targets where alerts go; each reads the topic in a consumer group of its own
 *     ({@code groupId-<target>}), so one that is down never holds the other back
 * @param groupId the prefix of the targets' consumer groups
 * @param alertmanagerUrl the Alertmanager to post to (its base URL; {@code /api/v2/alerts} is added), or null
 * @param alertmanagerRepost how often the firing alerts are posted to Alertmanager again, with their
 *     {@code endsAt} four of these ahead, whether or not the topic brought anything new
 * @param alertmanagerFiringHold a firing alert whose latest record is older than this is no longer re-posted: the
 *     processor re-sends every firing alert at least every 4 minutes, so an older one means the processor stopped
 *     or forgot it, and Alertmanager is left to let it expire as it would without tracestitch
 * @param pagerDutyUrl the Events API v2 endpoint, or null
 * @param pagerDutyRoutingKey the integration key (from a secret), or null
 * @param retryInitial the first retry's delay; each further one doubles it, with jitter
 * @param retryMax the longest delay between two tries
 * @param requestTimeout how long one request may take before it counts as failed
 * @param unreadyAfter readiness turns false once a target has failed every try for this long
 */
public record DeliverySettings(List<Target> targets, String groupId, URI alertmanagerUrl,
    Duration alertmanagerRepost, Duration alertmanagerFiringHold, URI pagerDutyUrl, String pagerDutyRoutingKey,
    Duration retryInitial, Duration retryMax, Duration requestTimeout, Duration unreadyAfter) {

  /** A paging system deliver-alerts can send to. */
  public enum Target {
    ALERTMANAGER("alertmanager"), PAGERDUTY("pagerduty");

    private final String settingName;

    Target(String settingName) {
      this.settingName = settingName;
    }

    /** How the setting, the consumer group, the metrics and the logs spell it. */
    public String settingName() {
      return settingName;
    }

    public static Target named(String name) {
      for (Target target : values()) {
        if (target.settingName.equalsIgnoreCase(name.strip())) {
          return target;
        }
      }
      throw new IllegalArgumentException("Unknown delivery target '" + name + "'; use alertmanager or pagerduty.");
    }
  }

  public DeliverySettings {
    targets = List.copyOf(targets);
    Objects.requireNonNull(groupId, "groupId");
  }

  /** The consumer group of one target. */
  public String groupOf(Target target) {
    return groupId + "-" + target.settingName();
  }

  /** How far ahead a firing alert's endsAt is put: four re-post intervals, as Prometheus does with its resend delay. */
  public Duration alertmanagerEndsAfter() {
    return alertmanagerRepost.multipliedBy(4);
  }
}
