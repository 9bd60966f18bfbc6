package io.tracestitch.topology.workflow;

import io.tracestitch.avro.Branch;
import io.tracestitch.avro.WorkflowGraph;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per consuming service (named as its branches name it: the consumer group, or the service where the
 * instrumentation names no group), in how many published workflows its spans were expected and in how many of those they did not
 * arrive ("are spans being dropped?"). A service's spans are expected in a workflow when a contract or a learned
 * expectation asked it to handle one of the workflow's events; they did not arrive when such a branch has no
 * attempt at all, whether marked telemetryMissing (lost telemetry) or pending (a stall): the share says how much
 * of what should have been seen of the service was not, whatever the cause.
 *
 * <p>Counted at a workflow's first publication only, since a later revision shows the same workflow again. Read
 * from other threads (metrics, the HTTP API), written on the stream thread.
 */
public final class TelemetryCompleteness implements GraphListener {
  /** One service's figures: workflows expecting its spans, those lacking them, and the share lacking them. */
  public record ServiceShare(String service, long expected, long missing) {
    public double missingShare() {
      return expected == 0 ? 0 : (double) missing / expected;
    }
  }

  private final Map<String, LongAdder[]> byService = new ConcurrentHashMap<>();

  @Override
  public void published(WorkflowGraph graph, long nowMs) {
    if (graph.getRevision() != 1) {
      return;
    }
    Set<String> expected = new HashSet<>();
    Set<String> missing = new HashSet<>();
    for (Branch b : graph.getBranches()) {
      if (!b.getExpected()) {
        continue;
      }
      // The consumer name, not Branch.service: a pending branch has no span, so no service, only its consumer.
      String service = b.getConsumer();
      expected.add(service);
      if (b.getAttempts() == 0) {
        missing.add(service);
      }
    }
    for (String service : expected) {
      LongAdder[] counts = byService.computeIfAbsent(service, k -> new LongAdder[] {new LongAdder(), new LongAdder()});
      counts[0].increment();
      if (missing.contains(service)) {
        counts[1].increment();
      }
    }
  }

  /** Every service seen so far, by name. */
  public List<ServiceShare> services() {
    Map<String, ServiceShare> copy = new HashMap<>();
    byService.forEach((service, counts) -> copy.put(service,
        new ServiceShare(service, counts[0].sum(), counts[1].sum())));
    return copy.values().stream().sorted(Comparator.comparing(ServiceShare::service)).toList();
  }
}
