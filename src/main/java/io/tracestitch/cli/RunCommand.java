package io.tracestitch.cli;

import io.tracestitch.app.TracestitchApp;
import io.tracestitch.config.ConfigFiles;
import io.tracestitch.config.TracestitchConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
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
        "spans.topic), then --set. Any Kafka Streams or client setting passes through unchanged."})
final class RunCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE", description = "A properties or YAML file of settings.")
  Path config;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A setting, e.g. --set events.topics=orders.")
  Map<String, String> overrides = Map.of();

  @Override
  public Integer call() throws Exception {
    TracestitchApp app = new TracestitchApp(load(config, overrides), List.of());
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "tracestitch-shutdown"));
    app.start();
    app.awaitStop();
    return 0;
  }

  static TracestitchConfig load(Path file, Map<String, String> overrides) {
    return TracestitchConfig.load(ConfigFiles.read(file), System.getenv(), overrides);
  }
}
