package io.tracestitch.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The house's rooms import only downwards: the wire formats (serdes) know nothing of the stream, the stream
 * (topology) knows nothing of how it is run, served or demonstrated, and only the command line knows every
 * entry point. Processors read time from Kafka Streams (record and stream time, punctuations), never from the
 * wall clock, so a replay and a TopologyTestDriver run decide exactly what production decides.
 */
class LayeringTest {

  private static final String[] ABOVE_THE_TOPOLOGY = {
      "io.tracestitch.app..", "io.tracestitch.cli..", "io.tracestitch.config..", "io.tracestitch.delivery..",
      "io.tracestitch.demo..", "io.tracestitch.http..", "io.tracestitch.kafka..", "io.tracestitch.replay..",
      "io.tracestitch.telemetry..", "io.tracestitch.bench.."};

  private static JavaClasses production;

  @BeforeAll
  static void importProductionClasses() {
    production = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.tracestitch");
  }

  @Test
  void wireFormatsImportNeitherTheTopologyNorTheApp() {
    ArchRule rule = noClasses().that().resideInAPackage("io.tracestitch.serdes..")
        .should().dependOnClassesThat().resideInAnyPackage(concat("io.tracestitch.topology..", ABOVE_THE_TOPOLOGY))
        .because("serdes is the bottom room: the topology and the app build on it, never the other way");
    rule.check(production);
  }

  @Test
  void topologyImportsNothingThatRunsServesOrDemonstratesIt() {
    ArchRule rule = noClasses().that().resideInAPackage("io.tracestitch.topology..")
        .should().dependOnClassesThat().resideInAnyPackage(ABOVE_THE_TOPOLOGY)
        .because("the topology is tested on TopologyTestDriver alone; the app, HTTP API, demo and replay wrap it");
    rule.check(production);
  }

  @Test
  void processorsNeverReadTheWallClock() {
    ArchRule rule = noClasses().that().resideInAPackage("io.tracestitch.topology..")
        .should().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(System.class, "nanoTime")
        .orShould().callMethod(java.time.Instant.class, "now")
        .orShould().callMethod(java.time.Clock.class, "systemUTC")
        .orShould().callMethod(java.time.Clock.class, "systemDefaultZone")
        .orShould().callMethod(java.time.LocalDateTime.class, "now")
        .orShould().callMethod(java.time.OffsetDateTime.class, "now")
        .orShould().callMethod(java.time.ZonedDateTime.class, "now")
        .because("time in the stream is record time, stream time and punctuations (DESIGN.md: time), so a replay "
            + "or a driver test decides what production decides");
    rule.check(production);
  }

  @Test
  void onlyTheCommandLineReachesTheEntryPoints() {
    ArchRule commandLine = noClasses().that().resideOutsideOfPackage("io.tracestitch.cli..")
        .should().dependOnClassesThat().resideInAPackage("io.tracestitch.cli..")
        .because("the command line is the top room: it starts the app, the demo, replay and delivery");
    // Replay runs the topology the way the app does, with the app's own record-failure handlers, so the two
    // cannot drift apart on what a bad record does; nothing else may lean on the app.
    ArchRule app = noClasses().that().resideOutsideOfPackages("io.tracestitch.cli..", "io.tracestitch.app..",
            "io.tracestitch.replay..")
        .should().dependOnClassesThat().resideInAPackage("io.tracestitch.app..")
        .because("the app wires everything together; nothing it wires may depend on it");
    ArchRule demoAndReplay = noClasses()
        .that().resideOutsideOfPackages("io.tracestitch.cli..", "io.tracestitch.demo..", "io.tracestitch.replay..")
        .should().dependOnClassesThat().resideInAnyPackage("io.tracestitch.demo..", "io.tracestitch.replay..")
        .because("the demo and replay are entry points of their own, started only from the command line");
    commandLine.check(production);
    app.check(production);
    demoAndReplay.check(production);
  }

  private static String[] concat(String first, String... rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }
}
