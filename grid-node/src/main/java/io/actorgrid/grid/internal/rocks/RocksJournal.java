package io.actorgrid.grid.internal.rocks;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * The journal plugin ({@code actorgrid-rocksdb.journal}). Events are serialized here, on the
 * journal actor, and written by the store's one writer thread, which commits the writes of many
 * actors together (see {@link RocksWriter}); replays and sequence number reads run on the blocking
 * dispatcher of {@code actorgrid-rocksdb.dispatcher}.
 *
 * <p>An event that cannot be serialized is rejected (its actor's persist is rejected and nothing of
 * that atomic write is stored); the other writes of the call go ahead.
 */
public final class RocksJournal extends AsyncWriteJournal {
  private final RocksPersistence rocks = RocksPersistence.get(context().system());

  @Override
  public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(
      Iterable<AtomicWrite> messages) {
    List<Optional<Exception>> results = new ArrayList<>();
    List<RocksWriter.Events> writes = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (AtomicWrite write : messages) {
      try {
        writes.add(serialize(write, now));
        results.add(Optional.empty());
      } catch (Exception e) {
        // Pekko's serialization throws NotSerializableException, checked, from Scala code.
        results.add(Optional.of(e));
      }
    }
    Iterable<Optional<Exception>> outcome = results;
    if (writes.isEmpty()) {
      return Future.successful(outcome);
    }
    return FutureConverters.asScala(rocks.writer().append(writes).thenApply(done -> outcome));
  }

  private RocksWriter.Events serialize(AtomicWrite write, long now) {
    List<byte[]> values = new ArrayList<>(write.size());
    long expected = write.lowestSequenceNr();
    for (PersistentRepr repr : CollectionConverters.asJava(write.payload())) {
      if (repr.sequenceNr() != expected++) {
        throw new IllegalArgumentException(
            "the events of an atomic write of "
                + write.persistenceId()
                + " do not have consecutive sequence numbers");
      }
      values.add(rocks.codec().event(repr.timestamp() == 0 ? repr.withTimestamp(now) : repr));
    }
    return new RocksWriter.Events(write.persistenceId(), write.lowestSequenceNr(), values);
  }

  @Override
  public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    return FutureConverters.asScala(rocks.writer().deleteTo(persistenceId, toSequenceNr));
  }

  @Override
  public Future<Void> doAsyncReplayMessages(
      String persistenceId,
      long fromSequenceNr,
      long toSequenceNr,
      long max,
      Consumer<PersistentRepr> replayCallback) {
    RocksCodec codec = rocks.codec();
    return FutureConverters.asScala(
        CompletableFuture.runAsync(
            () ->
                rocks
                    .store()
                    .events(
                        persistenceId,
                        fromSequenceNr,
                        toSequenceNr,
                        max,
                        (sequenceNr, value) -> {
                          replayCallback.accept(codec.event(persistenceId, sequenceNr, value));
                          return true;
                        }),
            rocks.blocking()));
  }

  @Override
  public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
    return FutureConverters.asScala(
        CompletableFuture.supplyAsync(
            () -> rocks.store().highestSequenceNr(persistenceId), rocks.blocking()));
  }
}
