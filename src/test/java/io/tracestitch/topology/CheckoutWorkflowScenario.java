package io.tracestitch.topology;

import io.tracestitch.avro.WorkflowGraph;
import io.tracestitch.testing.TimedInput;
import java.util.List;

/** The driver tests' way of running one workflow, for tests in other packages (replay, end to end). */
public final class CheckoutWorkflowScenario {
  private CheckoutWorkflowScenario() {}

  public static final StitchSettings SETTINGS = CheckoutWorkflowTest.SETTINGS;

  public static WorkflowGraph runAlone(List<TimedInput> inputs) {
    return CheckoutWorkflowTest.runAlone(inputs);
  }
}
