package io.actorgrid.systemtest;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition until it holds or a deadline passes: the only way these tests wait. */
final class Await {

  private static final Duration POLL_INTERVAL = Duration.ofMillis(100);

  private Await() {}

  /**
   * Returns as soon as {@code condition} holds; fails after {@code timeout} with {@code
   * description} and whatever {@code diagnostics} says about the state at that moment. The
   * condition may itself throw to fail early (for example when the process it waits for died).
   */
  static void until(
      String description, Duration timeout, BooleanSupplier condition, Supplier<String> diagnostics)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(
            "timed out after "
                + timeout
                + " waiting until "
                + description
                + "\n"
                + diagnostics.get());
      }
      Thread.sleep(POLL_INTERVAL.toMillis());
    }
  }
}
