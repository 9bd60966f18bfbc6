package io.tracestitch.topology.faults;

import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.Branch;
import io.tracestitch.avro.BranchState;
import io.tracestitch.avro.WorkflowGraph;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Set;

/**
 * A run judged against its schedule's ground truth, the way a paging system's user would judge it: was every
 * problem paged, was anything paged that was no problem, one page per problem, did each page resolve after
 * its problem ended (and not before), and do the stalled workflows show the missing branch.
 *
 * <p>A page covers a problem when it is a stalled branch naming the problem's consumer and event and was open at
 * some time between the problem's first affected event and its last decision. A page that covers no problem, nor
 * any stretch that is perhaps one (see {@link FaultSchedule#allowed}), is a false page. A page may cover several
 * problems (it stayed open across a gap the alert's resolve rule bridges); it must then resolve in time after the
 * last of them.
 */
public record Verdict(String schedule, List<Problem> problems, List<Page> pages, Map<Problem, List<Page>> pagesByProblem,
    List<Page> falsePages, int missedEvents, int missedMarkedPending, List<String> findings, Set<Problem> rightlyResolved, List<Page> perhapsPages) {

  /** Judges the pages and graphs of one run. */
  public static Verdict of(FaultSchedule schedule, List<Problem> problems, List<Problem> allowed, List<Page> pages,
      List<WorkflowGraph> graphs, long runEndMs) {
    Map<Problem, List<Page>> byProblem = new LinkedHashMap<>();
    problems.forEach(p -> byProblem.put(p, new ArrayList<>()));
    List<Page> falsePages = new ArrayList<>();
    List<Page> perhapsPages = new ArrayList<>();
    List<String> findings = new ArrayList<>();
    Set<Problem> late = new HashSet<>();
    long within = schedule.rules().resolveWithinMs();
    for (Page page : pages) {
      List<Problem> covered = problems.stream().filter(p -> covers(page, p)).toList();
      covered.forEach(p -> byProblem.get(p).add(page));
      List<Problem> perhaps = allowed.stream().filter(p -> covers(page, p)).toList();
      if (covered.isEmpty() && perhaps.isEmpty()) {
        falsePages.add(page);
        continue;
      }
      if (covered.isEmpty()) {
        perhapsPages.add(page);
      }
      long settledBy = java.util.stream.Stream.concat(covered.stream(), perhaps.stream())
          .mapToLong(Problem::lastDecidedMs).max().orElseThrow() + within;
      if (page.resolved() ? page.resolvedAtMs() > settledBy : settledBy <= runEndMs) {
        findings.add((page.resolved() ? "resolved only " + (page.resolvedAtMs() - settledBy + within) / 60_000 + " min"
            : "still open " + (runEndMs - settledBy + within) / 60_000 + " min") + " after its problem ended: " + page);
        late.addAll(covered);
      }
    }
    Set<Problem> right = new HashSet<>();
    for (Map.Entry<Problem, List<Page>> e : byProblem.entrySet()) {
      Problem p = e.getKey();
      List<Page> its = e.getValue();
      if (its.isEmpty()) {
        findings.add("not paged: " + p);
      } else if (its.size() > 1) {
        findings.add(its.size() + " pages for one problem: " + p + " -> " + its);
      }
      boolean early = false;
      for (Page page : its) {
        if (page.resolved() && page.resolvedAtMs() < p.lastMs()) {
          findings.add("resolved before the problem ended: " + page + " for " + p);
          early = true;
        }
      }
      if (!its.isEmpty() && !early && !late.contains(p)) {
        right.add(p);
      }
    }
    falsePages.forEach(f -> findings.add("false page: " + f));

    Map<String, WorkflowGraph> firstRevision = new HashMap<>();
    for (WorkflowGraph g : graphs) {
      firstRevision.putIfAbsent(g.getWorkflowId(), g);
    }
    int missed = 0;
    int marked = 0;
    for (Problem p : problems) {
      for (String workflowId : p.missedWorkflowIds()) {
        missed++;
        WorkflowGraph g = firstRevision.get(workflowId);
        if (g != null && hasPending(g, p.consumer(), p.eventName())) {
          marked++;
        }
      }
    }
    if (marked < missed) {
      findings.add((missed - marked) + " of " + missed + " workflows the consumer missed show no PENDING branch for it");
    }
    return new Verdict(schedule.name(), problems, pages, byProblem, falsePages, missed, marked, findings, right, perhapsPages);
  }

  private static boolean covers(Page page, Problem p) {
    return page.kind() == AlertKind.STALLED_BRANCH && p.consumer().equals(page.subject())
        && p.eventName().equals(page.eventName())
        && page.triggeredAtMs() <= p.lastDecidedMs() && page.resolvedAtMs() >= p.firstMs();
  }

  private static boolean hasPending(WorkflowGraph g, String consumer, String eventName) {
    for (Branch b : g.getBranches()) {
      if (b.getConsumer().equals(consumer) && eventName.equals(b.getEventName())
          && (b.getState() == BranchState.PENDING || b.getState() == BranchState.RETRYING)) {
        return true;
      }
    }
    return false;
  }

  public int pagedProblems() {
    return (int) pagesByProblem.values().stream().filter(l -> !l.isEmpty()).count();
  }

  /** Problems paged with exactly one page. */
  public int singlyPagedProblems() {
    return (int) pagesByProblem.values().stream().filter(l -> l.size() == 1).count();
  }

  public int matchedPages() {
    return pagesByProblem.values().stream().mapToInt(List::size).sum();
  }

  /** Paged problems none of whose pages resolved before it ended, and whose pages resolved in time after it. */
  public int resolvedRight() {
    return rightlyResolved.size();
  }

  public boolean clean() {
    return findings.isEmpty();
  }

  public String describe() {
    StringBuilder out = new StringBuilder(schedule + ": " + problems.size() + " problem(s), " + pages.size() + " page(s)");
    for (Problem p : problems) {
      out.append("\n  problem ").append(p).append(" -> ").append(pagesByProblem.get(p));
    }
    for (String f : findings) {
      out.append("\n  ! ").append(f);
    }
    return out.toString();
  }
}
