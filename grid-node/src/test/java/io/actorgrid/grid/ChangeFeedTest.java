package io.actorgrid.grid;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorgrid.grid.internal.ChangePosition;
import io.actorgrid.grid.internal.Partition;
import io.actorgrid.grid.internal.Partitioner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.persistence.DeleteMessagesSuccess;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Change feeds of the embedded API on a real node with the default journal (RocksDB; one test on
 * H2, which older data directories keep). One node serves the class; each test has maps of its own
 * and only looks at them (or at positions in their partitions).
 */
class ChangeFeedTest {
  // 8 partitions instead of 128: the feed's behaviour does not depend on the number, and a test
  // that checks a position looks at every partition.
  static final int PARTITIONS = 8;

  @TempDir static Path dataDir;
  static Grid grid;

  @BeforeAll
  static void startNode() {
    grid = start(dataDir);
  }

  @AfterAll
  static void stopNode() {
    if (grid != null) {
      grid.close();
    }
  }

  static Grid start(Path dir) {
    Config config =
        ConfigFactory.parseString(
                "actorgrid.data-dir = \"" + dir + "\"\nactorgrid.partitions = " + PARTITIONS)
            .withFallback(ConfigFactory.load());
    Grid started = Grid.start(config);
    started.awaitReady(Duration.ofSeconds(60));
    return started;
  }

  private static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  /** A feed, once its first item (the start checkpoint) has arrived. */
  private static ChangeConsumer started(java.util.concurrent.Flow.Publisher<Change> feed)
      throws InterruptedException {
    ChangeConsumer consumer = ChangeConsumer.subscribe(feed);
    assertTrue(consumer.next().isCheckpoint(), "a feed starts with a checkpoint");
    return consumer;
  }

  @Test
  void everyWriteAppearsOnceAndEachKeysChangesInVersionOrder() throws Exception {
    GridMap map = grid.map("every-write");
    ChangeConsumer feed = started(map.changes(ChangeQuery.fromNow().withValues(true)));
    Map<Long, String> acknowledged = new HashMap<>(); // version -> "key op"
    for (int i = 0; i < 40; i++) {
      String key = "k" + (i % 10);
      switch (i / 10) {
        case 0 -> {
          long v = await(map.put(key, bytes("{\"n\":" + i + "}"), "application/json")).version();
          acknowledged.put(v, key + " put");
        }
        case 1 -> {
          long v = await(map.patch(key, bytes("{\"p\":1}"), WriteOptions.none())).version();
          acknowledged.put(v, key + " patch");
        }
        case 2 -> {
          await(map.delete(key));
          long v = await(map.increment(key, 5, WriteOptions.none())).version();
          acknowledged.put(v, key + " increment");
        }
        default -> await(map.delete(key));
      }
    }
    List<Change> changes = feed.changesUntil(seen -> seen.size() == 50);
    feed.cancel();
    Set<String> ids = new HashSet<>();
    Map<String, Long> lastVersion = new HashMap<>();
    Map<String, Integer> counts = new HashMap<>();
    for (Change c : changes) {
      assertEquals("every-write", c.map());
      assertTrue(ids.add(c.id()), "ids are unique");
      assertTrue(c.version() > lastVersion.getOrDefault(c.key(), 0L), () -> "version order: " + c);
      lastVersion.put(c.key(), c.version());
      counts.merge(c.key() + " " + c.op().wireName(), 1, Integer::sum);
      String expected = acknowledged.get(c.version());
      if (expected != null && expected.startsWith(c.key() + " ")) {
        assertEquals(expected, c.key() + " " + c.op().wireName());
      }
      if (c.op() == Change.Op.PUT) {
        assertEquals("application/json", c.contentType());
        assertTrue(new String(c.value(), UTF_8).startsWith("{\"n\":"));
      }
      if (c.op() == Change.Op.INCREMENT) {
        assertArrayEquals(bytes("5"), c.value());
      }
      if (c.op() == Change.Op.DELETE) {
        assertNull(c.value());
      }
    }
    for (int k = 0; k < 10; k++) {
      String key = "k" + k;
      assertEquals(1, counts.get(key + " put"), key);
      assertEquals(1, counts.get(key + " patch"), key);
      assertEquals(1, counts.get(key + " increment"), key);
      assertEquals(2, counts.get(key + " delete"), key);
    }
    Set<Long> delivered = new HashSet<>();
    changes.forEach(c -> delivered.add(c.version()));
    assertTrue(delivered.containsAll(acknowledged.keySet()), "every acknowledged write appears");
  }

  @Test
  void aFeedResumesStrictlyAfterAnIdAndFromTheBeginning() throws Exception {
    GridMap map = grid.map("resume");
    for (int i = 0; i < 30; i++) {
      await(map.put("k" + i, bytes("v" + i), "text/plain"));
    }
    ChangeConsumer all = ChangeConsumer.subscribe(map.changes(ChangeQuery.fromBeginning()));
    List<Change> first = all.changesUntil(seen -> seen.size() == 30);
    all.cancel();
    Set<String> keys = new HashSet<>();
    first.forEach(c -> keys.add(c.key()));
    assertEquals(30, keys.size(), "from the beginning: every change once");

    ChangeConsumer resumed =
        ChangeConsumer.subscribe(map.changes(ChangeQuery.after(first.get(9).id())));
    List<Change> rest = resumed.changesUntil(seen -> seen.size() == 20);
    assertEquals(
        keysAndVersions(first.subList(10, 30)),
        keysAndVersions(rest),
        "exactly the changes after the id (in any order across partitions)");
    await(map.put("later", bytes("x"), "text/plain"));
    assertEquals("later", resumed.nextChange().key(), "then the live tail, without a duplicate");
    resumed.cancel();

    // An id of one map's feed resumes any feed: positions are over every map.
    ChangeConsumer everyMap =
        ChangeConsumer.subscribe(grid.changes(ChangeQuery.after(first.get(29).id())));
    Change next =
        everyMap
            .changesUntil(
                seen -> !seen.isEmpty() && seen.get(seen.size() - 1).map().equals("resume"))
            .stream()
            .filter(c -> c.map().equals("resume"))
            .findFirst()
            .orElseThrow();
    assertEquals("later", next.key());
    everyMap.cancel();
  }

  @Test
  void aFeedFromNowStartsAfterTheChangesBeforeIt() throws Exception {
    GridMap map = grid.map("from-now");
    await(map.put("before", bytes("1"), "text/plain"));
    ChangeConsumer feed = started(map.changes(ChangeQuery.fromNow()));
    await(map.put("after", bytes("2"), "text/plain"));
    Change c = feed.nextChange();
    assertEquals("after", c.key());
    assertEquals(Change.Op.PUT, c.op());
    assertNull(c.value(), "no values unless asked");
    feed.cancel();
  }

  @Test
  void prefixAndMapFiltersNarrowTheFeed() throws Exception {
    GridMap a = grid.map("filter-a");
    GridMap b = grid.map("filter-b");
    ChangeConsumer prefixed = started(a.changes(ChangeQuery.fromNow().withPrefix("x/")));
    ChangeConsumer mapA = started(a.changes(ChangeQuery.fromNow()));
    ChangeConsumer every = started(grid.changes(ChangeQuery.fromNow()));
    await(b.put("x/1", bytes("b"), "text/plain"));
    await(a.put("y/1", bytes("a"), "text/plain"));
    await(a.put("x/1", bytes("a"), "text/plain"));
    assertEquals("x/1 filter-a", describe(prefixed.nextChange()));
    Change first = mapA.nextChange();
    Change second = mapA.nextChange();
    assertEquals(Set.of("y/1 filter-a", "x/1 filter-a"), Set.of(describe(first), describe(second)));
    Set<String> seen = new HashSet<>();
    for (Change c : every.changesUntil(l -> l.stream().filter(ChangeFeedTest::ours).count() == 3)) {
      if (ours(c)) {
        seen.add(describe(c));
      }
    }
    assertEquals(Set.of("x/1 filter-b", "y/1 filter-a", "x/1 filter-a"), seen);
    prefixed.cancel();
    mapA.cancel();
    every.cancel();
    assertThrows(
        InvalidRequestException.class,
        () -> grid.changes(ChangeQuery.fromNow().withPrefix("x")),
        "a prefix needs a map");
    assertThrows(InvalidRequestException.class, () -> a.changes(ChangeQuery.after("not an id!")));
    assertThrows(
        InvalidRequestException.class,
        () -> a.changes(ChangeQuery.after(ChangePosition.of(new long[PARTITIONS + 1]).encode())),
        "an id of a grid with another partition count");
  }

  private static Set<String> keysAndVersions(List<Change> changes) {
    Set<String> out = new HashSet<>();
    for (Change c : changes) {
      assertTrue(out.add(c.key() + " " + c.version()), () -> "twice: " + c);
    }
    return out;
  }

  private static boolean ours(Change c) {
    return c.map().startsWith("filter-");
  }

  private static String describe(Change c) {
    return c.key() + " " + c.map();
  }

  @Test
  void checkpointsAdvanceTheFeedOfAQuietMapPastOtherMapsChanges() throws Exception {
    ChangeConsumer quiet = started(grid.map("quiet").changes(ChangeQuery.fromNow()));
    GridMap noisy = grid.map("noisy");
    Partitioner partitioner = new Partitioner(PARTITIONS);
    Map<Integer, Long> written = new HashMap<>();
    for (int i = 0; i < 30; i++) {
      String key = "n" + i;
      long version = await(noisy.put(key, bytes("x"), "text/plain")).version();
      written.merge(partitioner.partitionOf("noisy", key), version, Math::max);
    }
    Change checkpoint =
        quiet.checkpoint(
            c -> {
              ChangePosition at = ChangePosition.decode(c.id(), PARTITIONS);
              return written.entrySet().stream().allMatch(e -> at.seq(e.getKey()) >= e.getValue());
            });
    quiet.cancel();
    // Resumed there, a feed of the noisy map has none of those changes, only later ones.
    ChangeConsumer resumed =
        ChangeConsumer.subscribe(noisy.changes(ChangeQuery.after(checkpoint.id())));
    await(noisy.put("after-checkpoint", bytes("y"), "text/plain"));
    assertEquals("after-checkpoint", resumed.nextChange().key());
    resumed.cancel();
  }

  @Test
  void clearsAndExpiriesAreChanges() throws Exception {
    GridMap map = grid.map("clear-expire");
    ChangeConsumer feed = started(map.changes(ChangeQuery.fromNow()));
    await(
        map.put(
            "gone-soon",
            bytes("x"),
            "text/plain",
            WriteOptions.none().withTtl(Duration.ofMillis(200))));
    Change put = feed.nextChange();
    assertEquals(Change.Op.PUT, put.op());
    Change expired = feed.nextChange();
    assertEquals(Change.Op.EXPIRE, expired.op());
    assertEquals("gone-soon", expired.key());
    assertTrue(expired.version() > put.version());

    await(map.put("a", bytes("1"), "text/plain"));
    await(map.put("b", bytes("2"), "text/plain"));
    feed.changesUntil(seen -> seen.size() == 2);
    assertEquals(2L, await(map.clear()));
    // A clear names the keys it removed: one change per key.
    Set<String> cleared = new HashSet<>();
    for (Change c : feed.changesUntil(seen -> seen.size() == 2)) {
      assertEquals(Change.Op.CLEAR, c.op());
      cleared.add(c.key());
    }
    assertEquals(Set.of("a", "b"), cleared);
    feed.cancel();
  }

  @Test
  void aFeedResumesInsideAClearThatRemovedSeveralKeys() throws Exception {
    GridMap map = grid.map("clear-many");
    Partitioner partitioner = new Partitioner(PARTITIONS);
    List<String> keys = new ArrayList<>();
    for (int i = 0; keys.size() < 4; i++) {
      if (partitioner.partitionOf("clear-many", "k" + i) == 0) {
        keys.add("k" + i);
      }
    }
    ChangeConsumer feed = started(map.changes(ChangeQuery.fromNow()));
    for (String key : keys) {
      await(map.put(key, bytes("x"), "text/plain"));
    }
    await(map.clear());
    List<Change> changes = feed.changesUntil(seen -> seen.size() == 8);
    feed.cancel();
    List<Change> clears = changes.subList(4, 8);
    clears.forEach(c -> assertEquals(Change.Op.CLEAR, c.op()));
    assertEquals(1, clears.stream().map(Change::version).distinct().count(), "one event");
    ChangeConsumer resumed =
        ChangeConsumer.subscribe(map.changes(ChangeQuery.after(clears.get(1).id())));
    assertEquals(clears.subList(2, 4), resumed.changesUntil(seen -> seen.size() == 2));
    await(map.put("after", bytes("y"), "text/plain"));
    assertEquals("after", resumed.nextChange().key(), "and nothing of the clear again");
    resumed.cancel();
  }

  @Test
  void theH2JournalFeedsChangesToo(@TempDir Path ownDir) throws Exception {
    Config config =
        ConfigFactory.parseString(
                "actorgrid.data-dir = \""
                    + ownDir
                    + "\"\nactorgrid.partitions = "
                    + PARTITIONS
                    + "\nactorgrid.journal.type = h2")
            .withFallback(ConfigFactory.load());
    try (Grid node = Grid.start(config)) {
      node.awaitReady(Duration.ofSeconds(60));
      GridMap map = node.map("h2");
      ChangeConsumer feed = started(map.changes(ChangeQuery.fromNow()));
      for (int i = 0; i < 20; i++) {
        await(map.put("k" + i, bytes("v"), "text/plain"));
      }
      List<Change> changes = feed.changesUntil(seen -> seen.size() == 20);
      feed.cancel();
      ChangeConsumer resumed =
          ChangeConsumer.subscribe(map.changes(ChangeQuery.after(changes.get(4).id())));
      // The same changes; their order across partitions, and so their ids, may differ.
      assertEquals(
          keysAndVersions(changes.subList(5, 20)),
          keysAndVersions(resumed.changesUntil(seen -> seen.size() == 15)));
      resumed.cancel();
    }
  }

  @Test
  void aFeedThatResumesBeforeDeletedChangesIsGone(@TempDir Path ownDir) throws Exception {
    // A node of its own: deleting events would make other tests' positions too old.
    try (Grid node = start(ownDir)) {
      GridMap map = node.map("retention");
      int partition = new Partitioner(PARTITIONS).partitionOf("retention", "k");
      List<Long> versions = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        versions.add(await(map.put("k", bytes("v" + i), "text/plain")).version());
      }
      ChangeConsumer all = ChangeConsumer.subscribe(map.changes(ChangeQuery.fromBeginning()));
      List<Change> changes = all.changesUntil(seen -> seen.size() == 5);
      all.cancel();

      // Retention as the journal does it: the journal plugin's DeleteMessagesTo, here up to the
      // third change of the partition.
      var journal =
          Persistence.get(Adapter.toClassic(node.system()))
              .journalFor("", com.typesafe.config.ConfigFactory.empty());
      Object reply =
          Patterns.askWithReplyTo(
                  journal,
                  replyTo ->
                      new JournalProtocol.DeleteMessagesTo(
                          Partition.persistenceId(partition).id(), versions.get(2), replyTo),
                  Duration.ofSeconds(30))
              .toCompletableFuture()
              .get();
      assertInstanceOf(DeleteMessagesSuccess.class, reply);

      ChangeConsumer tooOld =
          ChangeConsumer.subscribe(map.changes(ChangeQuery.after(changes.get(0).id())));
      GridException gone = assertInstanceOf(ChangesGoneException.class, tooOld.failure());
      assertEquals(410, gone.httpStatus());
      assertTrue(gone.getMessage().contains("from=beginning"), gone.getMessage());

      ChangeConsumer recent =
          ChangeConsumer.subscribe(map.changes(ChangeQuery.after(changes.get(2).id())));
      assertEquals(versions.get(3), recent.nextChange().version(), "an id after the deleted ones");
      recent.cancel();

      ChangeConsumer oldest = ChangeConsumer.subscribe(map.changes(ChangeQuery.fromBeginning()));
      assertEquals(versions.get(3), oldest.nextChange().version(), "the oldest retained change");
      assertNotEquals(changes.get(0).id(), changes.get(3).id());
      oldest.cancel();
    }
  }
}
