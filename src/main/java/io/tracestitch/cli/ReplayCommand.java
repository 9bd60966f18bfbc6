package io.tracestitch.cli;

import io.tracestitch.config.ConfigFiles;
import io.tracestitch.config.TracestitchConfig;
import io.tracestitch.replay.Replay;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
        "Run the stitching topology over span and event files, without Kafka.",
        "",
        "Runs the same topology over files instead of Kafka topics, using the records' timestamps as",
        "the clock, and writes workflow-graphs.ndjson, trace-alerts.ndjson and dlq.ndjson into --out.",
        "For debugging a workflow, or checking instrumentation in CI, without a broker. The alert file",
        "holds each alert's lifecycle (the TRIGGER that opens it, the RESOLVE with the final count);",
        "the periodic re-sends a live processor sends to paging systems are left out."})
final class ReplayCommand implements Callable<Integer> {
  @Option(names = "--spans", arity = "1..*", paramLabel = "FILE",
      description = "OTLP JSON lines (one ExportTraceServiceRequest per line, as the Collector's file exporter "
          + "writes), or .pb files of length-delimited OTLP protobuf requests.")
  List<Path> spans = List.of();

  @Option(names = "--events", arity = "1..*", paramLabel = "FILE",
      description = "NDJSON event records: {\"topic\", \"key\", \"timestamp\" (epoch ms or ISO-8601), "
          + "\"headers\": {name: value}, \"value\": any JSON or a string}.")
  List<Path> events = List.of();

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the three output files.")
  Path out;

  @Option(names = "--config", paramLabel = "FILE",
      description = "A properties or YAML file of tracestitch settings (the same file 'run' takes).")
  Path config;

  @Override
  public Integer call() throws Exception {
    if (spans.isEmpty() && events.isEmpty()) {
      throw new IllegalArgumentException("Nothing to replay: give span files with --spans and/or event files with --events.");
    }
    TracestitchConfig settings = TracestitchConfig.load(ConfigFiles.read(config), System.getenv(), Map.of());
    Replay.Summary summary = Replay.run(settings.stitchSettings(), spans, events, out);
    System.out.printf("Replayed %d input records: %d workflow graph records, %d alerts, %d dead-lettered, in %s%n",
        summary.inputRecords(), summary.graphs(), summary.alerts(), summary.deadLettered(), out.toAbsolutePath());
    return 0;
  }
}
