package io.actorgrid.grid;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Record history and reads of the past through the embedded API, on a node with the default journal
 * (RocksDB) unless a test says otherwise.
 */
class HistoryTest {
  @TempDir Path dataDir;

  // The shipped settings (128 partitions, 4 MiB snapshots) but for the one test that needs a
  // snapshot to be taken, which says why.
  private Grid start() {
    return start(ConfigFactory.empty());
  }

  private Grid start(Config overrides) {
    Config config =
        overrides
            .withFallback(ConfigFactory.parseString("actorgrid.data-dir = \"" + dataDir + "\""))
            .withFallback(ConfigFactory.load());
    Grid grid = Grid.start(config);
    grid.awaitReady(Duration.ofSeconds(60));
    return grid;
  }

  private static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  private static Throwable failure(CompletionStage<?> stage) {
    try {
      stage.toCompletableFuture().join();
    } catch (CompletionException e) {
      return e.getCause();
    }
    throw new AssertionError("the stage did not fail");
  }

  private static byte[] json(String text) {
    return text.getBytes(UTF_8);
  }

  private static List<String> ops(History history) {
    return history.items().stream().map(HistoryItem::op).toList();
  }

  private static History history(GridMap map, String key) {
    return await(map.history(key, HistoryQuery.newest().withValues(true))).orElseThrow();
  }

  @Test
  void historyCrossesEveryKindOfChangeAndARestart() throws Exception {
    historyAcrossChanges(ConfigFactory.empty());
  }

  @Test
  void historyCrossesEveryKindOfChangeOnTheH2Journal() throws Exception {
    historyAcrossChanges(ConfigFactory.parseString("actorgrid.journal.type = h2"));
  }

  private void historyAcrossChanges(Config journal) throws Exception {
    List<Long> versions = new ArrayList<>();
    try (Grid grid = start(journal)) {
      GridMap map = grid.map("users");
      versions.add(await(map.put("alice", json("{\"n\":1}"), "application/json")).version());
      versions.add(await(map.patch("alice", json("{\"m\":2}"), WriteOptions.none())).version());
      versions.add(await(map.delete("alice", WriteOptions.none())) ? 0L : -1L);
      versions.add(await(map.put("alice", json("5"), "application/json")).version());
      versions.add(await(map.increment("alice", 3, WriteOptions.none())).version());
      await(map.clear());
      versions.add(await(map.put("alice", json("hi"), "text/plain")).version());
      versions.add(
          await(
                  map.put(
                      "alice",
                      json("short"),
                      "text/plain",
                      WriteOptions.none().withTtl(Duration.ofMillis(300))))
              .version());
      // The expiry is written when the partition's timer fires after the time to live.
      History history = history(map, "alice");
      for (int i = 0; i < 100 && !ops(history).get(0).equals("expire"); i++) {
        Thread.sleep(100);
        history = history(map, "alice");
      }
      assertEquals(
          List.of("expire", "put", "put", "clear", "increment", "put", "delete", "patch", "put"),
          ops(history));
      assertTrue(await(map.put("alice", json("back"), "text/plain")).created());
    }
    try (Grid grid = start(journal)) {
      History history = history(grid.map("users"), "alice");
      assertEquals(
          List.of(
              "put", "expire", "put", "put", "clear", "increment", "put", "delete", "patch", "put"),
          ops(history),
          "the history after a restart, one put later");
      assertNull(history.nextCursor());
      assertFalse(history.truncated());
      List<HistoryItem> items = history.items();
      for (int i = 1; i < items.size(); i++) {
        assertTrue(items.get(i - 1).version() > items.get(i).version(), "newest first");
        assertFalse(items.get(i - 1).time().isBefore(items.get(i).time()));
      }
      HistoryItem first = items.get(items.size() - 1);
      assertEquals(versions.get(0), first.version());
      assertEquals("application/json", first.contentType());
      assertArrayEquals(json("{\"n\":1}"), first.value());
      assertArrayEquals(json("{\"n\":1,\"m\":2}"), items.get(items.size() - 2).value());
      assertArrayEquals(json("8"), items.get(5).value(), "the increment's result");
      assertNull(items.get(7).contentType(), "a deletion leaves no value");
      assertTrue(items.get(2).expiresAt() != null, "the put that expired had an expiry time");
      assertTrue(
          ops(await(grid.map("users").history("alice", HistoryQuery.newest())).get()).size() == 10);
      assertNull(
          await(grid.map("users").history("alice", HistoryQuery.newest()))
              .get()
              .items()
              .get(0)
              .value(),
          "values only when asked for");
    }
  }

  @Test
  void aKeyThatNeverExistedHasNoHistory() {
    try (Grid grid = start()) {
      GridMap map = grid.map("m");
      await(map.put("a", json("1"), "application/json"));
      assertEquals(Optional.empty(), await(map.history("b", HistoryQuery.newest())));
      assertEquals(Optional.empty(), await(map.getAsOf("b", Instant.now())));
      assertEquals(Optional.empty(), await(grid.map("other").history("a", HistoryQuery.newest())));
    }
  }

  @Test
  void readsAtAVersionAndAtAnInstant() throws Exception {
    try (Grid grid = start()) {
      GridMap map = grid.map("m");
      Instant before = Instant.now().minusMillis(1);
      long v1 = await(map.put("k", json("\"one\""), "application/json")).version();
      Thread.sleep(20);
      long v2 = await(map.put("k", json("\"two\""), "application/json")).version();
      Thread.sleep(20);
      await(map.delete("k", WriteOptions.none()));
      History history = history(map, "k");
      long deletedAt = history.items().get(0).version();
      Instant t1 = history.items().get(2).time();
      Instant t2 = history.items().get(1).time();
      Instant t3 = history.items().get(0).time();

      HistoryItem atV1 = await(map.getVersion("k", v1)).orElseThrow();
      assertArrayEquals(json("\"one\""), atV1.value());
      assertEquals("application/json", atV1.contentType());
      assertArrayEquals(json("\"two\""), await(map.getVersion("k", v2)).orElseThrow().value());
      HistoryItem deletion = await(map.getVersion("k", deletedAt)).orElseThrow();
      assertEquals("delete", deletion.op());
      assertFalse(deletion.leftValue());
      assertEquals(Optional.empty(), await(map.getVersion("k", deletedAt + 1)));
      assertEquals(Optional.empty(), await(map.getVersion("other", v1)), "not a version of it");
      assertInstanceOf(InvalidRequestException.class, failure(map.getVersion("k", 0)));

      assertEquals(Optional.empty(), await(map.getAsOf("k", before)), "before the first write");
      assertEquals(v1, await(map.getAsOf("k", t1)).orElseThrow().version(), "at the write");
      assertEquals(v1, await(map.getAsOf("k", t2.minusMillis(1))).orElseThrow().version());
      assertEquals(v2, await(map.getAsOf("k", t2)).orElseThrow().version());
      HistoryItem afterDelete = await(map.getAsOf("k", t3)).orElseThrow();
      assertEquals("delete", afterDelete.op());
      assertFalse(afterDelete.existedAt(t3));
      assertTrue(await(map.getAsOf("k", t2)).orElseThrow().existedAt(t2));
    }
  }

  @Test
  void pagesThroughTwoAndAHalfThousandVersions() {
    try (Grid grid = start()) {
      GridMap map = grid.map("counters");
      List<Long> versions = new ArrayList<>();
      for (int i = 0; i < 2500; i++) {
        versions.add(await(map.increment("hits", 1, WriteOptions.none())).version());
        if (i % 7 == 0) {
          // Other keys of the map interleave with it in the journal.
          await(map.put("other-" + i, json("1"), "application/json"));
        }
      }
      List<Long> seen = new ArrayList<>();
      String cursor = null;
      int pages = 0;
      do {
        History page =
            await(map.history("hits", new HistoryQuery(300, cursor, pages % 2 == 0))).orElseThrow();
        assertFalse(page.truncated());
        for (HistoryItem item : page.items()) {
          seen.add(item.version());
          if (pages % 2 == 0) {
            assertEquals(Long.toString(2500 - seen.size() + 1), new String(item.value(), UTF_8));
          }
        }
        cursor = page.nextCursor();
        pages++;
      } while (cursor != null);
      assertEquals(9, pages, "300 a page");
      java.util.Collections.reverse(seen);
      assertEquals(versions, seen);
    }
  }

  @Test
  void clearsOfLargeMapsNameEveryKey() {
    try (Grid grid = start(ConfigFactory.parseString("actorgrid.partitions = 1"))) {
      // One partition (instead of 128): a clear names at most 1000 keys per event, and 2500 keys
      // of one map must be in one partition for the clear to need several events.
      GridMap map = grid.map("big");
      for (int i = 0; i < 2500; i++) {
        await(map.put("k" + i, json("1"), "application/json"));
      }
      assertEquals(2500L, await(map.clear()));
      for (String key : List.of("k0", "k1234", "k2499")) {
        assertEquals(List.of("clear", "put"), ops(history(map, key)));
      }
      await(map.put("k1234", json("2"), "application/json"));
      assertEquals(List.of("put", "clear", "put"), ops(history(map, "k1234")));
    }
  }

  @Test
  void historyOfRemovedRecordsSurvivesASnapshot() {
    Config smallSnapshots =
        ConfigFactory.parseString(
            // Snapshots every 64 KiB (instead of 4 MiB), so that recovery loads the removals
            // from a snapshot rather than replaying the events that made them.
            "actorgrid.partitions = 1\nactorgrid.partition.min-snapshot-bytes = 64 KiB");
    try (Grid grid = start(smallSnapshots)) {
      GridMap map = grid.map("m");
      await(map.put("gone", json("1"), "application/json"));
      await(map.delete("gone", WriteOptions.none()));
      byte[] filler = new byte[4096];
      for (int i = 0; i < 100; i++) {
        await(map.put("filler-" + i, filler, "application/octet-stream"));
      }
    }
    try (Grid grid = start(smallSnapshots)) {
      GridMap map = grid.map("m");
      assertEquals(List.of("delete", "put"), ops(history(map, "gone")));
      await(map.put("gone", json("2"), "application/json"));
      assertEquals(List.of("put", "delete", "put"), ops(history(map, "gone")));
    }
  }

  @Test
  void refusesBadArguments() {
    try (Grid grid = start()) {
      GridMap map = grid.map("m");
      await(map.put("k", json("1"), "application/json"));
      assertInstanceOf(
          InvalidRequestException.class,
          failure(map.history("k", HistoryQuery.newest().withLimit(0))));
      assertInstanceOf(
          InvalidRequestException.class,
          failure(map.history("k", HistoryQuery.newest().withLimit(1001))));
      assertInstanceOf(
          InvalidRequestException.class,
          failure(map.history("k", HistoryQuery.newest().withCursor("nonsense"))));
      assertInstanceOf(
          InvalidRequestException.class, failure(map.history("", HistoryQuery.newest())));
      assertInstanceOf(InvalidRequestException.class, failure(map.getAsOf("k", null)));
    }
  }
}
