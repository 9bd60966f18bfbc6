package io.tracestitch.topology.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Regenerates the figures in {@code docs/alerts.md}: every named schedule and {@value #SEEDS} seeded random
 * ones, judged, written between the {@code fault-figures} markers of the file named by the system property
 * {@value #PROPERTY}. Off in the normal test run (the named and a few random schedules run there as tests):
 *
 * <pre>mvn -B -o test -Dtest=FaultFiguresReport -Dtracestitch.faults.report=docs/alerts.md</pre>
 */
@EnabledIfSystemProperty(named = FaultFiguresReport.PROPERTY, matches = ".+")
class FaultFiguresReport {
  static final String PROPERTY = "tracestitch.faults.report";
  static final int SEEDS = 20;
  static final String START = "<!-- fault-figures:start -->";
  static final String END = "<!-- fault-figures:end -->";

  @Test
  void writeTheSuiteFiguresIntoTheDocs() throws Exception {
    FaultFigures figures = new FaultFigures();
    for (FaultSchedule schedule : FaultScenarios.named()) {
      FaultRun run = FaultRun.of(schedule);
      System.out.println(run.verdict().describe());
      figures.add(run);
    }
    LongStream.rangeClosed(1, SEEDS).forEach(seed -> {
      FaultRun run = FaultRun.of(FaultScenarios.random(seed));
      System.out.println(run.verdict().describe());
      figures.add(run);
    });
    String table = figures.table();
    System.out.println(table);

    Path target = Path.of(System.getProperty(PROPERTY));
    // Surefire runs in the module directory; a relative path means the same from the command line.
    String doc = Files.exists(target) ? Files.readString(target, StandardCharsets.UTF_8) : START + "\n" + END + "\n";
    assertThat(doc).as("%s must contain the markers %s and %s", target, START, END).contains(START).contains(END);
    String updated = doc.substring(0, doc.indexOf(START) + START.length()) + "\n" + table
        + doc.substring(doc.indexOf(END));
    Files.writeString(target, updated, StandardCharsets.UTF_8);
  }
}
