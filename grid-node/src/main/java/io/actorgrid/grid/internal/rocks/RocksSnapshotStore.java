package io.actorgrid.grid.internal.rocks;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.snapshot.japi.SnapshotStore;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * The snapshot store plugin ({@code actorgrid-rocksdb.snapshot-store}). A snapshot is one value
 * keyed by persistence id and sequence number (a second snapshot at the same sequence number
 * replaces the first); it is serialized and written on the blocking dispatcher, outside the event
 * writer's group commits, so that a large snapshot never delays other actors' events. Snapshots are
 * as durable as events (actorgrid-rocksdb.durability).
 */
public final class RocksSnapshotStore extends SnapshotStore {
  private final RocksPersistence rocks = RocksPersistence.get(context().system());

  @Override
  public Future<Optional<SelectedSnapshot>> doLoadAsync(
      String persistenceId, SnapshotSelectionCriteria criteria) {
    return async(
        () ->
            rocks
                .store()
                .latestSnapshot(persistenceId, criteria)
                .map(s -> rocks.codec().snapshot(persistenceId, s.sequenceNr(), s.value())));
  }

  @Override
  public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
    return async(
        () -> {
          rocks
              .store()
              .saveSnapshot(
                  metadata.persistenceId(),
                  metadata.sequenceNr(),
                  rocks.codec().snapshot(metadata, snapshot));
          return null;
        });
  }

  /** Deletes the snapshot at the metadata's sequence number, whatever its timestamp. */
  @Override
  public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
    return async(
        () -> {
          rocks.store().deleteSnapshot(metadata.persistenceId(), metadata.sequenceNr());
          return null;
        });
  }

  @Override
  public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    return async(
        () -> {
          rocks.store().deleteSnapshots(persistenceId, criteria);
          return null;
        });
  }

  private <T> Future<T> async(java.util.function.Supplier<T> work) {
    return FutureConverters.asScala(CompletableFuture.supplyAsync(work, rocks.blocking()));
  }
}
