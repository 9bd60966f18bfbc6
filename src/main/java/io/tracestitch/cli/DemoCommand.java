package io.tracestitch.cli;

import io.tracestitch.app.TracestitchApp;
import io.tracestitch.avro.Alert;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.config.TracestitchConfig;
import io.tracestitch.demo.CheckoutSimulation;
import io.tracestitch.demo.CheckoutTopics;
import io.tracestitch.demo.Faults;
import io.tracestitch.demo.OutputTail;
import io.tracestitch.demo.SimulationSettings;
import io.tracestitch.demo.SimulationTopics;
import io.tracestitch.demo.UiLinks;
import io.tracestitch.serdes.RecordSerdes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
        "Run the processor next to a simulated seven-service checkout and print its workflows and alerts.",
        "",
        "Starts the processor as 'run' does (with no bootstrap.servers: on an embedded broker), then a",
        "checkout of gateway, order, inventory, payment, loyalty, notification and analytics that talk",
        "through real Kafka topics and trace themselves with the OpenTelemetry SDK, with faults injected.",
        "Each published workflow is printed as one WORKFLOW line, each alert as one ALERT line, on stdout.",
        "Workflows are published after 5 s of quiet (workflow.inactivity.gap.ms) unless configured otherwise."})
final class DemoCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(DemoCommand.class);

  /** Short times so a newcomer sees workflows within seconds; a setting the user gave always wins. */
  static final Map<String, String> DEMO_DEFAULTS = Map.of(
      TracestitchConfig.EVENTS_TOPICS, CheckoutTopics.ORDER_CREATED + "," + CheckoutTopics.PAYMENT_AUTHORIZED,
      TracestitchConfig.INACTIVITY_GAP_MS, "5000",
      TracestitchConfig.TRACE_HOLD_MS, "2000",
      // Each of the six by-workflow tasks learns from its sixth of the orders: five runs of a step each are
      // enough to see inventory's 2 s query against its usual 4-12 ms within the first minute.
      TracestitchConfig.FINDINGS_SLOW_STEP_MIN_SAMPLES, "5");

  @Option(names = "--config", paramLabel = "FILE", description = "A properties or YAML file of settings.")
  Path config;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "A setting, e.g. --set workflow.inactivity.gap.ms=10000.")
  Map<String, String> overrides = Map.of();

  @Option(names = "--rate", paramLabel = "N", defaultValue = "2",
      description = "Checkouts per second (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--faults", paramLabel = "LIST", defaultValue = Faults.ALL,
      description = "Faults to inject: all, none, or a comma list of slow-inventory, payment-retry, analytics-down, "
          + "loyalty-stall, drop-context, payment-down, n-plus-one (default: ${DEFAULT-VALUE}).")
  String faults;

  @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "0",
      description = "Place orders for this many seconds, show the workflows still in flight, then stop; "
          + "0 runs until Ctrl-C or SIGTERM (default: ${DEFAULT-VALUE}).")
  long durationSeconds;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (durationSeconds < 0) {
      throw new IllegalArgumentException("--duration must be 0 (run until stopped) or a number of seconds, not "
          + durationSeconds + ".");
    }
    Faults chosen = Faults.parse(faults);
    TracestitchConfig settings = demoConfig(config, overrides);
    if (!"otlp_proto".equals(settings.getString(TracestitchConfig.SPANS_ENCODING))) {
      throw new IllegalArgumentException("The demo's services export spans as otlp_proto; remove the setting "
          + "spans.encoding=" + settings.getString(TracestitchConfig.SPANS_ENCODING) + " to run the demo.");
    }
    SimulationSettings.requireValidRate(rate);

    DemoRun run = new DemoRun(settings, rate, chosen, spec.commandLine().getOut());
    // Ctrl-C and SIGTERM stop the checkout first, then the processor, as the end of a timed run does.
    Runtime.getRuntime().addShutdownHook(new Thread(run::close, "tracestitch-demo-shutdown"));
    try {
      run.start();
      if (!run.awaitStop(durationSeconds)) {
        run.finishCheckout();
      }
    } finally {
      run.close();
    }
    return 0;
  }

  /** The user's settings (file, environment, --set) over the demo's defaults. */
  static TracestitchConfig demoConfig(Path file, Map<String, String> overrides) {
    TracestitchConfig given = RunCommand.load(file, overrides);
    Map<String, String> merged = new HashMap<>();
    DEMO_DEFAULTS.forEach((key, value) -> {
      if (!given.originals().containsKey(key)) {
        merged.put(key, value);
      }
    });
    merged.putAll(overrides);
    return RunCommand.load(file, merged);
  }

  private static CheckoutTopics topicsOf(TracestitchConfig settings) {
    return CheckoutTopics.withSpansOn(settings.stitchSettings().spansTopic());
  }

  /** What every client on a secured cluster needs; the other pass-through settings are Kafka Streams' own. */
  private static Map<String, Object> clientSecurity(TracestitchConfig settings) {
    Map<String, Object> security = new HashMap<>();
    settings.serdeConfig().forEach((key, value) -> {
      if (key.startsWith("security.") || key.startsWith("sasl.") || key.startsWith("ssl.")) {
        security.put(key, value);
      }
    });
    return security;
  }

  /**
   * One demo run: processor, output, simulation, started in that order so no output is missed, and stopped in
   * the reverse one (the simulation first, so its last spans are still stitched by the running processor).
   */
  private static final class DemoRun {
    /**
     * The services' export delay and the processor's routing beyond the inactivity gap, with room for a busy
     * machine: on a loaded 2-core machine the last workflow came 8 s after the checkout stopped.
     */
    private static final long DRAIN_MARGIN_MS = 3_000;

    private final TracestitchConfig config;
    private final double rate;
    private final Faults faults;
    private final PrintWriter out;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private TracestitchApp app;
    private OutputTail tail;
    private CheckoutSimulation simulation;
    private boolean closed;
    private static final String WORKFLOW_LINE = "WORKFLOW ";
    private UiLinks ui;
    private boolean firstWorkflowLinked;

    DemoRun(TracestitchConfig config, double rate, Faults faults, PrintWriter out) {
      this.config = config;
      this.rate = rate;
      this.faults = faults;
      this.out = out;
    }

    synchronized void start() {
      if (closed) {
        return;
      }
      Map<String, Object> security = clientSecurity(config);
      if (!config.embedded()) {
        // Kafka Streams stops on missing source topics, so on a real cluster the services' topics come first.
        SimulationTopics.ensure(settings(String.join(",", config.getList(TracestitchConfig.BOOTSTRAP_SERVERS)),
            security));
      }
      // Kept before starting, so a start that fails half-way (broker up, Streams not) is still closed.
      app = new TracestitchApp(config, List.of());
      app.start();
      ui = UiLinks.onLocalPort(app.httpPort());
      print(ui.homeLine());
      Map<String, Object> client = new HashMap<>(security);
      client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, app.bootstrapServers());
      var graphs = RecordSerdes.forFormat(config.outputFormat(), WorkflowGraph.class, config.serdeConfig());
      var alerts = RecordSerdes.forFormat(config.outputFormat(), Alert.class, config.serdeConfig());
      var stitch = config.stitchSettings();
      tail = OutputTail.start(client, stitch.graphsTopic(), graphs.deserializer(), stitch.alertsTopic(),
          alerts.deserializer(), this::print);
      simulation = CheckoutSimulation.start(settings(app.bootstrapServers(), security));
      log.info("Demo running: a workflow is printed {} ms after its last span arrives (workflow.inactivity.gap.ms).",
          stitch.inactivityGap().toMillis());
    }

    private SimulationSettings settings(String bootstrapServers, Map<String, Object> security) {
      return SimulationSettings.of(bootstrapServers, topicsOf(config), rate, faults).withClientSecurity(security);
    }

    private void print(String line) {
      synchronized (out) {
        out.println(line);
        if (!firstWorkflowLinked && line.startsWith(WORKFLOW_LINE)) {
          firstWorkflowLinked = true;
          // WorkflowLine writes the workflow's id right after its prefix.
          print(ui.workflowLine(line.substring(WORKFLOW_LINE.length()).split(" ", 2)[0]));
        }
        out.flush();
      }
    }

    /** True when stopped by a signal, false when the time is up. */
    boolean awaitStop(long seconds) throws InterruptedException {
      if (seconds == 0) {
        stopped.await();
        return true;
      }
      return stopped.await(seconds, TimeUnit.SECONDS);
    }

    /**
     * At the end of a timed run: no more orders, but the processor keeps running long enough to publish the
     * workflows still in flight, so the last orders are shown too. A signal meanwhile ends the wait at once.
     */
    void finishCheckout() throws InterruptedException {
      CheckoutSimulation finishing;
      synchronized (this) {
        finishing = simulation;
        simulation = null;
      }
      if (finishing == null) {
        return;
      }
      var stitch = config.stitchSettings();
      long drainMs = stitch.inactivityGap().toMillis() + 2 * stitch.punctuationInterval().toMillis() + DRAIN_MARGIN_MS;
      finishing.close();
      log.info("Stopped the checkout after {} order(s); the workflows still in flight follow within {} s.",
          finishing.ordersPlaced(), TimeUnit.MILLISECONDS.toSeconds(drainMs + 999));
      stopped.await(drainMs, TimeUnit.MILLISECONDS);
    }

    synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        if (simulation != null) {
          simulation.close();
          log.info("Stopped the checkout after {} order(s).", simulation.ordersPlaced());
        }
      } finally {
        try {
          if (tail != null) {
            tail.close();
          }
        } finally {
          try {
            if (app != null) {
              app.close();
            }
          } finally {
            stopped.countDown();
          }
        }
      }
    }
  }
}
