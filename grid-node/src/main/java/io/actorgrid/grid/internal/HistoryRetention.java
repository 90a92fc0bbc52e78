package io.actorgrid.grid.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/*
 * What history retention lets a partition delete. Events of all maps share the partition's one
 * log, and the journal deletes only a prefix of it, so the partition keeps what the longest
 * retention among the maps it holds records (or removed records) of keeps: a map that keeps
 * everything, or whose settings this node does not know yet, keeps the whole log.
 *
 * The point to cut at is found in the journal: the last event written before now minus the
 * retention, scanning from the oldest kept event up, a bounded number per sweep (a partition that
 * starts retention on a long log gets there over several sweeps).
 */
public final class HistoryRetention {
  /** Keeps everything and never sweeps: for partitions run without a node (tests). */
  public static final HistoryRetention KEEP_EVERYTHING =
      new HistoryRetention(null, null, Duration.ZERO, () -> null, Runnable::run);

  private static final long FOREVER = Long.MAX_VALUE;
  private static final int READ_CHUNK = 500;
  private static final int MAX_SCAN = 20_000;

  private final MapSettingsDirectory settings;
  private final long nodeRetentionMillis;
  private final Duration sweepInterval;
  private final Supplier<JournalReader> reader;
  private final Executor executor;

  /**
   * @param nodeRetention the retention of maps that set none; null: forever
   */
  public HistoryRetention(
      MapSettingsDirectory settings,
      Duration nodeRetention,
      Duration sweepInterval,
      Supplier<JournalReader> reader,
      Executor executor) {
    this.settings = settings;
    this.nodeRetentionMillis = nodeRetention == null ? FOREVER : nodeRetention.toMillis();
    this.sweepInterval = sweepInterval;
    this.reader = reader;
    this.executor = executor;
  }

  /** How often a partition sweeps; zero: never. */
  public Duration sweepInterval() {
    return settings == null ? Duration.ZERO : sweepInterval;
  }

  /** The retention in milliseconds that applies to the partition's log; Long.MAX_VALUE: all. */
  long retentionMillis(PartitionState state) {
    long longest = 0;
    for (String map : state.mapsWithHistory()) {
      long retention = FOREVER;
      if (settings.lookup(map) instanceof MapSettingsDirectory.Known known) {
        retention =
            known.config() == null || known.config().historyRetentionMillis() == 0
                ? nodeRetentionMillis
                : known.config().historyRetentionMillis();
      }
      longest = Math.max(longest, retention);
      if (longest == FOREVER) {
        break;
      }
    }
    return longest == 0 ? nodeRetentionMillis : longest;
  }

  /**
   * The last event of the partition that retention no longer keeps at {@code now}, or 0 when it
   * keeps all (or only earlier truncations would go).
   */
  CompletionStage<Long> cut(int partition, PartitionState state, long now) {
    long retention = retentionMillis(state);
    if (retention == FOREVER || state.lastVersion() < state.historyStart()) {
      return CompletableFuture.completedFuture(0L);
    }
    long cutoff = now - retention;
    CompletableFuture<Long> result = new CompletableFuture<>();
    scan(
        reader.get(),
        partition,
        state.historyStart(),
        Math.min(state.lastVersion(), state.historyStart() + MAX_SCAN),
        cutoff,
        0,
        result);
    return result;
  }

  private void scan(
      JournalReader journal,
      int partition,
      long from,
      long to,
      long cutoff,
      long found,
      CompletableFuture<Long> result) {
    if (from > to) {
      result.complete(found);
      return;
    }
    journal
        .read(partition, from, to, READ_CHUNK)
        .whenCompleteAsync(
            (events, error) -> {
              if (error != null) {
                result.completeExceptionally(error);
                return;
              }
              long last = found;
              long read = from - 1;
              for (JournalReader.StoredEvent e : events) {
                if (e.event().timestamp() >= cutoff) {
                  result.complete(last);
                  return;
                }
                read = e.sequenceNr();
                // A truncation alone is not worth another: the partition would write one per sweep.
                if (!(e.event() instanceof PartitionEvent.HistoryTruncated)) {
                  last = e.sequenceNr();
                }
              }
              if (events.size() < READ_CHUNK) {
                result.complete(last);
              } else {
                scan(journal, partition, read + 1, to, cutoff, last, result);
              }
            },
            executor);
  }
}
