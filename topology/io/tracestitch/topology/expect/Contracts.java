package io.tracestitch.topology.expect;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Declared workflow contracts: for an event name, the consumers that must handle it and by when.
 * Loaded once from the contracts file; every task holds the same copy (it does not grow with traffic).
 *
 * @param byEvent contracts keyed by event name
 * @param terminalEvents event names that mark a workflow done: no expectation is raised for them
 */
public record Contracts(Map<String, Contract> byEvent, Set<String> terminalEvents) {
  public static final Contracts NONE = new Contracts(Map.of(), Set.of());

  public Contracts {
    byEvent = Map.copyOf(byEvent);
    terminalEvents = Set.copyOf(terminalEvents);
  }

  public static Contracts of(List<Contract> contracts, Set<String> terminalEvents) {
    return new Contracts(contracts.stream().collect(Collectors.toMap(Contract::eventName, Function.identity(),
        (a, b) -> {
          throw new IllegalArgumentException("The event " + a.eventName() + " has two contracts; merge them into one.");
        })), terminalEvents);
  }

  /** One event's contract. */
  public record Contract(String eventName, List<Consumer> consumers) {
    public Contract {
      Objects.requireNonNull(eventName, "eventName");
      consumers = List.copyOf(consumers);
    }
  }

  /** A consumer that must handle the event within {@code deadline} of its publication. */
  public record Consumer(String name, Duration deadline) {
    public Consumer {
      Objects.requireNonNull(name, "name");
      if (deadline == null || deadline.isNegative() || deadline.isZero()) {
        throw new IllegalArgumentException("The deadline of consumer " + name + " must be a positive duration.");
      }
    }
  }
}
