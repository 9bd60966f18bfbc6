package io.tracestitch.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class FaultsTest {

  @Test
  void aCommaListEnablesExactlyTheNamedFaults() {
    Faults faults = Faults.parse("slow-inventory, drop-context");

    assertThat(faults.enabled()).containsExactlyInAnyOrder(Fault.SLOW_INVENTORY, Fault.DROP_CONTEXT);
    assertThat(faults.has(Fault.PAYMENT_RETRY)).isFalse();
    assertThat(faults).hasToString("slow-inventory,drop-context");
  }

  @Test
  void allAndNoneAreUnderstoodInAnyCase() {
    assertThat(Faults.parse("ALL").enabled()).containsExactlyInAnyOrder(Fault.values());
    assertThat(Faults.parse("none").enabled()).isEmpty();
    assertThat(Faults.none()).hasToString("none");
  }

  @Test
  void everyFaultIsReachableByItsCommandLineName() {
    for (Fault fault : Fault.values()) {
      assertThat(Faults.parse(fault.cliName()).enabled()).containsExactly(fault);
    }
  }

  @Test
  void anUnknownFaultIsRejectedWithTheKnownNames() {
    assertThatThrownBy(() -> Faults.parse("slow-inventory,slow-payment"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown fault 'slow-payment'; the known faults are slow-inventory, payment-retry, analytics-down, "
            + "loyalty-stall, drop-context, payment-down, n-plus-one (or all, none).");
  }

  @Test
  void anEmptyListIsRejectedRatherThanReadAsNoFaults() {
    assertThatThrownBy(() -> Faults.parse(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("use --faults none");
  }

  @Test
  void theSettingsCannotBeChangedAfterParsing() {
    EnumSet<Fault> source = EnumSet.of(Fault.ANALYTICS_DOWN);
    Faults faults = new Faults(source);
    source.add(Fault.LOYALTY_STALL);

    assertThat(faults.enabled()).containsExactly(Fault.ANALYTICS_DOWN);
    assertThatThrownBy(() -> faults.enabled().add(Fault.DROP_CONTEXT))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
