package io.actorgrid.grid;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.actorgrid.grid.internal.Partitioner;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * History retention on one journal, as every journal test runs it: a map that keeps 2 s of history
 * and a map that keeps everything; the journal shrinks once the short history is older than that,
 * reads of the past answer what is left, and a restart recovers every record across the deleted
 * prefix (pekko-persistence-jdbc 1.1.x stops a replay at a gap in the middle of a log).
 */
final class RetentionScenario {
  /** Node settings the scenario needs beyond the journal's. */
  static final String NODE_CONFIG =
      // Sweeps every second (instead of every 10 minutes), so the test sees the deletion within
      // seconds of the history passing its retention.
      "actorgrid.history.sweep-interval = 1s\n";

  /** Events (rows) and their bytes in the journal, as the journal's own storage counts them. */
  record Size(long events, long bytes) {}

  private RetentionScenario() {}

  private static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  private static byte[] value(String key, int round) {
    StringBuilder s = new StringBuilder(key).append('@').append(round).append(':');
    while (s.length() < 512) {
      s.append((char) ('a' + (s.length() * 31 + key.hashCode() + round) % 26));
    }
    return s.toString().getBytes(UTF_8);
  }

  /**
   * Runs the scenario: {@code start} starts the node (again after the first close), on the same
   * journal; {@code size} measures the journal while it runs.
   */
  static void run(Supplier<Grid> start, Function<Grid, Size> size, int partitions)
      throws Exception {
    Map<String, byte[]> live = new LinkedHashMap<>();
    long oldVersion;
    String keeper;
    String oldKey = null;
    String goneKey = null;
    Size before;
    try (Grid grid = start.get()) {
      GridMap shortLived = grid.map("short");
      // A map that keeps everything holds back the partition it shares with the short map.
      Partitioner partitioner = new Partitioner(partitions);
      int shared = partitioner.partitionOf("short", "s-30");
      String candidate = null;
      for (int i = 0; candidate == null; i++) {
        if (partitioner.partitionOf("forever", "k" + i) == shared) {
          candidate = "k" + i;
        }
      }
      keeper = candidate;
      // A live and a deleted record in other partitions than the one held back.
      for (int i = 59; i >= 10; i--) {
        if (partitioner.partitionOf("short", "s-" + i) != shared) {
          oldKey = "s-" + i;
        }
      }
      for (int i = 9; i >= 0; i--) {
        if (partitioner.partitionOf("short", "s-" + i) != shared) {
          goneKey = "s-" + i;
        }
      }
      await(grid.map("forever").put(keeper, value(keeper, 0), "text/plain"));
      // About 10 events per partition: each partition keeps a marker of its deleted events and
      // its truncation event, so the journal shrinks to about a fifth.
      for (int round = 0; round < 20; round++) {
        for (int i = 0; i < 60; i++) {
          String key = "s-" + i;
          await(shortLived.put(key, value(key, round), "text/plain"));
          live.put(key, value(key, round));
        }
      }
      oldVersion =
          await(shortLived.history(oldKey, HistoryQuery.newest())).get().items().get(19).version();
      for (int i = 0; i < 10; i++) {
        await(shortLived.delete("s-" + i));
        live.remove("s-" + i);
      }
      before = size.apply(grid);
      // Retention set once the journal is full: its size before is all the history written.
      await(shortLived.configure(new MapSettings(null, 0, Duration.ofSeconds(2)), null));

      Size after = before;
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      // Each partition sweeps on its own schedule: wait for the partitions of both keys looked at
      // below, not only for the journal as a whole.
      while (System.nanoTime() < deadline
          && (after.events() > before.events() / 2
              || await(shortLived.history(goneKey, HistoryQuery.newest())).isPresent()
              || !await(shortLived.history(oldKey, HistoryQuery.newest()))
                  .map(h -> h.items().isEmpty())
                  .orElse(true))) {
        Thread.sleep(500);
        after = size.apply(grid);
      }
      System.out.printf("journal before retention: %s, after: %s%n", before, after);
      assertTrue(
          after.events() <= before.events() / 2 && after.bytes() < before.bytes() / 2,
          "the journal keeps " + after + " of " + before);
      assertEquals(
          Optional.empty(),
          await(shortLived.history(goneKey, HistoryQuery.newest())),
          "a record deleted before the retention has no history left");
      assertEquals(Optional.empty(), await(shortLived.getVersion(oldKey, oldVersion)));
      History kept = await(shortLived.history(oldKey, HistoryQuery.newest())).orElseThrow();
      assertTrue(kept.truncated() && kept.items().isEmpty(), "the gap is said: " + kept);
      History held = await(shortLived.history("s-30", HistoryQuery.newest())).orElseThrow();
      assertEquals(20, held.items().size(), "its partition keeps the forever map's history");
      assertFalse(held.truncated());
      for (var e : live.entrySet()) {
        assertArrayEquals(e.getValue(), await(shortLived.get(e.getKey())).orElseThrow().value());
      }
    }
    try (Grid grid = start.get()) {
      GridMap shortLived = grid.map("short");
      for (var e : live.entrySet()) {
        assertArrayEquals(
            e.getValue(),
            await(shortLived.get(e.getKey())).orElseThrow().value(),
            "recovered across the deleted events");
      }
      assertEquals(Optional.empty(), await(shortLived.get(goneKey)));
      assertEquals(
          1,
          await(grid.map("forever").history(keeper, HistoryQuery.newest())).get().items().size());
      long version = await(shortLived.put(goneKey, value(goneKey, 9), "text/plain")).version();
      History again = await(shortLived.history(goneKey, HistoryQuery.newest())).orElseThrow();
      assertEquals(List.of("put"), again.items().stream().map(HistoryItem::op).toList());
      assertEquals(version, again.items().get(0).version());
    }
  }
}
