package io.actorgrid.grid.internal;

import io.actorgrid.grid.ChangesGoneException;
import io.actorgrid.grid.GridUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Whether a change feed can resume at a position: retention deletes a prefix of each partition's
 * journal, and a feed whose next event is gone cannot go on without a gap (ChangesGoneException,
 * 410 over HTTP).
 */
final class FeedRetention {
  private static final int RETENTION_CHECKS = 16;

  private FeedRetention() {}

  /**
   * Checks that the journal still holds the event after the start position of every partition: the
   * one check that can fail the feed before its first item.
   */
  static CompletionStage<Void> check(JournalReader reader, long[] seqs, Executor executor) {
    return check(reader, seqs, executor, 0);
  }

  /**
   * Checks partitions {@code first} on, RETENTION_CHECKS at a time, so that many consumers resuming
   * at once (after a node restart) do not flood the journal's query queue. A journal that does not
   * answer makes the feed unavailable (503), not failed.
   */
  private static CompletionStage<Void> check(
      JournalReader reader, long[] seqs, Executor executor, int first) {
    if (first >= seqs.length) {
      return CompletableFuture.completedFuture(null);
    }
    List<CompletableFuture<Void>> checks = new ArrayList<>(RETENTION_CHECKS);
    for (int p = first; p < Math.min(seqs.length, first + RETENTION_CHECKS); p++) {
      int partition = p;
      long from = seqs[p] + 1;
      checks.add(
          reader
              .read(p, from, Long.MAX_VALUE, 1)
              .handleAsync(
                  (events, error) -> {
                    if (error != null) {
                      throw new GridUnavailableException(
                          "the journal did not answer where partition "
                              + partition
                              + "'s changes start ("
                              + ChangeFeed.cause(error)
                              + "); retry shortly");
                    }
                    if (!events.isEmpty() && events.get(0).sequenceNr() > from) {
                      throw gone(partition, from, events.get(0).sequenceNr());
                    }
                    return (Void) null;
                  },
                  executor)
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new))
        .thenComposeAsync(
            ignored -> check(reader, seqs, executor, first + RETENTION_CHECKS), executor);
  }

  static ChangesGoneException gone(int p, long wanted, long oldest) {
    return new ChangesGoneException(
        "the changes of partition "
            + p
            + " from sequence number "
            + wanted
            + " to "
            + (oldest - 1)
            + " were deleted by retention, so the feed cannot resume after this id without a"
            + " gap. Restart with from=beginning (the oldest change retained, sequence number "
            + oldest
            + " there) after re-reading the current state, or with from=now");
  }
}
