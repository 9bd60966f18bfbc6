package io.tracestitch.topology.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The suite's figures over many runs: recall, false pages, pages per problem, resolves, PENDING branches. */
public final class FaultFigures {
  private final List<FaultRun> runs = new ArrayList<>();

  public FaultFigures add(FaultRun run) {
    runs.add(run);
    return this;
  }

  public int problems() {
    return runs.stream().mapToInt(r -> r.problems().size()).sum();
  }

  public int paged() {
    return runs.stream().mapToInt(r -> r.verdict().pagedProblems()).sum();
  }

  public int falsePages() {
    return runs.stream().mapToInt(r -> r.verdict().falsePages().size()).sum();
  }

  public int matchedPages() {
    return runs.stream().mapToInt(r -> r.verdict().matchedPages()).sum();
  }

  public int resolvedRight() {
    return runs.stream().mapToInt(r -> r.verdict().resolvedRight()).sum();
  }

  public double recall() {
    return problems() == 0 ? 1 : (double) paged() / problems();
  }

  public double pagesPerProblem() {
    return paged() == 0 ? 0 : (double) matchedPages() / paged();
  }

  /** A markdown table, one row per run and a total. */
  public String table() {
    StringBuilder out = new StringBuilder();
    out.append("| schedule | problems | paged | pages per paged problem | false pages | pages on stretches only perhaps "
        + "late | resolved after the problem, in time | missed workflows showing PENDING |\n"
        + "|---|---|---|---|---|---|---|---|\n");
    for (FaultRun r : runs) {
      Verdict v = r.verdict();
      out.append(row(r.schedule().name(), r.problems().size(), v.pagedProblems(), v.matchedPages(),
          v.falsePages().size(), v.perhapsPages().size(), v.resolvedRight(), v.missedMarkedPending(), v.missedEvents()));
    }
    int missed = runs.stream().mapToInt(r -> r.verdict().missedEvents()).sum();
    int marked = runs.stream().mapToInt(r -> r.verdict().missedMarkedPending()).sum();
    int perhaps = runs.stream().mapToInt(r -> r.verdict().perhapsPages().size()).sum();
    out.append(row("**all " + runs.size() + "**", problems(), paged(), matchedPages(), falsePages(), perhaps,
        resolvedRight(), marked, missed));
    out.append(String.format(Locale.ROOT, "%nRecall %.2f (%d of %d problems paged), %d false page(s), %.2f pages per "
        + "paged problem; %d page(s) on stretches only perhaps late.%n", recall(), paged(), problems(), falsePages(),
        pagesPerProblem(), perhaps));
    return out.toString();
  }

  private static String row(String name, int problems, int paged, int pages, int falsePages, int perhaps,
      int resolvedRight, int marked, int missed) {
    return String.format(Locale.ROOT, "| %s | %d | %d | %s | %d | %d | %d of %d | %d of %d |%n", name, problems, paged,
        paged == 0 ? "-" : String.format(Locale.ROOT, "%.2f", (double) pages / paged), falsePages, perhaps,
        resolvedRight, paged, marked, missed);
  }
}
