package io.tracestitch.cli;

import io.tracestitch.app.TracestitchApp;
import io.tracestitch.config.ConfigFiles;
import io.tracestitch.config.TracestitchConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
        "Run the stitching processor against Kafka (an embedded broker when none is configured).",
        "",
        "With no bootstrap.servers configured it starts an embedded single-node Kafka broker inside this",
        "JVM (for trying it out, not for production).",
        "Settings come from --config, then TRACESTITCH_* environment variables (TRACESTITCH_SPANS_TOPIC sets",
        "spans.topic), then --set. Any Kafka Streams or client setting passes through unchanged.",
        "Without --config, /etc/tracestitch/tracestitch.properties is read if it exists (where the container",
        "image and the Kubernetes manifests put it)."})
final class RunCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

  @Option(names = "--config", paramLabel = "FILE",
      description = "A properties or YAML file of settings; it must exist (default: "
          + "/etc/tracestitch/tracestitch.properties if it exists, else none).")
  Path config;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A setting, e.g. --set events.topics=orders.")
  Map<String, String> overrides = Map.of();

  @Override
  public Integer call() throws Exception {
    Path file = ConfigFiles.resolve(config, ConfigFiles.DEFAULT_FILE);
    TracestitchConfig settings = load(file, overrides);
    if (config == null) {
      // `docker run IMAGE` gives no arguments: say where the settings came from, so nobody has to guess.
      if (file == null) {
        log.info("No --config given and no settings file at {}: settings come from TRACESTITCH_* environment "
            + "variables, --set and the defaults.", ConfigFiles.DEFAULT_FILE);
      } else {
        log.info("Reading settings from {} (no --config given; the image and the Kubernetes manifests put the "
            + "file there).", file);
      }
    }
    if (settings.embedded()) {
      log.info("No Kafka address configured (bootstrap.servers, TRACESTITCH_BOOTSTRAP_SERVERS): running the "
          + "processor on an embedded single-node Kafka broker inside this process, for trying tracestitch out. "
          + "Set bootstrap.servers to your cluster's brokers for real use.");
    }
    TracestitchApp app = new TracestitchApp(settings, List.of());
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "tracestitch-shutdown"));
    app.start();
    app.awaitStop();
    return 0;
  }

  static TracestitchConfig load(Path file, Map<String, String> overrides) {
    return TracestitchConfig.load(ConfigFiles.read(file), System.getenv(), overrides);
  }
}
