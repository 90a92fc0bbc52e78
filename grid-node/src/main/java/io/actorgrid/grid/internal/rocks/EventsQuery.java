package io.actorgrid.grid.internal.rocks;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.stream.javadsl.Source;

/*
 * Events of one persistence id as a stream, read from the store a batch at a time (query-batch
 * events) on the blocking dispatcher, each batch only when downstream wants more.
 *
 * A current query ends at the highest sequence number written when it starts (or at its to
 * bound): events written meanwhile belong to a later query. A live query, having caught up,
 * waits for the writer to report a commit of its id (ChangeNotifier) and reads again; it also
 * reads again every refresh-interval, in case a write reached the store some other way. It
 * registers before it reads, so a commit that lands between its read and its wait still wakes it.
 *
 * Both continue from the sequence number after the last event they emitted, by a seek in the
 * id's key range: deleted events (a prefix deleted by deleteMessagesTo) are stepped over like any
 * other missing number, and a bound of Long.MAX_VALUE is never exceeded or overflowed.
 */
final class EventsQuery {
  private final RocksPersistence rocks;

  EventsQuery(RocksPersistence rocks) {
    this.rocks = rocks;
  }

  /** Where a query stands: the next sequence number to read, its bound, and whether it is done. */
  private record Cursor(long next, long to, boolean bounded, boolean done) {
    Cursor after(List<EventEnvelope> batch) {
      long last = batch.get(batch.size() - 1).sequenceNr();
      return last >= to
          ? new Cursor(last, to, bounded, true)
          : new Cursor(last + 1, to, bounded, false);
    }
  }

  Source<EventEnvelope, NotUsed> events(
      String persistenceId, long fromSequenceNr, long toSequenceNr, boolean live) {
    // A current query learns its bound (the highest sequence number) when it first runs.
    Cursor start = new Cursor(Math.max(1, fromSequenceNr), toSequenceNr, live, false);
    return Source.unfoldAsync(start, cursor -> step(persistenceId, cursor, live))
        .mapConcat(batch -> batch);
  }

  private CompletionStage<Optional<Pair<Cursor, List<EventEnvelope>>>> step(
      String persistenceId, Cursor cursor, boolean live) {
    if (cursor.done() || cursor.next() > cursor.to()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    if (!cursor.bounded()) {
      return CompletableFuture.supplyAsync(
              () -> rocks.store().highestSequenceNr(persistenceId), rocks.blocking())
          .thenCompose(
              highest ->
                  step(
                      persistenceId,
                      new Cursor(cursor.next(), Math.min(cursor.to(), highest), true, false),
                      live));
    }
    return batch(persistenceId, cursor, live)
        .thenApply(
            batch ->
                batch.isEmpty()
                    ? Optional.empty()
                    : Optional.of(Pair.create(cursor.after(batch), batch)));
  }

  /** The next batch; for a live query, the first non-empty one. Empty: the query is over. */
  private CompletionStage<List<EventEnvelope>> batch(
      String persistenceId, Cursor cursor, boolean live) {
    CompletableFuture<Void> changed = new CompletableFuture<>();
    Runnable listener = () -> changed.complete(null);
    if (live) {
      rocks.notifier().listen(persistenceId, listener);
    }
    return CompletableFuture.supplyAsync(() -> read(persistenceId, cursor), rocks.blocking())
        .thenCompose(
            batch -> {
              if (!live) {
                return CompletableFuture.completedFuture(batch);
              }
              if (!batch.isEmpty()) {
                rocks.notifier().unlisten(persistenceId, listener);
                return CompletableFuture.completedFuture(batch);
              }
              return changed
                  .completeOnTimeout(
                      null, rocks.settings().refreshInterval().toMillis(), TimeUnit.MILLISECONDS)
                  .thenComposeAsync(
                      woken -> {
                        rocks.notifier().unlisten(persistenceId, listener);
                        return batch(persistenceId, cursor, true);
                      },
                      rocks.blocking());
            })
        .whenComplete(
            (batch, error) -> {
              if (error != null && live) {
                rocks.notifier().unlisten(persistenceId, listener);
              }
            });
  }

  private List<EventEnvelope> read(String persistenceId, Cursor cursor) {
    List<EventEnvelope> batch = new ArrayList<>();
    RocksCodec codec = rocks.codec();
    rocks
        .store()
        .events(
            persistenceId,
            cursor.next(),
            cursor.to(),
            rocks.settings().queryBatch(),
            (sequenceNr, value) -> {
              PersistentRepr repr = codec.event(persistenceId, sequenceNr, value);
              batch.add(
                  new EventEnvelope(
                      Offset.sequence(sequenceNr),
                      persistenceId,
                      sequenceNr,
                      repr.payload(),
                      repr.timestamp(),
                      repr.metadata()));
              return true;
            });
    return batch;
  }
}
