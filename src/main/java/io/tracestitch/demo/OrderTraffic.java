package io.tracestitch.demo;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Customers checking out at a steady rate. Correlation ids are {@code order-<run>-<n>}: the run tag keeps two
 * runs against the same cluster from merging into each other's workflows.
 */
final class OrderTraffic implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OrderTraffic.class);
  private static final long STOP_TIMEOUT_SECONDS = 15;

  private final GatewayService gateway;
  private final String runTag;
  private final AtomicLong placed = new AtomicLong();
  private final ScheduledExecutorService customers = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "checkout-customers");
    thread.setDaemon(true);
    return thread;
  });
  /** Checkouts run side by side, as customers' do: one waiting out a timeout does not hold the next back. */
  private final ExecutorService checkouts = Executors.newCachedThreadPool(r -> {
    Thread thread = new Thread(r, "checkout");
    thread.setDaemon(true);
    return thread;
  });

  OrderTraffic(GatewayService gateway, String runTag) {
    this.gateway = gateway;
    this.runTag = runTag;
  }

  void start(double ordersPerSecond) {
    long periodNanos = Math.max(1, Math.round(TimeUnit.SECONDS.toNanos(1) / ordersPerSecond));
    customers.scheduleAtFixedRate(this::placeOrder, 0, periodNanos, TimeUnit.NANOSECONDS);
  }

  private void placeOrder() {
    long n = placed.incrementAndGet();
    try {
      checkouts.execute(() -> checkout(n));
    } catch (RejectedExecutionException e) {
      log.debug("Checkout {} not placed: the traffic is stopping.", n);
    }
  }

  private void checkout(long n) {
    try {
      gateway.checkout(new CheckoutRequest("order-" + runTag + "-" + n, "ord-" + runTag + "-" + n, n,
          ThreadLocalRandom.current().nextLong(1_000, 20_000)));
    } catch (RuntimeException e) {
      // One failed checkout must not end the traffic.
      log.warn("Checkout {} failed: {}", n, e.toString());
    }
  }

  long ordersPlaced() {
    return placed.get();
  }

  /** Lets the checkouts in progress finish, then stops. */
  @Override
  public void close() {
    for (ExecutorService executor : List.of(customers, checkouts)) {
      executor.shutdown();
      try {
        if (!executor.awaitTermination(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          executor.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        executor.shutdownNow();
      }
    }
  }
}
