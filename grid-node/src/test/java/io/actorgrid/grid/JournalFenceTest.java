package io.actorgrid.grid;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorgrid.grid.internal.Partition;
import io.actorgrid.grid.internal.PartitionEvent;
import io.actorgrid.testing.PostgresServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two incarnations of the same partitions, as after a split brain: two nodes that each formed a
 * cluster of their own, on one shared PostgreSQL journal. The journal's unique key (persistence id,
 * sequence number) is the fence: whichever incarnation writes a sequence number second fails its
 * write, so it never acknowledges it. Every acknowledged write must be in the journal, with its
 * value at its version, and no version may be acknowledged twice.
 */
class JournalFenceTest {
  @TempDir Path dir;

  private Grid start(PostgresServer postgres, String name) {
    Config config =
        ConfigFactory.parseString(
                postgres.nodeConfig()
                    // One partition, so both nodes' writes go to the same persistence id.
                    + "actorgrid.partitions = 1\nactorgrid.data-dir = \""
                    + dir.resolve(name)
                    // Requests time out after 3 s instead of 5: a write the fence refuses sends its
                    // partition back to rejoin the journal, and writes meanwhile may wait out the
                    // timeout; shorter keeps the 600 writes quick. The fence does not depend on it.
                    + "\"\nactorgrid.request-timeout = 3s")
            .withFallback(ConfigFactory.load());
    Grid grid = Grid.start(config);
    grid.awaitReady(Duration.ofSeconds(60));
    return grid;
  }

  private record Ack(String node, String value) {}

  @Test
  void twoIncarnationsOfAPartitionNeverBothAcknowledge() throws Exception {
    try (PostgresServer postgres = PostgresServer.start(dir);
        Grid a = start(postgres, "a");
        Grid b = start(postgres, "b")) {
      // Both nodes now run partition 0, recovered from the same (empty) journal.
      Map<Long, Ack> acked = new ConcurrentHashMap<>();
      Map<Long, Ack> duplicates = new ConcurrentHashMap<>();
      int[] refused = new int[2];
      ExecutorService pool = Executors.newFixedThreadPool(2);
      List<Future<?>> writers =
          List.of(
              pool.submit(() -> write(a, "a", 300, acked, duplicates, refused, 0)),
              pool.submit(() -> write(b, "b", 300, acked, duplicates, refused, 1)));
      for (Future<?> w : writers) {
        w.get();
      }
      pool.shutdown();

      assertTrue(duplicates.isEmpty(), "versions acknowledged twice: " + duplicates);
      assertTrue(refused[0] + refused[1] > 0, "the incarnations never collided");
      assertTrue(!acked.isEmpty(), "nothing was acknowledged");

      Map<Long, String> journal = new HashMap<>();
      var query =
          PersistenceQuery.get(a.system())
              .getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, "jdbc-read-journal");
      List<EventEnvelope> events =
          query
              .currentEventsByPersistenceId(Partition.persistenceId(0).id(), 0, Long.MAX_VALUE)
              .runWith(Sink.seq(), a.system())
              .toCompletableFuture()
              .get();
      for (EventEnvelope e : events) {
        PartitionEvent.EntryPut put = (PartitionEvent.EntryPut) e.event();
        journal.put(e.sequenceNr(), new String(put.value(), UTF_8));
      }
      acked.forEach(
          (version, ack) ->
              assertEquals(
                  ack.value(),
                  journal.get(version),
                  "acknowledged by node " + ack.node() + " at version " + version));
      System.out.printf(
          "fence: %d acknowledged, %d refused by the journal (a %d, b %d), %d events%n",
          acked.size(), refused[0] + refused[1], refused[0], refused[1], events.size());
    }
  }

  private static void write(
      Grid grid,
      String node,
      int count,
      Map<Long, Ack> acked,
      Map<Long, Ack> duplicates,
      int[] refused,
      int slot) {
    GridMap map = grid.map("fence");
    for (int i = 0; i < count; i++) {
      String value = node + "-" + i;
      try {
        WriteResult r =
            map.put("k" + (i % 5), value.getBytes(UTF_8), "text/plain")
                .toCompletableFuture()
                .join();
        Ack previous = acked.putIfAbsent(r.version(), new Ack(node, value));
        if (previous != null) {
          duplicates.put(r.version(), new Ack(node, value + " after " + previous));
        }
      } catch (CompletionException e) {
        if (!(e.getCause() instanceof GridUnavailableException)) {
          throw e;
        }
        refused[slot]++;
      }
    }
  }
}
