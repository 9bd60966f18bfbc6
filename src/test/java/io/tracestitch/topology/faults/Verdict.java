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

/**
 * A run judged against its schedule's ground truth, the way a paging system's user would judge it: was every
 * problem paged, was anything paged that was no problem, one page per problem, did each page resolve after
 * its problem ended (and not before), and do the stalled workflows show the missing branch.
 *
 * <p>A page belongs to a problem when it names the problem's consumer and event, is a stalled branch, and
 * opened between the problem's first affected event and its last decision. Every other page is a false page.
 */
public record Verdict(String schedule, List<Problem> problems, List<Page> pages, Map<Problem, List<Page>> pagesByProblem,
    List<Page> falsePages, int missedEvents, int missedMarkedPending, List<String> findings) {

  /** Judges the pages and graphs of one run. */
  public static Verdict of(FaultSchedule schedule, List<Problem> problems, List<Page> pages, List<WorkflowGraph> graphs,
      long runEndMs) {
    Map<Problem, List<Page>> byProblem = new LinkedHashMap<>();
    problems.forEach(p -> byProblem.put(p, new ArrayList<>()));
    List<Page> falsePages = new ArrayList<>();
    for (Page page : pages) {
      Problem owner = problems.stream()
          .filter(p -> page.kind() == AlertKind.STALLED_BRANCH && p.consumer().equals(page.subject())
              && p.eventName().equals(page.eventName())
              && page.triggeredAtMs() >= p.firstMs() && page.triggeredAtMs() <= p.lastDecidedMs())
          .findFirst().orElse(null);
      if (owner == null) {
        falsePages.add(page);
      } else {
        byProblem.get(owner).add(page);
      }
    }
    List<String> findings = new ArrayList<>();
    for (Map.Entry<Problem, List<Page>> e : byProblem.entrySet()) {
      Problem p = e.getKey();
      List<Page> its = e.getValue();
      if (its.isEmpty()) {
        findings.add("not paged: " + p);
      } else if (its.size() > 1) {
        findings.add(its.size() + " pages for one problem: " + p + " -> " + its);
      }
      for (Page page : its) {
        if (page.resolved() && page.resolvedAtMs() < p.lastMs()) {
          findings.add("resolved before the problem ended: " + page + " for " + p);
        }
      }
      Page lastPage = its.isEmpty() ? null : its.get(its.size() - 1);
      long settledBy = p.lastDecidedMs() + schedule.rules().resolveWithinMs();
      if (lastPage != null && !lastPage.resolved() && settledBy <= runEndMs) {
        findings.add("still open " + (runEndMs - p.lastDecidedMs()) / 60_000 + " min after the problem ended: " + lastPage);
      } else if (lastPage != null && lastPage.resolved() && lastPage.resolvedAtMs() > settledBy) {
        findings.add("resolved only " + (lastPage.resolvedAtMs() - p.lastDecidedMs()) / 60_000
            + " min after the problem ended: " + lastPage);
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
    return new Verdict(schedule.name(), problems, pages, byProblem, falsePages, missed, marked, findings);
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

  /** Paged problems whose pages all resolved after the problem ended, within the rules' bound. */
  public int resolvedRight(long runEndMs, FaultSchedule schedule) {
    int right = 0;
    for (Map.Entry<Problem, List<Page>> e : pagesByProblem.entrySet()) {
      List<Page> its = e.getValue();
      if (its.isEmpty()) {
        continue;
      }
      Problem p = e.getKey();
      Page last = its.get(its.size() - 1);
      boolean early = its.stream().anyMatch(page -> page.resolved()
          && page.resolvedAtMs() < p.lastMs());
      boolean inTime = last.resolved() ? last.resolvedAtMs() <= p.lastDecidedMs() + schedule.rules().resolveWithinMs()
          : p.lastDecidedMs() + schedule.rules().resolveWithinMs() > runEndMs;
      if (!early && inTime) {
        right++;
      }
    }
    return right;
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
