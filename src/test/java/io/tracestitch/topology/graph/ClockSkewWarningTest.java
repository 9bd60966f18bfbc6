package io.tracestitch.topology.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** When an effect starting before its cause is taken for skew between two services' clocks. */
class ClockSkewWarningTest {
  final ClockSkew skew = new ClockSkew(100);
  final Set<String> warnings = new LinkedHashSet<>();

  @Test
  void anEffectAheadOfItsCauseInAnotherServiceByMoreThanTheToleranceIsSkew() {
    skew.warnIfAhead(warnings, "order", "payment", 1_000, 899, "payment starts early");

    assertThat(warnings).containsExactly("Clock skew suspected between order and payment: payment starts early by "
        + "101 ms; ordering across these services is approximate.");
  }

  @Test
  void withinTheToleranceOrWithinOneServiceItIsNot() {
    skew.warnIfAhead(warnings, "order", "payment", 1_000, 900, "within the tolerance");
    skew.warnIfAhead(warnings, "order", "order", 1_000, 0, "one service, one clock");
    skew.warnIfAhead(warnings, "order", "payment", 1_000, 2_000, "in order");

    assertThat(warnings).isEmpty();
  }
}
