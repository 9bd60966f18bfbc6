package io.tracestitch.demo;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** One misbehaviour of the simulated checkout, named as on the command line ({@code --faults slow-inventory,...}). */
public enum Fault {
  SLOW_INVENTORY("slow-inventory", "inventory's stock query takes 2 s for every tenth order"),
  PAYMENT_RETRY("payment-retry",
      "payment's first attempt fails for every third order and is retried from the same record"),
  ANALYTICS_DOWN("analytics-down",
      "analytics fails on every order and never retries (a silent fire-and-forget failure)"),
  LOYALTY_STALL("loyalty-stall", "loyalty stops handling orders after the first " + LoyaltyService.STALL_AFTER_ORDERS
      + " while staying in its consumer group"),
  DROP_CONTEXT("drop-context",
      "notification handles payment.authorized in a new trace, tied only by the correlation id"),
  PAYMENT_DOWN("payment-down", "payment does not answer order's hold request for every tenth order: order's call "
      + "times out after " + OrderService.PAYMENT_TIMEOUT.toSeconds() + " s (the seed's 30 s, scaled down), order "
      + "fails and the gateway answers 504"),
  N_PLUS_ONE("n-plus-one", "loyalty queries points once per item, " + LoyaltyService.ITEMS_PER_PREMIUM_ORDER
      + " queries one after another, for its second order and every fifth after it");

  private final String cliName;
  private final String description;

  Fault(String cliName, String description) {
    this.cliName = cliName;
    this.description = description;
  }

  public String cliName() {
    return cliName;
  }

  public String description() {
    return description;
  }

  static Optional<Fault> named(String name) {
    String wanted = name.strip().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(f -> f.cliName.equals(wanted)).findFirst();
  }

  static String allNames() {
    return Arrays.stream(values()).map(Fault::cliName).collect(Collectors.joining(", "));
  }
}
