package io.actorgrid.grid.internal.rocks;

import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Reopens a RocksStore after a write failed with an I/O error: RocksDB then refuses every write
 * until it is resumed, which RocksJava cannot do, or reopened. Tries once a second, on a thread of
 * its own started on the first failure, until a reopen succeeds.
 *
 * After a failure for want of space, a reopen is tried only once the file system has 4 MiB usable:
 * on a disk that is still full the failed database stays open, for reads. Reopening may still find
 * too little room (it writes what the log holds into table files): the store is then opened
 * read-only, so reads go on, and the next attempt follows a second later. Each episode is logged
 * when it starts, once if a reopen fails, and when it ends; never once per attempt.
 */
final class RocksReopener {
  private static final Logger LOG = LoggerFactory.getLogger(RocksReopener.class);
  private static final long RETRY_MILLIS = 1000;
  // Usable bytes wanted before a reopen after a write failed for want of space.
  private static final long ROOM_TO_REOPEN = 4L << 20;

  private final RocksStore store;
  private ScheduledExecutorService timer;
  private boolean stopped;
  // The generation of the database that failed; 0 when no reopen is pending.
  private long failedGeneration;
  private long failedAt;
  private int attempts;
  private boolean openFailureLogged;
  private boolean waitForRoom;

  RocksReopener(RocksStore store) {
    this.store = store;
  }

  /** A write to the database of this generation failed with {@code cause}. */
  synchronized void needed(RocksDBException cause, long generation) {
    if (stopped || failedGeneration == generation) {
      return;
    }
    failedGeneration = generation;
    failedAt = System.nanoTime();
    attempts = 0;
    openFailureLogged = false;
    waitForRoom = RocksStore.noSpace(cause);
    LOG.warn(
        "A write to the RocksDB journal in {} failed ({}); its writes are refused until it is"
            + " reopened, tried every {} ms once the disk has room",
        store.dir(),
        cause.getMessage(),
        RETRY_MILLIS);
    if (timer == null) {
      timer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "actorgrid-rocksdb-reopener");
                t.setDaemon(true);
                return t;
              });
    }
    schedule();
  }

  /** Stops trying; the store is closing. */
  synchronized void stop() {
    stopped = true;
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  private void schedule() {
    timer.schedule(this::attempt, RETRY_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void attempt() {
    long generation;
    boolean room;
    synchronized (this) {
      if (stopped) {
        return;
      }
      attempts++;
      generation = failedGeneration;
      room = waitForRoom;
    }
    try {
      if (room && usableSpace() < ROOM_TO_REOPEN) {
        retry();
        return;
      }
      boolean reopened = store.reopen(generation);
      synchronized (this) {
        failedGeneration = 0;
        if (reopened) {
          LOG.info(
              "RocksDB journal in {} reopened after {} attempts, {} ms after its failed write:"
                  + " writes are accepted again",
              store.dir(),
              attempts,
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - failedAt));
        }
      }
    } catch (RocksDBException | RuntimeException e) {
      synchronized (this) {
        if (!openFailureLogged) {
          openFailureLogged = true;
          LOG.warn(
              "Could not reopen the RocksDB journal in {} for writing ({}); its writes fail until"
                  + " it is, tried every {} ms",
              store.dir(),
              e.getMessage(),
              RETRY_MILLIS);
        }
      }
      retry();
    }
  }

  private synchronized void retry() {
    if (!stopped) {
      schedule();
    }
  }

  private long usableSpace() {
    try {
      return Files.getFileStore(store.dir()).getUsableSpace();
    } catch (IOException e) {
      return Long.MAX_VALUE;
    }
  }
}
