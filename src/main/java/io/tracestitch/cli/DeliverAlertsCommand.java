package io.tracestitch.cli;

import io.tracestitch.delivery.AlertDelivery;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "deliver-alerts",
    mixinStandardHelpOptions = true,
    description = {
        "Deliver the alert topic to Alertmanager (API v2) and/or PagerDuty (Events API v2).",
        "",
        "Reads the Alert records the processor writes to alerts.topic, one consumer group per target",
        "(delivery.group.id-<target>), and sends each alert in order per dedup key; retries 429, 5xx and",
        "connection errors with backoff for as long as it takes, dead-letters what a target refuses (a 400)",
        "to dlq.topic, and commits only what was delivered. Firing alerts are re-posted to Alertmanager",
        "every delivery.alertmanager.repost.interval.ms. Settings as for 'run' (delivery.targets,",
        "delivery.alertmanager.url, TRACESTITCH_ALERTS_PAGERDUTY_ROUTING_KEY, ...); /healthz, /readyz and",
        "/metrics on http.port."})
final class DeliverAlertsCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE", description = "A properties or YAML file of settings.")
  Path config;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "A setting, e.g. --set delivery.targets=alertmanager.")
  Map<String, String> overrides = Map.of();

  @Override
  public Integer call() throws Exception {
    AlertDelivery delivery = new AlertDelivery(RunCommand.load(config, overrides));
    try {
      delivery.start();
    } catch (RuntimeException e) {
      // A wrong setting is reported by Main in one sentence; whatever had started is stopped first.
      delivery.close();
      throw e;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(delivery::close, "tracestitch-delivery-shutdown"));
    delivery.awaitStop();
    return 0;
  }
}
