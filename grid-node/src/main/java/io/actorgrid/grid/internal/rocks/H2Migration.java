package io.actorgrid.grid.internal.rocks;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorgrid.grid.internal.EmbeddedJournals;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import scala.concurrent.Await;
import scala.concurrent.duration.Duration;

/**
 * Moves a stopped node's H2 journal (the default of older versions) to the embedded RocksDB
 * journal: {@code bin/actorgrid migrate}. Every stored event keeps its persistence id, sequence
 * number, timestamp and writer, so records keep their versions and histories; every snapshot is
 * copied with its sequence number and timestamp; each id's highest sequence number is kept even
 * where retention deleted its last events. Counts are checked before the new journal is put in
 * place.
 *
 * <p>The copy is made in {@code rocksdb.migrating} under the data directory and renamed to {@code
 * rocksdb} only when complete and checked; the H2 file is then renamed to {@code
 * journal-h2-migrated.mv.db} (kept as a backup: delete it once satisfied). A migration that stopped
 * half-way leaves the H2 journal in charge; running the command again starts the copy over.
 */
public final class H2Migration {
  /** What was copied. */
  public record Result(
      int persistenceIds, long events, long snapshots, Path rocksDir, Path h2Backup) {}

  private static final String EVENTS =
      "SELECT \"persistence_id\", \"sequence_number\", \"deleted\", \"writer\","
          + " \"write_timestamp\", \"adapter_manifest\", \"event_payload\", \"event_ser_id\","
          + " \"event_ser_manifest\", \"meta_payload\", \"meta_ser_id\", \"meta_ser_manifest\""
          + " FROM PUBLIC.\"event_journal\" ORDER BY \"persistence_id\", \"sequence_number\"";
  private static final String SNAPSHOTS =
      "SELECT \"persistence_id\", \"sequence_number\", \"created\", \"snapshot_ser_id\","
          + " \"snapshot_ser_manifest\", \"snapshot_payload\", \"meta_ser_id\","
          + " \"meta_ser_manifest\", \"meta_payload\" FROM PUBLIC.\"snapshot\"";

  private H2Migration() {}

  /** {@code bin/actorgrid migrate}: the data directory of the node's configuration. */
  public static void main(String[] args) {
    if (args.length > 0) {
      System.err.println(
          "usage: bin/actorgrid migrate\n"
              + "Moves the H2 journal of the data directory (actorgrid.data-dir, GRID_DATA_DIR) to"
              + " RocksDB. Stop the node first.");
      System.exit(2);
    }
    try {
      migrate(ConfigFactory.load(), System.out);
      System.exit(0);
    } catch (IllegalStateException e) {
      System.err.println("migrate: " + e.getMessage());
      System.exit(1);
    } catch (Exception e) {
      System.err.println("migrate: failed: " + e);
      e.printStackTrace();
      System.exit(1);
    }
  }

  /**
   * Migrates the H2 journal of {@code actorgrid.data-dir}.
   *
   * @throws IllegalStateException when there is nothing to migrate, RocksDB data is there already,
   *     the H2 file is in use (a node runs on it), or the copy does not check out
   */
  public static Result migrate(Config config, PrintStream out) throws Exception {
    Path dataDir = Path.of(config.getString("actorgrid.data-dir")).toAbsolutePath().normalize();
    Path h2File = EmbeddedJournals.h2File(dataDir);
    Path rocksDir = EmbeddedJournals.rocksDir(dataDir);
    if (!Files.exists(h2File)) {
      throw new IllegalStateException(
          "no H2 journal to migrate: " + h2File + " does not exist (is GRID_DATA_DIR right?)");
    }
    if (EmbeddedJournals.hasRocks(rocksDir)) {
      throw new IllegalStateException(
          rocksDir
              + " holds a RocksDB journal already; the node uses it, not the H2 file. Move it"
              + " away first if the H2 journal's data is what you want.");
    }
    Path work = dataDir.resolve("rocksdb.migrating");
    deleteTree(work);
    RocksNative.load(RocksStore.nativeDir(rocksDir));
    // Opened as the node opens it, so that a node still running on it makes this fail (H2's file
    // lock) instead of copying a journal that is still being written.
    String url = "jdbc:h2:file:" + dataDir.resolve("journal") + ";DB_CLOSE_ON_EXIT=FALSE";
    ActorSystem system =
        ActorSystem.create(
            "actorgrid-migration",
            ConfigFactory.parseString(
                    "pekko.actor.provider = local\n"
                        + "pekko.loglevel = WARNING\n"
                        + "pekko.stdout-loglevel = WARNING")
                .withFallback(config));
    long start = System.nanoTime();
    Map<String, long[]> copied; // id -> {events, highest}
    long snapshots;
    Config db = config.getConfig("pekko-persistence-jdbc.shared-databases.actorgrid.db");
    try (Connection h2 = open(url, db.getString("user"), db.getString("password"));
        RocksStore store = RocksStore.open(work, RocksSettings.Durability.FSYNC)) {
      RocksCodec codec = new RocksCodec((ExtendedActorSystem) system);
      Serialization serialization = SerializationExtension.get(system);
      copied = copyEvents(h2, store, codec, serialization, out);
      snapshots = copySnapshots(h2, store, codec, serialization);
      check(store, copied);
      store.db.flushWal(true);
    } finally {
      system.terminate();
      Await.result(system.whenTerminated(), Duration.create(30, TimeUnit.SECONDS));
    }
    long events = copied.values().stream().mapToLong(c -> c[0]).sum();
    Files.move(work, rocksDir, StandardCopyOption.ATOMIC_MOVE);
    Path backup = dataDir.resolve("journal-h2-migrated.mv.db");
    Files.move(h2File, backup, StandardCopyOption.ATOMIC_MOVE);
    Path trace = dataDir.resolve("journal.trace.db");
    if (Files.exists(trace)) {
      Files.move(trace, dataDir.resolve("journal-h2-migrated.trace.db"));
    }
    out.printf(
        "migrate: %,d events of %d persistence ids and %d snapshots copied to %s in %.1f s;"
            + " the H2 journal is kept as %s (delete it once the node serves from RocksDB)%n",
        events, copied.size(), snapshots, rocksDir, (System.nanoTime() - start) / 1e9, backup);
    return new Result(copied.size(), events, snapshots, rocksDir, backup);
  }

  private static Connection open(String url, String user, String password) {
    try {
      return DriverManager.getConnection(url, user, password);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot open the H2 journal (is a node running on this data directory? stop it"
              + " first): "
              + e.getMessage(),
          e);
    }
  }

  private static Map<String, long[]> copyEvents(
      Connection h2,
      RocksStore store,
      RocksCodec codec,
      Serialization serialization,
      PrintStream out)
      throws SQLException, RocksDBException {
    Map<String, long[]> copied = new HashMap<>();
    long total = 0;
    try (PreparedStatement query = h2.prepareStatement(EVENTS)) {
      query.setFetchSize(1000);
      try (ResultSet rows = query.executeQuery();
          WriteBatch batch = new WriteBatch()) {
        while (rows.next()) {
          String id = rows.getString(1);
          long sequenceNr = rows.getLong(2);
          long[] counts = copied.computeIfAbsent(id, k -> new long[2]);
          counts[1] = Math.max(counts[1], sequenceNr);
          byte[] prefix = RocksKeys.prefix(id);
          batch.put(store.highest, prefix, RocksKeys.longValue(counts[1]));
          if (rows.getBoolean(3)) {
            continue; // deleted by retention: only its sequence number counts
          }
          Object payload =
              serialization.deserialize(rows.getBytes(7), rows.getInt(8), rows.getString(9)).get();
          PersistentRepr repr =
              PersistentRepr.apply(
                      payload,
                      sequenceNr,
                      id,
                      rows.getString(6),
                      false,
                      ActorRef.noSender(),
                      rows.getString(4))
                  .withTimestamp(rows.getLong(5));
          byte[] meta = rows.getBytes(10);
          if (meta != null) {
            repr =
                repr.withMetadata(
                    serialization.deserialize(meta, rows.getInt(11), rows.getString(12)).get());
          }
          batch.put(store.events, RocksKeys.key(prefix, sequenceNr), codec.event(repr));
          counts[0]++;
          if (++total % 5000 == 0) {
            store.db.write(store.writeOptions, batch);
            batch.clear();
          }
          if (total % 100_000 == 0) {
            out.printf("migrate: %,d events copied%n", total);
          }
        }
        store.db.write(store.writeOptions, batch);
      }
    }
    return copied;
  }

  private static long copySnapshots(
      Connection h2, RocksStore store, RocksCodec codec, Serialization serialization)
      throws SQLException {
    long count = 0;
    try (PreparedStatement query = h2.prepareStatement(SNAPSHOTS);
        ResultSet rows = query.executeQuery()) {
      while (rows.next()) {
        String id = rows.getString(1);
        long sequenceNr = rows.getLong(2);
        Object snapshot =
            serialization.deserialize(rows.getBytes(6), rows.getInt(4), rows.getString(5)).get();
        SnapshotMetadata metadata = new SnapshotMetadata(id, sequenceNr, rows.getLong(3));
        byte[] meta = rows.getBytes(9);
        if (meta != null) {
          metadata =
              metadata.withMetadata(
                  serialization.deserialize(meta, rows.getInt(7), rows.getString(8)).get());
        }
        store.saveSnapshot(id, sequenceNr, codec.snapshot(metadata, snapshot));
        count++;
      }
    }
    return count;
  }

  /** Reads back what was written: every id's event count and highest sequence number. */
  private static void check(RocksStore store, Map<String, long[]> copied) {
    for (Map.Entry<String, long[]> e : copied.entrySet()) {
      long[] count = {0};
      store.events(
          e.getKey(),
          0,
          Long.MAX_VALUE,
          Long.MAX_VALUE,
          (sequenceNr, value) -> {
            count[0]++;
            return true;
          });
      long highest = store.highestSequenceNr(e.getKey());
      if (count[0] != e.getValue()[0] || highest != e.getValue()[1]) {
        throw new IllegalStateException(
            "the copy of "
                + e.getKey()
                + " does not check out: "
                + count[0]
                + " events up to "
                + highest
                + " in RocksDB, "
                + e.getValue()[0]
                + " up to "
                + e.getValue()[1]
                + " in H2; nothing was changed, the H2 journal stays in use");
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
