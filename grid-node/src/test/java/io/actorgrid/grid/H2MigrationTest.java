package io.actorgrid.grid;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorgrid.grid.internal.rocks.H2Migration;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data directories made while H2 was the default journal: a node with the shipped default (journal
 * type embedded) goes on serving them with H2, and {@code bin/actorgrid migrate} ({@link
 * H2Migration}) moves them to RocksDB with every record, version, history and snapshot.
 */
class H2MigrationTest {
  @TempDir Path dataDir;

  // 4 partitions: fewer journals to copy, the same code. Snapshots every 16 KiB (instead of 4 MiB)
  // so that the H2 journal holds snapshots and the migration has to carry them over.
  private Config config(String extra) {
    return ConfigFactory.parseString(
            "actorgrid.data-dir = \""
                + dataDir
                + "\"\nactorgrid.partitions = 4\n"
                + "actorgrid.partition.min-snapshot-bytes = 16 KiB\n"
                + extra)
        .withFallback(ConfigFactory.load());
  }

  private Grid start(Config config) {
    Grid grid = Grid.start(config);
    grid.awaitReady(Duration.ofSeconds(60));
    return grid;
  }

  private static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  /** Each record's version as the H2 journal left it (versions are partition-wide numbers). */
  private final long[] versions = new long[300];

  /** The three versions of key-1, oldest first. */
  private final long[] keyOne = new long[3];

  /** An H2 journal as an older version left it: 300 records, one of them in three versions. */
  private void writeWithH2() {
    try (Grid grid = start(config("actorgrid.journal.type = h2"))) {
      GridMap map = grid.map("m");
      for (int i = 0; i < 300; i++) {
        versions[i] =
            await(map.put("key-" + i, bytes("value-" + i + "-" + "x".repeat(200)), "text/plain"))
                .version();
      }
      keyOne[0] = versions[1];
      keyOne[1] = await(map.put("key-1", bytes("second"), "text/plain")).version();
      keyOne[2] = await(map.put("key-1", bytes("third"), "text/plain")).version();
      versions[1] = keyOne[2];
      await(map.delete("key-2"));
    }
    assertTrue(Files.exists(dataDir.resolve("journal.mv.db")));
  }

  private void assertRecords(Grid grid) {
    GridMap map = grid.map("m");
    assertArrayEquals(bytes("third"), await(map.get("key-1")).orElseThrow().value());
    assertTrue(await(map.get("key-2")).isEmpty());
    for (int i = 3; i < 300; i++) {
      Entry e = await(map.get("key-" + i)).orElseThrow();
      assertArrayEquals(bytes("value-" + i + "-" + "x".repeat(200)), e.value());
      assertEquals(versions[i], e.version());
    }
  }

  @Test
  void theDefaultJournalGoesOnWithAnH2DataDirectory() {
    writeWithH2();
    long fourth;
    try (Grid grid = start(config(""))) {
      assertRecords(grid);
      assertEquals(keyOne[2], await(grid.map("m").get("key-1")).orElseThrow().version());
      fourth = await(grid.map("m").put("key-1", bytes("fourth"), "text/plain")).version();
    }
    assertFalse(Files.exists(dataDir.resolve("rocksdb")), "no RocksDB journal beside the H2 one");
    try (Grid grid = start(config("actorgrid.journal.type = h2"))) {
      assertEquals(fourth, await(grid.map("m").get("key-1")).orElseThrow().version());
    }
  }

  @Test
  void aNewDataDirectoryGetsRocksdb() {
    try (Grid grid = start(config(""))) {
      await(grid.map("m").put("k", bytes("v"), "text/plain"));
    }
    assertTrue(Files.exists(dataDir.resolve("rocksdb").resolve("CURRENT")));
    assertFalse(Files.exists(dataDir.resolve("journal.mv.db")));
  }

  @Test
  void theMigrationMovesEveryRecordWithItsVersionsAndHistory() throws Exception {
    writeWithH2();
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    H2Migration.Result result =
        H2Migration.migrate(config(""), new PrintStream(printed, true, UTF_8));
    assertEquals(4, result.persistenceIds(), printed.toString(UTF_8));
    assertTrue(result.snapshots() > 0, "the H2 journal had snapshots: " + result);
    assertTrue(Files.exists(dataDir.resolve("rocksdb").resolve("CURRENT")));
    assertFalse(Files.exists(dataDir.resolve("journal.mv.db")), "the H2 file is moved aside");
    assertTrue(Files.exists(result.h2Backup()));

    long fourth;
    try (Grid grid = start(config(""))) {
      assertRecords(grid);
      GridMap map = grid.map("m");
      assertEquals(keyOne[2], await(map.get("key-1")).orElseThrow().version());
      List<Long> history =
          await(map.history("key-1", HistoryQuery.newest())).orElseThrow().items().stream()
              .map(HistoryItem::version)
              .toList();
      assertEquals(List.of(keyOne[2], keyOne[1], keyOne[0]), history);
      assertArrayEquals(
          bytes("second"), await(map.getVersion("key-1", keyOne[1])).orElseThrow().value());
      assertEquals(
          "delete",
          await(map.history("key-2", HistoryQuery.newest())).orElseThrow().items().get(0).op());
      // Writes go on from the sequence numbers the H2 journal had reached.
      fourth = await(map.put("key-1", bytes("fourth"), "text/plain")).version();
      assertTrue(fourth > keyOne[2], fourth + " after " + keyOne[2]);
    }
    // And on RocksDB across a restart.
    try (Grid grid = start(config("actorgrid.journal.type = rocksdb"))) {
      assertEquals(fourth, await(grid.map("m").get("key-1")).orElseThrow().version());
      for (int i = 3; i < 300; i++) {
        assertEquals(versions[i], await(grid.map("m").get("key-" + i)).orElseThrow().version());
      }
    }
  }

  @Test
  void theMigrationRefusesWhereThereIsNothingToMoveOrRocksdbIsThere() throws Exception {
    IllegalStateException none =
        assertThrows(
            IllegalStateException.class,
            () -> H2Migration.migrate(config(""), new PrintStream(new ByteArrayOutputStream())));
    assertTrue(none.getMessage().contains("no H2 journal"), none.getMessage());
    writeWithH2();
    H2Migration.migrate(config(""), new PrintStream(new ByteArrayOutputStream()));
    // A second run finds no H2 journal: the node uses RocksDB now.
    assertThrows(
        IllegalStateException.class,
        () -> H2Migration.migrate(config(""), new PrintStream(new ByteArrayOutputStream())));
  }
}
