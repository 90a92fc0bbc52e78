package io.actorgrid.grid;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A subscriber of a change feed for tests: it requests a few items at a time (so the feed runs
 * under back-pressure), queues what arrives and lets the test take items, waiting generously.
 */
final class ChangeConsumer implements Flow.Subscriber<Change> {
  static final Duration WAIT = Duration.ofSeconds(60);
  private static final int REQUEST = 8;

  private final BlockingQueue<Change> items = new LinkedBlockingQueue<>();
  private final CompletableFuture<Throwable> failed = new CompletableFuture<>();
  private volatile Flow.Subscription subscription;
  private int outstanding;

  static ChangeConsumer subscribe(Flow.Publisher<Change> feed) {
    ChangeConsumer consumer = new ChangeConsumer();
    feed.subscribe(consumer);
    return consumer;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    synchronized (this) {
      outstanding = REQUEST;
    }
    s.request(REQUEST);
  }

  @Override
  public void onNext(Change item) {
    items.add(item);
    boolean more;
    synchronized (this) {
      more = --outstanding == 0;
      if (more) {
        outstanding = REQUEST;
      }
    }
    if (more) {
      subscription.request(REQUEST);
    }
  }

  @Override
  public void onError(Throwable t) {
    failed.complete(t);
  }

  @Override
  public void onComplete() {
    failed.complete(null);
  }

  /** The next item, checkpoints included. */
  Change next() throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      Change c = items.poll(100, TimeUnit.MILLISECONDS);
      if (c != null) {
        return c;
      }
      if (failed.isDone()) {
        fail("the feed ended: " + failed.join());
      }
    }
    fail("no item within " + WAIT);
    return null;
  }

  /**
   * The next change, skipping checkpoints; fails when none comes within WAIT (checkpoints, which an
   * idle feed sends every 10 s, do not count: a change that never comes must fail the test, not
   * hang it).
   */
  Change nextChange() throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    Change c;
    do {
      if (System.nanoTime() > deadline) {
        fail("no change within " + WAIT + ", only checkpoints");
      }
      c = next();
    } while (c.isCheckpoint());
    return c;
  }

  /** Changes (no checkpoints) until {@code done} holds for the list taken so far. */
  List<Change> changesUntil(Predicate<List<Change>> done) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    List<Change> out = new ArrayList<>();
    while (!done.test(out)) {
      if (System.nanoTime() > deadline) {
        fail("the feed did not deliver what was expected within " + WAIT + "; it did: " + out);
      }
      out.add(nextChange());
    }
    return out;
  }

  /** The next checkpoint that satisfies {@code wanted}; changes before it are dropped. */
  Change checkpoint(Predicate<Change> wanted) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    Change c;
    do {
      if (System.nanoTime() > deadline) {
        fail("no such checkpoint within " + WAIT);
      }
      c = next();
    } while (!c.isCheckpoint() || !wanted.test(c));
    return c;
  }

  /** The failure the feed ended with. */
  Throwable failure() throws Exception {
    return failed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  void cancel() {
    if (subscription != null) {
      subscription.cancel();
    }
  }
}
