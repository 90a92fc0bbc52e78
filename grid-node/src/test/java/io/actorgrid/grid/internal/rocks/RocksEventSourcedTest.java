package io.actorgrid.grid.internal.rocks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.actorgrid.grid.internal.GridMetrics;
import io.actorgrid.grid.internal.PartitionJournal;
import io.actorgrid.grid.internal.PartitionState;
import io.actorgrid.grid.internal.WriteOp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real partition journal (the grid's event-sourced behaviour, its Jackson CBOR events and state)
 * persists through the RocksDB plugins, is stopped with its actor system, and recovers in a new one
 * from its latest snapshot and the events after it.
 */
class RocksEventSourcedTest {
  @TempDir Path dir;

  private static final PersistenceId PID = PersistenceId.of("Partition", "3");
  // Small, so that the writes below take several snapshots.
  private static final long MIN_SNAPSHOT_BYTES = 4_000;

  private static ActorTestKit kit(Path dir) {
    return ActorTestKit.create("rocks-es", RocksTesting.config(dir, ""));
  }

  private record Running(ActorRef<PartitionJournal.Command> journal, PartitionState recovered) {}

  private static Running start(ActorTestKit kit) {
    TestProbe<PartitionJournal.Recovered> recovered = kit.createTestProbe();
    ActorRef<PartitionJournal.Command> journal =
        kit.spawn(
            PartitionJournal.create(
                PID,
                recovered.getRef(),
                PartitionJournal.Cleanup.NONE,
                MIN_SNAPSHOT_BYTES,
                Duration.ofHours(1),
                100,
                GridMetrics.disabled()));
    return new Running(journal, recovered.receiveMessage(Duration.ofSeconds(30)).state());
  }

  private static byte[] value(int i, int round) {
    return ("value " + i + " of round " + round + " " + "x".repeat(200))
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void recoversFromASnapshotAndTheEventsAfterIt() throws Exception {
    PartitionState before;
    ActorTestKit first = kit(dir);
    try {
      Running running = start(first);
      assertEquals(0, running.recovered().lastVersion());
      TestProbe<PartitionJournal.BatchApplied> replies = first.createTestProbe();
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 40; i++) {
          List<WriteOp> ops = new ArrayList<>();
          ops.add(
              new WriteOp.Put("m", "k" + i, value(i, round), "text/plain", WriteOp.ANY, 0, null));
          ops.add(
              new WriteOp.Put(
                  "m", "other" + i, value(i, round), "text/plain", WriteOp.ANY, 0, null));
          running
              .journal()
              .tell(new PartitionJournal.ApplyBatch(ops, 1000 + round, replies.getRef()));
          replies.receiveMessage(Duration.ofSeconds(30));
        }
      }
      // A delete last: recovery must apply it after the snapshot and remove the record.
      running
          .journal()
          .tell(
              new PartitionJournal.ApplyBatch(
                  List.of(new WriteOp.Delete("m", "k0", WriteOp.ANY, null)),
                  2000,
                  replies.getRef()));
      before = replies.receiveMessage(Duration.ofSeconds(30)).state();
      assertEquals(241, before.lastVersion());
      Optional<RocksStore.StoredSnapshot> snapshot =
          RocksPersistence.get(Adapter.toClassic(first.system()))
              .store()
              .latestSnapshot(PID.id(), SnapshotSelectionCriteria.latest());
      assertTrue(snapshot.isPresent(), "the writes took a snapshot");
      assertTrue(
          snapshot.get().sequenceNr() < before.lastVersion(),
          "events follow the latest snapshot, so recovery needs both");
    } finally {
      first.shutdownTestKit();
    }

    ActorTestKit second = kit(dir);
    try {
      PartitionState after = start(second).recovered();
      assertEquals(before.lastVersion(), after.lastVersion());
      assertEquals(before.size(), after.size());
      assertEquals(before.weight(), after.weight());
      for (int i = 0; i < 40; i++) {
        assertEquals(
            before.stored("m", "other" + i).orElseThrow().version(),
            after.stored("m", "other" + i).orElseThrow().version());
        assertArrayEquals(value(i, 2), after.stored("m", "other" + i).orElseThrow().value());
      }
      assertTrue(after.stored("m", "k0").isEmpty(), "the delete was recovered");
    } finally {
      second.shutdownTestKit();
    }
  }
}
