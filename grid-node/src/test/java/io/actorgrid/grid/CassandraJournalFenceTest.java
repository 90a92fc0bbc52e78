package io.actorgrid.grid;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorgrid.grid.internal.Partition;
import io.actorgrid.grid.internal.PartitionEvent;
import io.actorgrid.testing.CassandraServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

/**
 * Two incarnations of one partition writing to one Cassandra journal, as after a split brain in
 * which both sides kept running the partition; and, for contrast, two nodes of one cluster.
 *
 * <p><b>The journal is no fence.</b> pekko-persistence-cassandra 1.1.0 keeps events in a table with
 * primary key {@code ((persistence_id, partition_nr), sequence_nr, timestamp)}, where {@code
 * timestamp} is a time UUID the writing node makes for each event, and writes them with plain
 * {@code INSERT}s: no {@code IF NOT EXISTS}, no lightweight transaction. Two incarnations that
 * write the same sequence number both succeed, as two rows, and both acknowledge. (PostgreSQL's
 * unique key on (persistence id, sequence number) refuses the second: {@link JournalFenceTest}.) On
 * the next recovery Pekko's replay filter ({@code replay-filter.mode = repair-by-discard-old}, the
 * default) sees two writer UUIDs at the same sequence numbers and keeps one writer: at the first
 * sequence number both wrote, the row that sorts later (by its time UUID, from the writing node's
 * clock) makes its writer the current one, and every event of the other writer from that sequence
 * number on is discarded, with a warning in the log.
 *
 * <p>{@link #twoIncarnationsBothAcknowledgeAndRecoveryKeepsOnlyOne} shows exactly that: the same
 * versions acknowledged by both nodes, both nodes' events stored, and a restarted node that has the
 * acknowledged writes of one node (all, or all but the last) and none of the other. It fails if the
 * plugin starts refusing the second write (the journal would then be a fence, and this comment out
 * of date), or if recovery merges both histories or fails.
 *
 * <p><b>What protects ActorGrid on Cassandra is the cluster, by timing.</b> Cluster sharding runs
 * at most one incarnation of a partition in one cluster ({@link
 * #oneClusterRunsOneIncarnationOfAPartition}). When nodes stop hearing each other, the Split Brain
 * Resolver (keep-majority, {@code stable-after = 3s} in reference.conf) waits until membership is
 * stable for that long; then the minority side downs itself and, with {@code
 * run-coordinated-shutdown-when-down}, stops its partitions, while the majority downs the minority.
 * The shard coordinator moves a removed node's shards only {@code down-removal-margin} later, which
 * on Cassandra the node sets to {@code stable-after}, at least 4 s (NodeConfig). So the minority's
 * partitions have at least 4 s to stop before new incarnations recover on the majority. A minority
 * node that is frozen (a long GC pause, a starved CPU, a suspended VM) for longer than that can
 * still complete a write after the new incarnation has started, and Cassandra accepts it: that
 * write was acknowledged and is lost. If its incarnation had written earlier events, every later
 * recovery discards its late events (it is an older writer); if the late write is its first, the
 * resolution above may instead discard the new incarnation's events from that sequence number on.
 * Keep {@code stable-after} well above the longest pause a node can suffer, or use a journal with a
 * unique key.
 */
class CassandraJournalFenceTest extends OneCassandraPerClass {
  private static Grid start(String keyspace, String name, String seedNode) {
    Config config =
        ConfigFactory.parseString(
                cassandra.nodeConfig(keyspace)
                    // One partition, so both nodes' writes go to the same persistence id; a 15 s
                    // request timeout because Cassandra's writes on a busy 2-core machine can
                    // take longer than 5 s, and the test is about the fence, not about latency.
                    + "actorgrid.partitions = 1\n"
                    + "actorgrid.data-dir = \""
                    + dir.resolve(keyspace + "-" + name)
                    + "\"\nactorgrid.request-timeout = 15s\n"
                    // No snapshots: recovery replays every event, through the replay filter.
                    + "actorgrid.partition.min-snapshot-bytes = 1 GiB\n"
                    + "actorgrid.cluster.seed-nodes = \""
                    + seedNode
                    + "\"\n")
            .withFallback(ConfigFactory.load());
    Grid grid = Grid.start(config);
    grid.awaitReady(Duration.ofSeconds(120));
    return grid;
  }

  private record Ack(String node, String key, long version) {}

  @Test
  void twoIncarnationsBothAcknowledgeAndRecoveryKeepsOnlyOne() throws Exception {
    String keyspace = "split";
    Map<String, List<Ack>> acks;
    List<EventEnvelope> journal;
    // Each node forms a cluster of its own, so each runs partition 0, both recovered from the
    // same (empty) journal before either writes.
    try (Grid a = start(keyspace, "a", "");
        Grid b = start(keyspace, "b", "")) {
      acks = writeConcurrently(Map.of("a", a, "b", b), 150);
      journal = events(a);
    }
    Map<Long, Set<String>> ackedBy = new TreeMap<>();
    for (List<Ack> l : acks.values()) {
      for (Ack ack : l) {
        ackedBy.computeIfAbsent(ack.version(), v -> new HashSet<>()).add(ack.node());
      }
    }
    List<Long> twice =
        ackedBy.entrySet().stream()
            .filter(e -> e.getValue().size() == 2)
            .map(Map.Entry::getKey)
            .toList();
    assertFalse(twice.isEmpty(), "no version was acknowledged by both incarnations: " + ackedBy);

    // Cassandra stored both: every acknowledged event is in the journal, at its version.
    Set<String> stored = new HashSet<>();
    for (EventEnvelope e : journal) {
      stored.add(e.sequenceNr() + " " + ((PartitionEvent.EntryPut) e.event()).key());
    }
    for (List<Ack> l : acks.values()) {
      for (Ack ack : l) {
        assertTrue(stored.contains(ack.version() + " " + ack.key()), "not in the journal: " + ack);
      }
    }
    assertEquals(acks.get("a").size() + acks.get("b").size(), journal.size());
    // As two rows per sequence number, told apart by the time UUID in the primary key.
    try (CqlSession cql = cql()) {
      Map<Long, Set<String>> writers = new HashMap<>();
      for (Row row :
          cql.execute(
              "SELECT sequence_nr, timestamp, writer_uuid FROM "
                  + keyspace
                  + ".messages WHERE persistence_id = ? AND partition_nr = 0",
              Partition.persistenceId(0).id())) {
        writers
            .computeIfAbsent(row.getLong("sequence_nr"), s -> new HashSet<>())
            .add(row.getString("writer_uuid"));
      }
      assertEquals(2, writers.get(twice.get(0)).size(), "writers of version " + twice.get(0));
    }

    // A new incarnation recovers one history: one node's acknowledged writes, none of the
    // other's.
    Map<String, List<Ack>> missing = new TreeMap<>();
    try (Grid c = start(keyspace, "c", "")) {
      GridMap map = c.map("fence");
      int present = 0;
      for (Map.Entry<String, List<Ack>> node : acks.entrySet()) {
        missing.put(node.getKey(), new ArrayList<>());
        for (Ack ack : node.getValue()) {
          var entry = map.get(ack.key()).toCompletableFuture().join();
          if (entry.isPresent()) {
            assertEquals(ack.version(), entry.get().version(), ack.toString());
            assertArrayEquals(ack.key().getBytes(UTF_8), entry.get().value());
            present++;
          } else {
            missing.get(node.getKey()).add(ack);
          }
        }
      }
      Page all = map.list(ListQuery.firstPage().withLimit(1000)).toCompletableFuture().join();
      assertEquals(present, all.entries().size());
    }
    String kept = missing.get("a").size() < missing.get("b").size() ? "a" : "b";
    String lost = kept.equals("a") ? "b" : "a";
    assertEquals(
        acks.get(lost), missing.get(lost), "every write of node " + lost + " must be gone");
    // Replay ends after the first row of the highest sequence number: when that row is the
    // discarded writer's, the kept writer's event there is not replayed either.
    long highest = journal.stream().mapToLong(EventEnvelope::sequenceNr).max().orElseThrow();
    for (Ack ack : missing.get(kept)) {
      assertEquals(highest, ack.version(), "node " + kept + " lost more than its last write");
    }
    System.out.printf(
        "split brain on Cassandra: %d versions acknowledged by both nodes; recovery kept %d of"
            + " node %s's %d writes and lost all %d acknowledged writes of node %s%n",
        twice.size(),
        acks.get(kept).size() - missing.get(kept).size(),
        kept,
        acks.get(kept).size(),
        acks.get(lost).size(),
        lost);
  }

  @Test
  void oneClusterRunsOneIncarnationOfAPartition() throws Exception {
    String keyspace = "joined";
    Map<String, List<Ack>> acks;
    try (Grid a = start(keyspace, "a", "")) {
      int port = a.system().address().getPort().orElseThrow();
      try (Grid b = start(keyspace, "b", "127.0.0.1:" + port)) {
        acks = writeConcurrently(Map.of("a", a, "b", b), 150);
      }
    }
    Map<Long, Ack> byVersion = new HashMap<>();
    for (List<Ack> l : acks.values()) {
      for (Ack ack : l) {
        Ack previous = byVersion.put(ack.version(), ack);
        assertTrue(previous == null, "version acknowledged twice: " + previous + ", " + ack);
      }
    }
    try (Grid c = start(keyspace, "c", "")) {
      for (Ack ack : byVersion.values()) {
        var entry = c.map("fence").get(ack.key()).toCompletableFuture().join();
        assertEquals(ack.version(), entry.orElseThrow().version(), ack.toString());
      }
    }
  }

  /**
   * Each node writes {@code count} distinct keys, one at a time, at the same time as the others.
   * Every write must be acknowledged: the scenario needs both incarnations writing throughout.
   */
  private static Map<String, List<Ack>> writeConcurrently(Map<String, Grid> nodes, int count)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
    try {
      Map<String, Future<List<Ack>>> writers = new TreeMap<>();
      nodes.forEach(
          (name, grid) ->
              writers.put(
                  name,
                  pool.submit(
                      () -> {
                        List<Ack> acks = new ArrayList<>();
                        GridMap map = grid.map("fence");
                        for (int i = 0; i < count; i++) {
                          String key = String.format("%s-%03d", name, i);
                          try {
                            WriteResult r =
                                map.put(key, key.getBytes(UTF_8), "text/plain")
                                    .toCompletableFuture()
                                    .join();
                            acks.add(new Ack(name, key, r.version()));
                          } catch (CompletionException e) {
                            throw new AssertionError("node " + name + " failed to write " + key, e);
                          }
                        }
                        return acks;
                      })));
      Map<String, List<Ack>> acks = new TreeMap<>();
      for (var w : writers.entrySet()) {
        acks.put(w.getKey(), w.getValue().get());
      }
      return acks;
    } finally {
      pool.shutdown();
    }
  }

  /** Every event of partition 0, as the read journal returns them. */
  private static List<EventEnvelope> events(Grid grid) throws Exception {
    return PersistenceQuery.get(grid.system())
        .getReadJournalFor(
            CurrentEventsByPersistenceIdQuery.class, "pekko.persistence.cassandra.query")
        .currentEventsByPersistenceId(Partition.persistenceId(0).id(), 0, Long.MAX_VALUE)
        .runWith(Sink.seq(), grid.system())
        .toCompletableFuture()
        .get();
  }

  private static CqlSession cql() {
    return CqlSession.builder()
        .addContactPoint(new InetSocketAddress("127.0.0.1", cassandra.nativePort()))
        .withLocalDatacenter(CassandraServer.DATACENTER)
        .build();
  }
}
