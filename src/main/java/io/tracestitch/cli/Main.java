package io.tracestitch.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The tracestitch command line: one jar, one subcommand per way of running the stitcher. */
@Command(
    name = "tracestitch",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
        "Stitches OpenTelemetry spans and business events from Kafka into end-to-end workflow graphs,",
        "and pages when an asynchronous branch stalls or a fire-and-forget consumer fails silently."},
    subcommands = {RunCommand.class, ReplayCommand.class, DemoCommand.class, DeliverAlertsCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new Main())
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          // A wrong setting or a missing file is the user's to fix: say it in one sentence, no stack trace.
          cmd.getErr().println(cmd.getColorScheme().errorText("tracestitch: " + e.getMessage()));
          return 2;
        });
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
