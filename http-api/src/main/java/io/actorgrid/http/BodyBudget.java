package io.actorgrid.http;

import io.actorgrid.grid.GridUnavailableException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/*
 * The node's in-flight budget for request bodies. Every route that reads a body into memory first
 * reserves its size here (its Content-Length, or its route's limit when it has none) and gives the
 * bytes back once its response is ready. Without it, memory for bodies grows with the number of
 * concurrent requests: 100 batches of 32 MiB at once are 3.2 GB of bytes before any parsing.
 *
 * A request that does not fit is refused before any of its body is read, with 503 and
 * Retry-After, so a client retries it later; a client that sent Expect: 100-continue never sends
 * the body at all. One reservation of any size is always allowed while nothing else is reserved,
 * so the largest body the routes accept can always pass (the settings check that the budget is at
 * least that large anyway).
 */
final class BodyBudget {
  private final long limit;
  private final AtomicLong inFlight = new AtomicLong();

  BodyBudget(long limit) {
    this.limit = limit;
  }

  /** Reserves {@code bytes} or fails with a 503 that names the setting. */
  Reservation reserve(long bytes) {
    while (true) {
      long current = inFlight.get();
      long next = current + bytes;
      if (current > 0 && next > limit) {
        throw new GridUnavailableException(
            "the node is reading "
                + current
                + " bytes of other request bodies and this one has "
                + bytes
                + "; together they pass the node's budget of "
                + limit
                + " bytes for bodies in flight (actorgrid.http.max-in-flight-body-bytes)."
                + " Retry shortly.");
      }
      if (inFlight.compareAndSet(current, next)) {
        return new Reservation(bytes);
      }
    }
  }

  /** Bytes reserved right now, for tests and metrics. */
  long inFlight() {
    return inFlight.get();
  }

  /** Bytes of one request, given back once: later calls do nothing. */
  final class Reservation {
    private final long bytes;
    private final AtomicBoolean released = new AtomicBoolean();

    private Reservation(long bytes) {
      this.bytes = bytes;
    }

    void release() {
      if (released.compareAndSet(false, true)) {
        inFlight.addAndGet(-bytes);
      }
    }
  }
}
