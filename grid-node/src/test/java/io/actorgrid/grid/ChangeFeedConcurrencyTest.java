package io.actorgrid.grid;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many feeds at once on one node (shipped defaults, 128 partitions), started while writes go on:
 * feeds that catch up and then follow the node's hub live share their changes and ids, and each
 * must still see every change after its start exactly once, each key in version order, with ids
 * that resume exactly where they say.
 */
class ChangeFeedConcurrencyTest {
  private static final int WRITERS = 4;
  private static final int WRITES_PER_WRITER = 300;

  /** A write acknowledged with {@code version}, sent at {@code sentNanos}. */
  private record Written(String map, String key, long version, long sentNanos) {}

  @Test
  void manyFeedsStartedDuringWritesEachSeeEveryLaterChangeOnceAndResumeExactly(@TempDir Path dir)
      throws Exception {
    Config config =
        ConfigFactory.parseString("actorgrid.data-dir = \"" + dir + "\"")
            .withFallback(ConfigFactory.load());
    try (Grid grid = Grid.start(config)) {
      grid.awaitReady(Duration.ofSeconds(60));
      ConcurrentLinkedQueue<Written> written = new ConcurrentLinkedQueue<>();
      ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        done.add(writers.submit(() -> write(grid, writer, written)));
      }
      // Feeds of three kinds, started one after the other while the writers run.
      List<ChangeConsumer> feeds = new ArrayList<>();
      List<Long> startedAt = new ArrayList<>();
      List<String> kinds = new ArrayList<>();
      for (int f = 0; f < 24; f++) {
        String kind = f % 3 == 0 ? "every map" : f % 3 == 1 ? "map a" : "map b, prefix x";
        java.util.concurrent.Flow.Publisher<Change> publisher =
            switch (f % 3) {
              case 0 -> grid.changes(ChangeQuery.fromNow());
              case 1 -> grid.map("many-a").changes(ChangeQuery.fromNow().withValues(true));
              default -> grid.map("many-b").changes(ChangeQuery.fromNow().withPrefix("x"));
            };
        ChangeConsumer feed = ChangeConsumer.subscribe(publisher);
        assertTrue(feed.next().isCheckpoint(), "a feed starts with a checkpoint");
        startedAt.add(System.nanoTime());
        feeds.add(feed);
        kinds.add(kind);
        Thread.sleep(ThreadLocalRandom.current().nextInt(20, 120));
      }
      for (Future<?> d : done) {
        d.get();
      }
      writers.shutdown();

      Map<String, List<Change>> seen = new HashMap<>();
      for (int f = 0; f < feeds.size(); f++) {
        long start = startedAt.get(f);
        String kind = kinds.get(f);
        Set<String> expected = new HashSet<>();
        for (Written w : written) {
          // A write sent after the feed's first item arrived is after its start position; one sent
          // before may be on either side (its acknowledgement may even come later).
          if (w.sentNanos() > start && accepts(kind, w.map(), w.key())) {
            expected.add(w.map() + " " + w.key() + " " + w.version());
          }
        }
        ChangeConsumer feed = feeds.get(f);
        List<Change> changes = new ArrayList<>();
        Set<String> got = new HashSet<>();
        Map<String, Long> lastVersion = new HashMap<>();
        // Until every write sent after the feed started has arrived.
        int feedIndex = f;
        try {
          feed.changesUntil(
              list -> {
                for (int i = changes.size(); i < list.size(); i++) {
                  Change c = list.get(i);
                  changes.add(c);
                  String id = c.map() + " " + c.key() + " " + c.version();
                  assertTrue(got.add(id), () -> kind + ": delivered twice: " + id);
                  assertTrue(
                      accepts(kind, c.map(), c.key()), () -> kind + ": not asked for: " + id);
                  long before = lastVersion.getOrDefault(c.map() + " " + c.key(), 0L);
                  assertTrue(c.version() > before, () -> kind + ": out of version order: " + id);
                  lastVersion.put(c.map() + " " + c.key(), c.version());
                }
                return got.containsAll(expected);
              });
        } catch (AssertionError e) {
          Set<String> missing = new java.util.TreeSet<>(expected);
          missing.removeAll(got);
          io.actorgrid.grid.internal.Partitioner partitioner =
              new io.actorgrid.grid.internal.Partitioner(128);
          StringBuilder where = new StringBuilder();
          for (String m : missing) {
            String[] parts = m.split(" ");
            where
                .append(m)
                .append(" (partition ")
                .append(partitioner.partitionOf(parts[0], parts[1]))
                .append("); ");
          }
          throw new AssertionError(
              "feed "
                  + feedIndex
                  + " ("
                  + kind
                  + ") got "
                  + got.size()
                  + " changes; missing "
                  + missing.size()
                  + ": "
                  + where,
              e);
        }
        feed.cancel();
        seen.put("feed " + f, changes);
      }

      // An id from the middle of a feed resumes strictly after it: everything that feed saw after
      // the id, nothing it saw before (in whatever order across partitions).
      List<Change> longest = seen.get("feed 0");
      int middle = longest.size() / 2;
      Set<String> after = keysAndVersions(longest.subList(middle + 1, longest.size()));
      Set<String> before = keysAndVersions(longest.subList(0, middle + 1));
      ChangeConsumer resumed =
          ChangeConsumer.subscribe(grid.changes(ChangeQuery.after(longest.get(middle).id())));
      Set<String> rest = new HashSet<>();
      resumed.changesUntil(
          list -> {
            Change c = list.isEmpty() ? null : list.get(list.size() - 1);
            if (c != null && c.map().startsWith("many-")) {
              String id = c.map() + " " + c.key() + " " + c.version();
              assertTrue(rest.add(id), () -> "resumed: delivered twice: " + id);
              assertTrue(!before.contains(id), () -> "resumed: delivered before the id: " + id);
            }
            return rest.containsAll(after);
          });
      resumed.cancel();
    }
  }

  private static boolean accepts(String kind, String map, String key) {
    return switch (kind) {
      case "every map" -> map.startsWith("many-");
      case "map a" -> map.equals("many-a");
      default -> map.equals("many-b") && key.startsWith("x");
    };
  }

  private static Set<String> keysAndVersions(List<Change> changes) {
    Set<String> out = new HashSet<>();
    for (Change c : changes) {
      if (c.map().startsWith("many-")) {
        out.add(c.map() + " " + c.key() + " " + c.version());
      }
    }
    return out;
  }

  private static Void write(Grid grid, int writer, ConcurrentLinkedQueue<Written> written) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < WRITES_PER_WRITER; i++) {
      String map = random.nextBoolean() ? "many-a" : "many-b";
      String key = (random.nextBoolean() ? "x" : "y") + writer + "-" + random.nextInt(40);
      GridMap m = grid.map(map);
      long sent = System.nanoTime();
      long version =
          switch (random.nextInt(5)) {
            case 0 ->
                m.increment(key, 1, WriteOptions.none()).toCompletableFuture().join().version();
            case 1 -> {
              m.delete(key).toCompletableFuture().join(); // its version is not told: not checked
              yield -1;
            }
            default ->
                m.put(key, String.valueOf(i).getBytes(UTF_8), "application/json")
                    .toCompletableFuture()
                    .join()
                    .version();
          };
      if (version > 0) {
        written.add(new Written(map, key, version, sent));
      }
    }
    return null;
  }
}
