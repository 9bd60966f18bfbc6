package io.tracestitch.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The figures of one fault-injection run, as its assertion messages state them and as docs/reliability.md
 * tabulates them: what was injected, records in, graphs out, workflows lost, (workflow, revision) pairs
 * duplicated, false alerts, and how long the processor took to recover by itself.
 *
 * <p>Each run writes its figures to {@code <reliability.dir>/<fault>.json} (the failsafe configuration sets it
 * to the build directory); {@code reliability/run} turns those files into the page. A normal test run writes
 * only into the build directory, never the page.
 *
 * @param recoverySeconds from the end of the fault to the first graph published after it; negative when the
 *     fault has no end (poison records) or nothing was measured
 */
record FaultFigures(String fault, String guarantee, String injected, long recordsIn, long graphsOut,
    long workflows, long lost, long duplicated, long falseAlerts, double recoverySeconds, double wallSeconds,
    String notes) {

  /** One line for an assertion message or the test's output. */
  String summary() {
    return String.format(Locale.ROOT, "[%s, %s] %s: %d records in, %d graphs out for %d workflows, %d lost, "
            + "%d duplicated, %d false alerts, recovered in %s, wall time %.1f s%s", fault, guarantee, injected,
        recordsIn, graphsOut, workflows, lost, duplicated, falseAlerts,
        recoverySeconds < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f s", recoverySeconds), wallSeconds,
        notes.isEmpty() ? "" : "; " + notes);
  }

  /** Writes the figures where reliability/run collects them, and prints the summary. */
  FaultFigures write() {
    System.out.println("[reliability] " + summary());
    Path dir = Path.of(System.getProperty("reliability.dir", "target/reliability"));
    ObjectNode json = new ObjectMapper().createObjectNode()
        .put("fault", fault).put("guarantee", guarantee).put("injected", injected).put("recordsIn", recordsIn)
        .put("graphsOut", graphsOut).put("workflows", workflows).put("lost", lost).put("duplicated", duplicated)
        .put("falseAlerts", falseAlerts).put("recoverySeconds", recoverySeconds).put("wallSeconds", wallSeconds)
        .put("notes", notes);
    try {
      Files.createDirectories(dir);
      String file = (fault + "-" + guarantee).replaceAll("[^A-Za-z0-9._-]+", "-").toLowerCase(Locale.ROOT);
      Files.writeString(dir.resolve(file + ".json"), new ObjectMapper().writerWithDefaultPrettyPrinter()
          .writeValueAsString(json));
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write the figures of " + fault + " to " + dir, e);
    }
    return this;
  }
}
