package io.actorgrid.grid;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorgrid.grid.internal.Partition;
import io.actorgrid.grid.internal.PartitionEvent;
import io.actorgrid.grid.internal.Partitioner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node on the RocksDB journal (actorgrid.journal.type = rocksdb): it becomes ready (its readiness
 * probe queries the RocksDB read journal), keeps every acknowledged write across a restart, and its
 * read journal id serves the partitions' event history.
 */
class RocksGridTest {
  @TempDir Path dataDir;

  // 8 partitions, as GridTest: the journal's behaviour does not depend on the number.
  private Config config() {
    return ConfigFactory.parseString(
            "actorgrid.data-dir = \""
                + dataDir
                + "\"\nactorgrid.partitions = 8\nactorgrid.journal.type = rocksdb")
        .withFallback(ConfigFactory.load());
  }

  private Grid start() {
    Grid grid = Grid.start(config());
    grid.awaitReady(Duration.ofSeconds(60));
    return grid;
  }

  private static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  @Test
  void everyAcknowledgedWriteIsThereAfterARestart() {
    try (Grid grid = start()) {
      assertTrue(await(grid.readiness()).ready());
      GridMap map = grid.map("m");
      for (int i = 0; i < 200; i++) {
        await(map.put("key-" + i, ("value-" + i).getBytes(UTF_8), "text/plain"));
      }
      await(map.delete("key-0"));
      await(map.put("key-1", "changed".getBytes(UTF_8), "text/plain"));
    }
    assertTrue(Files.exists(dataDir.resolve("rocksdb").resolve("CURRENT")), "stored in data-dir");
    try (Grid grid = start()) {
      GridMap map = grid.map("m");
      assertTrue(await(map.get("key-0")).isEmpty());
      assertArrayEquals("changed".getBytes(UTF_8), await(map.get("key-1")).orElseThrow().value());
      for (int i = 2; i < 200; i++) {
        assertArrayEquals(
            ("value-" + i).getBytes(UTF_8), await(map.get("key-" + i)).orElseThrow().value());
      }
      assertEquals(List.of(new MapInfo("m", 199)), await(grid.maps()));
    }
  }

  @Test
  void theReadJournalServesAPartitionsHistory() {
    try (Grid grid = start()) {
      GridMap map = grid.map("h");
      await(map.put("k", "one".getBytes(UTF_8), "text/plain"));
      await(map.put("k", "two".getBytes(UTF_8), "text/plain"));
      int partition = new Partitioner(8).partitionOf("h", "k");
      var journal =
          PersistenceQuery.get(grid.system())
              .getReadJournalFor(
                  CurrentEventsByPersistenceIdQuery.class,
                  io.actorgrid.grid.internal.GridSettings.Journal.ROCKSDB.readJournalPluginId());
      List<EventEnvelope> events =
          await(
              journal
                  .currentEventsByPersistenceId(
                      Partition.persistenceId(partition).id(), 0, Long.MAX_VALUE)
                  .runWith(Sink.seq(), grid.system()));
      List<String> values =
          events.stream()
              .map(EventEnvelope::event)
              .filter(e -> e instanceof PartitionEvent.EntryPut put && put.key().equals("k"))
              .map(e -> new String(((PartitionEvent.EntryPut) e).value(), UTF_8))
              .toList();
      assertEquals(List.of("one", "two"), values);
    }
  }

  @Test
  void aDataDirectoryWithTheOtherEmbeddedJournalsDataIsRefused() {
    Config h2 = ConfigFactory.parseString("actorgrid.journal.type = h2").withFallback(config());
    try (Grid grid = Grid.start(h2)) {
      grid.awaitReady(Duration.ofSeconds(60));
      await(grid.map("m").put("k", "v".getBytes(UTF_8), "text/plain"));
    }
    // Switching GRID_JOURNAL on that directory would serve an empty grid: refused.
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Grid.start(config()));
    assertTrue(e.getMessage().contains("GRID_JOURNAL=h2"), e.getMessage());
    // The H2 node still starts there and has its record.
    try (Grid grid = Grid.start(h2)) {
      grid.awaitReady(Duration.ofSeconds(60));
      assertTrue(await(grid.map("m").get("k")).isPresent());
    }
  }

  @Test
  void anH2NodeOnARocksdbDataDirectoryIsRefused() {
    try (Grid grid = start()) {
      await(grid.map("m").put("k", "v".getBytes(UTF_8), "text/plain"));
    }
    Config h2 = ConfigFactory.parseString("actorgrid.journal.type = h2").withFallback(config());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Grid.start(h2));
    assertTrue(e.getMessage().contains("GRID_JOURNAL=rocksdb"), e.getMessage());
  }

  @Test
  void aNodeOnRocksdbThatWouldJoinOthersRefusesToStart() {
    Config joining =
        ConfigFactory.parseString("actorgrid.cluster.seed-nodes = \"127.0.0.1:1\"")
            .withFallback(config());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Grid.start(joining));
    assertTrue(e.getMessage().contains("rocksdb"), e.getMessage());
  }
}
