package io.tracestitch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.AlertKind;
import io.tracestitch.avro.GraphFinding;
import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.replay.ReplayDriver;
import io.tracestitch.testing.FaultyCheckout;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The findings on checkouts nobody shaped by hand: seeded random traffic where payment is sometimes down, loyalty
 * sometimes queries per item, inventory's query is sometimes slow, and benign noise (a retried call, a parallel
 * fan-out, order failing on its own, every time varying) happens too. Each finding must name the service the
 * fault was injected into on nearly every faulted workflow, and almost never appear on the others.
 */
class DiagnosisPrecisionTest {
  static final int CHECKOUTS = 240;

  record Truth(String origin, boolean repeated, boolean slow) {}

  @Test
  void findingsNameTheFaultedServiceOnNearlyEveryFaultedWorkflowAndAlmostNeverOnTheOthers() {
    Random random = new Random(20260101);
    List<FaultyCheckout> checkouts = new ArrayList<>();
    Map<String, Truth> truth = new HashMap<>();
    for (int n = 1; n <= CHECKOUTS; n++) {
      FaultyCheckout c = new FaultyCheckout(n, DiagnosisScenariosTest.T + n * 400L);
      boolean slow = random.nextInt(8) == 0;
      boolean down = random.nextInt(10) == 0;
      boolean ownFailure = !down && random.nextInt(25) == 0;
      boolean perItem = random.nextInt(6) == 0;
      c.inventoryQuery(slow ? 1_800 + random.nextInt(400) : 20 + random.nextInt(100));
      c.payment(15 + random.nextInt(45));
      if (down) {
        c.paymentDown(3_000 + random.nextInt(27_000));
      }
      if (ownFailure) {
        c.orderFailsItself();
      }
      if (random.nextInt(10) == 0) {
        c.inventoryRetried();
      }
      if (perItem) {
        c.loyaltyQueries(30 + random.nextInt(16), 5 + random.nextInt(25), false);
      } else if (random.nextInt(8) == 0) {
        c.loyaltyQueries(40, 5 + random.nextInt(25), true);
      } else {
        c.loyaltyQueries(1 + random.nextInt(4), 5 + random.nextInt(25), false);
      }
      checkouts.add(c);
      // Loyalty only runs when order published order.created, so a failed checkout has no N+1 to find.
      truth.put(c.correlationId(), new Truth(down ? "payment" : ownFailure ? "order" : null,
          perItem && !down && !ownFailure, slow));
    }

    Map<String, WorkflowGraph> graphs = run(checkouts);
    assertThat(graphs).hasSize(CHECKOUTS);

    Map<AlertKind, int[]> counts = new EnumMap<>(AlertKind.class); // faulted, found right, findings, findings right
    for (AlertKind k : List.of(AlertKind.ERROR_ORIGIN, AlertKind.REPEATED_CALLS, AlertKind.SLOW_STEP)) {
      counts.put(k, new int[4]);
    }
    int judgedFrom = (int) Math.ceil(io.tracestitch.topology.graph.DiagnosisSettings.defaults().slowStepMinSamples());
    for (int n = 1; n <= CHECKOUTS; n++) {
      String id = "order-" + n;
      Truth t = truth.get(id);
      WorkflowGraph g = graphs.get(id);
      tally(counts.get(AlertKind.ERROR_ORIGIN), g, AlertKind.ERROR_ORIGIN, t.origin());
      tally(counts.get(AlertKind.REPEATED_CALLS), g, AlertKind.REPEATED_CALLS, t.repeated() ? "loyalty" : null);
      // A step is judged only once enough runs were learned: the first ones are not counted as missed.
      if (n > judgedFrom) {
        tally(counts.get(AlertKind.SLOW_STEP), g, AlertKind.SLOW_STEP, t.slow() ? "inventory" : null);
      }
    }
    counts.forEach((kind, c) -> {
      double recall = (double) c[1] / c[0];
      double precision = c[2] == 0 ? 1 : (double) c[3] / c[2];
      System.out.printf(Locale.ROOT, "%s: %d faulted, found %d (recall %.3f); %d findings, %d right (precision %.3f)%n",
          kind, c[0], c[1], recall, c[2], c[3], precision);
      assertThat(c[0]).as("%s faults injected", kind).isGreaterThan(10);
      assertThat(recall).as("%s recall", kind).isGreaterThanOrEqualTo(0.95);
      assertThat(precision).as("%s precision", kind).isGreaterThanOrEqualTo(0.98);
    });
  }

  private static void tally(int[] c, WorkflowGraph g, AlertKind kind, String expected) {
    List<GraphFinding> found = g.getAllFindings().stream().filter(f -> f.getKind() == kind).toList();
    if (expected != null) {
      c[0]++;
      if (found.stream().anyMatch(f -> expected.equals(f.getService()))) {
        c[1]++;
      }
    }
    for (GraphFinding f : found) {
      c[2]++;
      if (expected != null && expected.equals(f.getService())) {
        c[3]++;
      }
    }
  }

  static Map<String, WorkflowGraph> run(List<FaultyCheckout> checkouts) {
    try (ReplayDriver driver = new ReplayDriver(DiagnosisScenariosTest.SETTINGS,
        Instant.ofEpochMilli(DiagnosisScenariosTest.T))) {
      return DiagnosisScenariosTest.feed(driver, checkouts);
    }
  }
}
