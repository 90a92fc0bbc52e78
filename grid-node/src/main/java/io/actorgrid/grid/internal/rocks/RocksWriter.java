package io.actorgrid.grid.internal.rocks;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/*
 * Group commit: the one thread that writes events. Journal requests (each the events of one
 * actor's persist call, or a deletion) queue up while a commit is in progress; the thread then
 * takes everything queued (up to max-batch-requests) and commits it as one RocksDB WriteBatch,
 * which is one write-ahead-log write (and one fsync in fsync mode), then completes the requests'
 * futures. Under load from many persistent actors a commit thus carries many actors' events; a
 * lone write is committed at once, without waiting for company.
 *
 * The writer also fences stale writers: it keeps each id's highest sequence number and refuses a
 * request whose first sequence number is not above it, as the JDBC journal's unique key does. Two
 * incarnations of one persistence id (after a split brain inside this node, or a bug) cannot
 * then both acknowledge the same sequence number.
 *
 * Deleting events to a sequence number deletes at most up to the highest written when the
 * deletion is committed: events written after the request was made are never deleted by it.
 */
final class RocksWriter {
  /**
   * Events of one actor's persist call: an AtomicWrite of Pekko, serialized, with its key prefix
   * (made by the caller, so that an id the store cannot key fails alone, not the group commit).
   */
  record Events(String persistenceId, byte[] prefix, long lowestSequenceNr, List<byte[]> values) {
    Events(String persistenceId, long lowestSequenceNr, List<byte[]> values) {
      this(persistenceId, RocksKeys.prefix(persistenceId), lowestSequenceNr, values);
    }

    long highestSequenceNr() {
      return lowestSequenceNr + values.size() - 1;
    }
  }

  private sealed interface Request {
    CompletableFuture<Void> done();
  }

  private record Append(List<Events> writes, CompletableFuture<Void> done) implements Request {}

  private record DeleteTo(
      String persistenceId, byte[] prefix, long toSequenceNr, CompletableFuture<Void> done)
      implements Request {}

  private record Stop(CompletableFuture<Void> done) implements Request {}

  private final RocksStore store;
  private final ChangeNotifier notifier;
  private final int maxBatch;
  private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
  // Confined to the writer thread: highest sequence number of each id it has seen.
  private final Map<String, Long> highest = new HashMap<>();
  private final ReentrantReadWriteLock submitting = new ReentrantReadWriteLock();
  private boolean stopped;
  private final Thread thread;
  // The store's generation the highest map was read from (writer thread only).
  private long generation;
  // Written by the writer thread only; read for the log line at close.
  private volatile long commits;
  private volatile long committedRequests;

  RocksWriter(RocksStore store, ChangeNotifier notifier, int maxBatch) {
    this.store = store;
    this.notifier = notifier;
    this.maxBatch = maxBatch;
    this.thread = new Thread(this::run, "actorgrid-rocksdb-writer");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Writes these events atomically (all of them or none), after every request submitted before. The
   * future completes once they are durable as the store's durability setting says, and fails when
   * the store could not write them or another writer has written their sequence numbers.
   */
  CompletableFuture<Void> append(List<Events> writes) {
    return submit(new Append(writes, new CompletableFuture<>()));
  }

  /** Deletes the id's events up to {@code toSequenceNr}, keeping its highest sequence number. */
  CompletableFuture<Void> deleteTo(String persistenceId, long toSequenceNr) {
    byte[] prefix;
    try {
      prefix = RocksKeys.prefix(persistenceId);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    return submit(new DeleteTo(persistenceId, prefix, toSequenceNr, new CompletableFuture<>()));
  }

  /** Commits every request submitted so far, refuses later ones and ends the thread. */
  void stop() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    submitting.writeLock().lock();
    try {
      if (!stopped) {
        stopped = true;
        queue.add(new Stop(done));
      } else {
        done.complete(null);
      }
    } finally {
      submitting.writeLock().unlock();
    }
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Group commits so far, and the journal requests they carried. */
  long commits() {
    return commits;
  }

  long committedRequests() {
    return committedRequests;
  }

  private CompletableFuture<Void> submit(Request request) {
    submitting.readLock().lock();
    try {
      if (stopped) {
        request
            .done()
            .completeExceptionally(
                new IllegalStateException("the RocksDB journal in " + store.dir() + " is closed"));
      } else {
        queue.add(request);
      }
    } finally {
      submitting.readLock().unlock();
    }
    return request.done();
  }

  private void run() {
    List<Request> batch = new ArrayList<>();
    while (true) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        // Nobody interrupts this thread but the JVM on its way out; keep serving until stop().
        continue;
      }
      queue.drainTo(batch, maxBatch - 1);
      Request last = batch.get(batch.size() - 1);
      // Stop is the last request ever queued (stop() refuses later ones under the lock).
      if (last instanceof Stop stop) {
        batch.remove(batch.size() - 1);
        commit(batch);
        stop.done().complete(null);
        return;
      }
      commit(batch);
      batch.clear();
    }
  }

  private void commit(List<Request> batch) {
    if (batch.isEmpty()) {
      return;
    }
    Map<String, Long> touched = new HashMap<>();
    List<Request> accepted = new ArrayList<>(batch.size());
    try {
      // The batch is made and written on one database: a reopen (after a failed write) replaces
      // the column family handles, and waits for this.
      store.guarded(
          () -> {
            write(batch, touched, accepted);
            return null;
          });
    } catch (RuntimeException e) {
      // Refused requests are complete already; completing them again changes nothing. None of
      // these was acknowledged: their partitions answer them as unavailable and rejoin.
      batch.forEach(request -> request.done().completeExceptionally(e));
      return;
    }
    highest.putAll(touched);
    commits++;
    committedRequests += accepted.size();
    accepted.forEach(request -> request.done().complete(null));
    touched.keySet().forEach(notifier::changed);
  }

  /** Runs inside store.guarded(). */
  private void write(List<Request> batch, Map<String, Long> touched, List<Request> accepted) {
    if (store.generation() != generation) {
      // Reopened: a write that failed before may be in the log after all.
      highest.clear();
      generation = store.generation();
    }
    try (WriteBatch writes = new WriteBatch()) {
      for (Request request : batch) {
        if (request instanceof Append append) {
          String stale = staleWrite(append, touched);
          if (stale != null) {
            request.done().completeExceptionally(new IllegalStateException(stale));
            continue;
          }
          for (Events events : append.writes()) {
            byte[] prefix = events.prefix();
            long sequenceNr = events.lowestSequenceNr();
            for (byte[] value : events.values()) {
              writes.put(store.events, RocksKeys.key(prefix, sequenceNr++), value);
            }
            touched.merge(events.persistenceId(), events.highestSequenceNr(), Math::max);
          }
        } else if (request instanceof DeleteTo delete) {
          long to = Math.min(delete.toSequenceNr(), highest(delete.persistenceId(), touched));
          if (to > 0) {
            byte[] prefix = delete.prefix();
            writes.deleteRange(
                store.events,
                RocksKeys.key(prefix, 0),
                to == Long.MAX_VALUE ? RocksKeys.end(prefix) : RocksKeys.key(prefix, to + 1));
          }
        }
        accepted.add(request);
      }
      for (Map.Entry<String, Long> e : touched.entrySet()) {
        writes.put(store.highest, RocksKeys.prefix(e.getKey()), RocksKeys.longValue(e.getValue()));
      }
      try {
        store.db.write(store.writeOptions, writes);
      } catch (RocksDBException e) {
        store.writeFailed(e);
        throw new IllegalStateException("RocksDB could not write: " + e, e);
      }
      store.writeSucceeded();
    } catch (RocksDBException e) {
      // From building the batch (WriteBatch.put), not from the database.
      throw new IllegalStateException("RocksDB could not make a write batch: " + e, e);
    }
  }

  /**
   * Why an append must be refused: one of its ids already has events at its sequence numbers (as
   * committed, or earlier in this batch). Null when it may go ahead.
   */
  private String staleWrite(Append append, Map<String, Long> touched) {
    for (Events events : append.writes()) {
      long current = highest(events.persistenceId(), touched);
      if (events.lowestSequenceNr() <= current) {
        return "persistence id "
            + events.persistenceId()
            + " already has events up to sequence number "
            + current
            + ", so events from "
            + events.lowestSequenceNr()
            + " are refused: another incarnation of it has written them";
      }
    }
    return null;
  }

  private long highest(String persistenceId, Map<String, Long> touched) {
    Long inBatch = touched.get(persistenceId);
    if (inBatch != null) {
      return inBatch;
    }
    return highest.computeIfAbsent(persistenceId, store::highestSequenceNr);
  }
}
