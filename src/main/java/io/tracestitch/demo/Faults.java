package io.tracestitch.demo;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which faults the simulated checkout injects. Immutable; parsed from the command line's comma list, where
 * {@code all} and {@code none} are also understood.
 */
public record Faults(Set<Fault> enabled) {
  public static final String ALL = "all";
  public static final String NONE = "none";

  public Faults {
    EnumSet<Fault> copy = EnumSet.noneOf(Fault.class);
    copy.addAll(enabled);
    enabled = Collections.unmodifiableSet(copy);
  }

  public static Faults all() {
    return new Faults(EnumSet.allOf(Fault.class));
  }

  public static Faults none() {
    return new Faults(EnumSet.noneOf(Fault.class));
  }

  /**
   * Reads {@code all}, {@code none}, or a comma-separated list of fault names such as
   * {@code slow-inventory,payment-retry}.
   *
   * @throws IllegalArgumentException naming the unknown fault and the known ones
   */
  public static Faults parse(String list) {
    if (list == null || list.isBlank()) {
      throw new IllegalArgumentException("No fault was named; use --faults " + NONE
          + " to run the checkout without faults, or name some of: " + Fault.allNames() + ".");
    }
    String trimmed = list.strip();
    if (trimmed.equalsIgnoreCase(ALL)) {
      return all();
    }
    if (trimmed.equalsIgnoreCase(NONE)) {
      return none();
    }
    EnumSet<Fault> faults = EnumSet.noneOf(Fault.class);
    for (String name : trimmed.split(",")) {
      if (name.isBlank()) {
        continue;
      }
      faults.add(Fault.named(name).orElseThrow(() -> new IllegalArgumentException("Unknown fault '" + name.strip()
          + "'; the known faults are " + Fault.allNames() + " (or " + ALL + ", " + NONE + ").")));
    }
    return new Faults(faults);
  }

  public boolean has(Fault fault) {
    return enabled.contains(fault);
  }

  /** The command-line spelling, so a run can be repeated with the same faults. */
  @Override
  public String toString() {
    return enabled.isEmpty() ? NONE : enabled.stream().map(Fault::cliName).collect(Collectors.joining(","));
  }
}
