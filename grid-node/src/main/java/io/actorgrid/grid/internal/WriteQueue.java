package io.actorgrid.grid.internal;

import io.actorgrid.grid.internal.PartitionProtocol.Outcomes;
import io.actorgrid.grid.internal.PartitionProtocol.Write;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/*
 * The group commit of one partition, confined to its actor: writes queue while a batch is in the
 * journal and go as the next batch when it completes, so a busy partition makes one journal write
 * per round trip instead of one per event. A batch holds whole Write messages only (the operations
 * of one Write are one atomic journal write), at most maxBatch operations and maxBatchBytes.
 */
final class WriteQueue {
  private final int maxBatch;
  private final long maxBatchBytes;
  private final long maxReplyBytes;
  private final ArrayDeque<Write> queue = new ArrayDeque<>();
  private List<Write> inFlight;
  // System.nanoTime() when the batch in flight went to the journal.
  private long inFlightSince;

  /**
   * @param maxReplyBytes most bytes of values one reply carries (see {@link #fit})
   */
  WriteQueue(int maxBatch, long maxBatchBytes, long maxReplyBytes) {
    this.maxBatch = maxBatch;
    this.maxBatchBytes = maxBatchBytes;
    this.maxReplyBytes = maxReplyBytes;
  }

  /** Writes waiting for the next batch. */
  int waiting() {
    return queue.size();
  }

  /** Writes waiting or in the journal. */
  int held() {
    return (inFlight == null ? 0 : inFlight.size()) + queue.size();
  }

  boolean idle() {
    return inFlight == null && queue.isEmpty();
  }

  boolean inFlight() {
    return inFlight != null;
  }

  /** Whether a write with this (non-zero) write id waits or is in the journal. */
  boolean holds(long writeId) {
    if (inFlight != null) {
      for (Write w : inFlight) {
        if (w.writeId() == writeId) {
          return true;
        }
      }
    }
    for (Write w : queue) {
      if (w.writeId() == writeId) {
        return true;
      }
    }
    return false;
  }

  void add(Write write) {
    queue.add(write);
  }

  /**
   * The operations of the next batch, now in flight, or null when a batch is in flight already or
   * nothing waits. {@code ids} receives each operation's internal write id (see {@link
   * Write#idOf}), index for index.
   */
  List<WriteOp> nextBatch(List<Long> ids) {
    if (inFlight != null || queue.isEmpty()) {
      return null;
    }
    List<Write> batch = new ArrayList<>();
    List<WriteOp> ops = new ArrayList<>();
    long bytes = 0;
    while (!queue.isEmpty()) {
      Write next = queue.peek();
      bytes += next.bytes();
      if (!batch.isEmpty() && (ops.size() + next.opCount() > maxBatch || bytes > maxBatchBytes)) {
        break;
      }
      batch.add(queue.poll());
      ops.addAll(next.ops());
      for (int i = 0; i < next.opCount(); i++) {
        ids.add(next.idOf(i));
      }
    }
    inFlight = batch;
    inFlightSince = System.nanoTime();
    return ops;
  }

  /** {@code ids} (internal write ids, 0: none) as an array, or null when none is set. */
  static long[] idsOrNull(List<Long> ids) {
    long[] array = null;
    for (int i = 0; i < ids.size(); i++) {
      if (ids.get(i) != 0) {
        if (array == null) {
          array = new long[ids.size()];
        }
        array[i] = ids.get(i);
      }
    }
    return array;
  }

  /** Nanoseconds since the batch in flight went to the journal. */
  long inFlightNanos() {
    return System.nanoTime() - inFlightSince;
  }

  /**
   * Answers each write of the batch in flight with its outcomes (one per operation, in batch
   * order); no batch is in flight afterwards. True when one of them changed a map's settings.
   */
  boolean answer(List<WriteOutcome> outcomes) {
    int next = 0;
    boolean configured = false;
    for (Write write : inFlight) {
      write.replyTo().tell(fit(outcomes.subList(next, next + write.opCount())));
      next += write.opCount();
      configured |= write.configures();
    }
    inFlight = null;
    return configured;
  }

  /** Hands every write held, in flight first, to {@code refuse}, and forgets them. */
  void refuseAll(Consumer<Write> refuse) {
    if (inFlight != null) {
      inFlight.forEach(refuse);
    }
    queue.forEach(refuse);
    inFlight = null;
    queue.clear();
  }

  /**
   * The reply to one Write, within maxReplyBytes of values: records found beyond that (batch gets
   * of large values) are answered TOO_LARGE, so the reply still fits one cluster message. The first
   * value always goes.
   */
  Outcomes fit(List<WriteOutcome> outcomes) {
    long bytes = 0;
    List<WriteOutcome> fitted = null;
    for (int i = 0; i < outcomes.size(); i++) {
      WriteOutcome o = outcomes.get(i);
      if (o.entry() == null || o.entry().value() == null) {
        continue;
      }
      int size = o.entry().value().length;
      bytes += size;
      if (bytes > maxReplyBytes && bytes > size) {
        if (fitted == null) {
          fitted = new ArrayList<>(outcomes);
        }
        fitted.set(
            i,
            WriteOutcome.failed(
                WriteOutcome.Status.TOO_LARGE,
                o.version(),
                "the values this batch reads from one partition exceed "
                    + maxReplyBytes
                    + " bytes (actorgrid.limits.max-batch-partition-bytes); read this record on"
                    + " its own with GET, or split the batch"));
        bytes -= size;
      }
    }
    return new Outcomes(fitted == null ? outcomes : fitted);
  }

  /**
   * The reply to a write the partition could not take or complete; {@code sendAgain} when it
   * refused the write without deciding it (see {@link Outcomes#sendAgain}).
   */
  static Outcomes unavailable(Write write, boolean sendAgain) {
    return new Outcomes(Collections.nCopies(write.opCount(), WriteOutcome.UNAVAILABLE), sendAgain);
  }
}
