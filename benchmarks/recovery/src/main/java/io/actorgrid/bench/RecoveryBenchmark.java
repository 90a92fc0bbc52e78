package io.actorgrid.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorgrid.grid.Grid;
import io.actorgrid.grid.GridMap;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Semaphore;
import java.util.stream.Stream;

/**
 * Writes EVENTS events of VALUE_BYTES each over KEYS distinct keys into PARTITIONS partitions of an
 * embedded node (the default journal, RocksDB, or H2 with GRID_JOURNAL=h2), restarts the node and reports
 * how long the recovery took, the snapshots written (H2 only), the journal's size on disk and the
 * heap the records take after recovery.
 *
 * <pre>[GRID_JOURNAL=rocksdb] [RANDOM_VALUES=1] java -cp ... io.actorgrid.bench.RecoveryBenchmark
 * EVENTS KEYS PARTITIONS [VALUE_BYTES]</pre>
 */
public final class RecoveryBenchmark {
  private RecoveryBenchmark() {}

  public static void main(String[] args) throws Exception {
    int events = Integer.parseInt(args[0]);
    int keys = Integer.parseInt(args[1]);
    int partitions = Integer.parseInt(args[2]);
    int valueBytes = args.length > 3 ? Integer.parseInt(args[3]) : 1024;
    String journal = System.getenv().getOrDefault("GRID_JOURNAL", "embedded");
    Path dir = Files.createTempDirectory("actorgrid-recovery");
    Config config =
        ConfigFactory.parseString(
                "actorgrid.data-dir = \""
                    + dir
                    + "\"\nactorgrid.partitions = "
                    + partitions
                    + "\nactorgrid.cluster.port = 0\nactorgrid.request-timeout = 30s\n"
                    + "actorgrid.startup-timeout = 300s\nactorgrid.journal.type = "
                    + journal)
            .withFallback(ConfigFactory.load());
    byte[] value = new byte[valueBytes];
    java.util.Arrays.fill(value, (byte) 'x');
    // RANDOM_VALUES=1: incompressible values, for journals that compress (RocksDB does).
    boolean random = "1".equals(System.getenv("RANDOM_VALUES"));
    java.util.Random rnd = new java.util.Random(1);

    long baseline;
    long writeMillis;
    try (Grid grid = Grid.start(config)) {
      grid.awaitReady(Duration.ofMinutes(5));
      baseline = usedHeapAfterGc();
      GridMap map = grid.map("recovery");
      Semaphore inFlight = new Semaphore(256);
      long start = System.nanoTime();
      for (int i = 0; i < events; i++) {
        inFlight.acquire();
        byte[] v = value;
        if (random) {
          v = new byte[valueBytes];
          rnd.nextBytes(v);
        }
        map.put("key-" + (i % keys), v, "application/octet-stream")
            .toCompletableFuture()
            .whenComplete((r, e) -> inFlight.release());
      }
      inFlight.acquire(256);
      writeMillis = (System.nanoTime() - start) / 1_000_000;
    }

    // A node's start without data, to tell the partition's recovery from the node's own start.
    Path emptyDir = Files.createTempDirectory("actorgrid-recovery-empty");
    long emptyStart = System.nanoTime();
    try (Grid grid =
        Grid.start(
            ConfigFactory.parseString("actorgrid.data-dir = \"" + emptyDir + "\"")
                .withFallback(config))) {
      grid.awaitReady(Duration.ofMinutes(5));
    }
    long emptyMillis = (System.nanoTime() - emptyStart) / 1_000_000;
    delete(emptyDir);

    // Wall-clock bounds of the recovery, to pick its samples out of a profile of the whole run.
    java.time.Instant recoverFrom = java.time.Instant.now();
    long recoverStart = System.nanoTime();
    long recoveryMillis;
    long heap;
    try (Grid grid = Grid.start(config)) {
      grid.awaitReady(Duration.ofMinutes(10));
      recoveryMillis = (System.nanoTime() - recoverStart) / 1_000_000;
      System.out.printf("recovery from %s to %s%n", recoverFrom, java.time.Instant.now());
      heap = usedHeapAfterGc() - baseline;
      long count = grid.maps().toCompletableFuture().join().get(0).entries();
      if (count != keys) {
        throw new IllegalStateException("recovered " + count + " records, expected " + keys);
      }
    }

    long snapshots = 0;
    long largestSnapshot = 0;
    long snapshotBytes = 0;
    if (!journal.equals("h2")) {
      System.out.printf(
          "journal=%s events=%d keys=%d partitions=%d value=%dB | write %d ms (%.0f/s) | start"
              + " with data %d ms, empty %d ms | data directory %.1f MB | heap %.1f MB (%.0f"
              + " B/record)%n",
          journal,
          events,
          keys,
          partitions,
          valueBytes,
          writeMillis,
          events * 1000.0 / writeMillis,
          recoveryMillis,
          emptyMillis,
          size(dir) / 1e6,
          heap / 1e6,
          (double) heap / keys);
      delete(dir);
      return;
    }
    String url = "jdbc:h2:file:" + dir.resolve("journal") + ";ACCESS_MODE_DATA=r";
    try (Connection c = DriverManager.getConnection(url, "sa", "");
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT COUNT(*), COALESCE(MAX(OCTET_LENGTH(\"snapshot_payload\")), 0),"
                        + " COALESCE(SUM(OCTET_LENGTH(\"snapshot_payload\")), 0)"
                        + " FROM \"snapshot\"")) {
      rs.next();
      snapshots = rs.getLong(1);
      largestSnapshot = rs.getLong(2);
      snapshotBytes = rs.getLong(3);
    }
    long journalFile = Files.size(dir.resolve("journal.mv.db"));
    System.out.printf(
        "events=%d keys=%d partitions=%d value=%dB | write %d ms (%.0f/s) | start with data %d ms,"
            + " empty %d ms |"
            + " snapshots %d, largest %.1f MB, all %.1f MB | journal file %.1f MB |"
            + " heap %.1f MB (%.0f B/record)%n",
        events,
        keys,
        partitions,
        valueBytes,
        writeMillis,
        events * 1000.0 / writeMillis,
        recoveryMillis,
        emptyMillis,
        snapshots,
        largestSnapshot / 1e6,
        snapshotBytes / 1e6,
        journalFile / 1e6,
        heap / 1e6,
        (double) heap / keys);
    delete(dir);
  }

  private static long size(Path dir) throws java.io.IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private static void delete(Path dir) throws java.io.IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
