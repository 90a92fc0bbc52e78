package io.actorgrid.grid;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorgrid.grid.internal.Partition;
import io.actorgrid.testing.CassandraServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * The grid on a real Cassandra 5.0 journal and snapshot store (pekko-persistence-cassandra), one
 * Cassandra for the class, one keyspace per test. The directory, with Cassandra's log, is kept when
 * a test fails.
 */
class CassandraJournalTest extends OneCassandraPerClass {
  // 4 partitions instead of 128: each partition's tables and snapshots are written on a single
  // Cassandra on the 2-core machine, and the test is about the journal, not placement.
  private static final int PARTITIONS = 4;

  private static Grid start(String keyspace, String node) {
    return start(keyspace, node, "");
  }

  private static Grid start(String keyspace, String node, String extraConfig) {
    Config config =
        ConfigFactory.parseString(
                extraConfig
                    + cassandra.nodeConfig(keyspace)
                    + "actorgrid.partitions = "
                    + PARTITIONS
                    + "\nactorgrid.data-dir = \""
                    + dir.resolve(node)
                    + "\"\n"
                    // Snapshots after about 10 KiB of events, so a few hundred 1 KiB values take
                    // several per partition.
                    + "actorgrid.partition.min-snapshot-bytes = 10 KiB\n"
                    // 15 s instead of 5: one Cassandra in its own JVM on the 2-core machine, beside
                    // the node, can take longer than 5 s for a write while it warms up; the test
                    // is about what the journal keeps, not how fast.
                    + "actorgrid.request-timeout = 15s\n")
            .withFallback(ConfigFactory.load());
    long started = System.nanoTime();
    Grid grid = Grid.start(config);
    // The first start creates the keyspace and tables.
    grid.awaitReady(Duration.ofSeconds(120));
    System.out.printf(
        "node %s on keyspace %s ready in %d ms%n",
        node, keyspace, (System.nanoTime() - started) / 1_000_000);
    return grid;
  }

  private static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  private static Throwable failure(CompletionStage<?> stage) {
    CompletionException e =
        assertThrows(CompletionException.class, () -> stage.toCompletableFuture().join());
    return e.getCause();
  }

  /** About 1 KiB, different for every key and round. */
  private static byte[] value(String key, int round) {
    StringBuilder s = new StringBuilder(key).append('@').append(round).append(':');
    while (s.length() < 1024) {
      s.append((char) ('a' + (s.length() * 31 + key.hashCode() + round) % 26));
    }
    return s.toString().getBytes(UTF_8);
  }

  private record Expected(byte[] value, long version) {}

  @Test
  void everyAcknowledgedWriteIsThereAfterARestartFromSnapshotsAndEvents() {
    String keyspace = "restart";
    Map<String, Expected> expected = new TreeMap<>();
    try (Grid grid = start(keyspace, "first")) {
      GridMap map = grid.map("m");
      // Four waves of 100 concurrent writes: they reach each partition together and go to the
      // journal as group-commit batches of several events.
      for (int wave = 0; wave < 4; wave++) {
        List<CompletableFuture<WriteResult>> writes = new ArrayList<>();
        for (int i = wave * 100; i < (wave + 1) * 100; i++) {
          String key = String.format("key-%03d", i);
          writes.add(map.put(key, value(key, 1), "text/plain").toCompletableFuture());
        }
        for (CompletableFuture<WriteResult> w : writes) {
          WriteResult r = w.join();
          assertTrue(r.created());
          expected.put(r.key(), new Expected(value(r.key(), 1), r.version()));
        }
      }
      for (int i = 0; i < 400; i += 7) {
        String key = String.format("key-%03d", i);
        WriteResult r =
            await(
                map.put(
                    key,
                    value(key, 2),
                    "text/plain",
                    Precondition.ifVersion(expected.get(key).version())));
        assertFalse(r.created());
        expected.put(key, new Expected(value(key, 2), r.version()));
      }
      for (int i = 0; i < 400; i += 11) {
        String key = String.format("key-%03d", i);
        assertTrue(await(map.delete(key)));
        expected.remove(key);
      }
    }

    // Every partition took snapshots. Delete the events each latest snapshot covers, as Pekko's
    // snapshot-based retention would: the next node can then only have these records from the
    // snapshot, so its recovery must load the snapshot and replay the events after it.
    try (CqlSession cql = cql()) {
      for (int p = 0; p < PARTITIONS; p++) {
        String pid = Partition.persistenceId(p).id();
        Row snapshot =
            cql.execute(
                    "SELECT sequence_nr FROM "
                        + keyspace
                        + ".snapshots WHERE persistence_id = ? LIMIT 1",
                    pid)
                .one();
        assertTrue(snapshot != null, "partition " + p + " took no snapshot");
        long covered = snapshot.getLong("sequence_nr");
        long highest =
            cql.execute(
                    "SELECT sequence_nr FROM "
                        + keyspace
                        + ".messages WHERE persistence_id = ? AND partition_nr = 0"
                        + " ORDER BY sequence_nr DESC LIMIT 1",
                    pid)
                .one()
                .getLong("sequence_nr");
        cql.execute(
            "DELETE FROM "
                + keyspace
                + ".messages WHERE persistence_id = ? AND partition_nr = 0 AND sequence_nr <= ?",
            pid,
            covered);
        System.out.printf(
            "partition %d: %d events, latest snapshot at %d (events up to it deleted)%n",
            p, highest, covered);
      }
    }

    try (Grid grid = start(keyspace, "second")) {
      GridMap map = grid.map("m");
      for (int i = 0; i < 400; i++) {
        String key = String.format("key-%03d", i);
        Expected e = expected.get(key);
        var entry = await(map.get(key));
        if (e == null) {
          assertTrue(entry.isEmpty(), key + " was deleted");
        } else {
          assertArrayEquals(e.value(), entry.orElseThrow().value(), key);
          assertEquals(e.version(), entry.orElseThrow().version(), key);
        }
      }
      List<String> listed = new ArrayList<>();
      ListQuery query = ListQuery.firstPage().withLimit(100);
      Page page;
      do {
        page = await(map.list(query));
        page.entries().forEach(e -> listed.add(e.key()));
        query = query.withCursor(page.nextCursor());
      } while (page.nextCursor() != null);
      assertEquals(new ArrayList<>(expected.keySet()), listed);
      assertEquals(List.of(new MapInfo("m", expected.size())), await(grid.maps()));
    }
  }

  @Test
  void retentionDeletesEventsAndARestartRecoversAcrossTheDeletion() throws Exception {
    String keyspace = "retention";
    // Cassandra deletes with tombstones: rows stop counting at once, and their disk space is
    // freed by compaction once gc_grace_seconds have passed (docs/operations.md).
    try (CqlSession cql = cql()) {
      RetentionScenario.run(
          () -> start(keyspace, "retention", RetentionScenario.NODE_CONFIG),
          grid -> {
            long events = 0;
            long bytes = 0;
            for (Row row : cql.execute("SELECT event FROM " + keyspace + ".messages")) {
              events++;
              bytes += row.getByteBuffer("event").remaining();
            }
            return new RetentionScenario.Size(events, bytes);
          },
          PARTITIONS);
    }
  }

  @Test
  void putGetDeleteAndListWork() {
    try (Grid grid = start("api", "api")) {
      GridMap map = grid.map("api");
      WriteResult first = await(map.put("k", "one".getBytes(UTF_8), "text/plain"));
      assertTrue(first.created());
      Entry read = await(map.get("k")).orElseThrow();
      assertArrayEquals("one".getBytes(UTF_8), read.value());
      assertEquals("text/plain", read.contentType());
      assertEquals(first.version(), read.version());

      assertInstanceOf(
          PreconditionFailedException.class,
          failure(map.put("k", new byte[] {1}, null, Precondition.ifAbsent())));
      WriteResult second =
          await(
              map.put(
                  "k",
                  "two".getBytes(UTF_8),
                  "text/plain",
                  Precondition.ifVersion(first.version())));
      assertTrue(second.version() > first.version());
      assertArrayEquals("two".getBytes(UTF_8), await(map.get("k")).orElseThrow().value());

      for (String key : List.of("b", "a", "c", "other")) {
        await(map.put("item-" + key, key.getBytes(UTF_8), "text/plain"));
      }
      Page page = await(map.list(ListQuery.firstPage().withPrefix("item-").withLimit(2)));
      assertEquals(List.of("item-a", "item-b"), page.entries().stream().map(Entry::key).toList());
      assertNull(page.entries().get(0).value());
      page =
          await(map.list(ListQuery.firstPage().withPrefix("item-").withCursor(page.nextCursor())));
      assertEquals(
          List.of("item-c", "item-other"), page.entries().stream().map(Entry::key).toList());
      assertNull(page.nextCursor());

      assertTrue(await(map.delete("k")));
      assertTrue(await(map.get("k")).isEmpty());
      assertFalse(await(map.delete("k")));
      assertEquals(List.of(new MapInfo("api", 4)), await(grid.maps()));
      assertTrue(await(grid.readiness()).ready());
      assertEquals(
          List.of("item-a", "item-b", "item-c", "item-other"),
          await(map.list(ListQuery.firstPage())).entries().stream().map(Entry::key).toList());
    }
  }

  private static CqlSession cql() {
    return CqlSession.builder()
        .addContactPoint(new InetSocketAddress("127.0.0.1", cassandra.nativePort()))
        .withLocalDatacenter(CassandraServer.DATACENTER)
        .build();
  }
}
