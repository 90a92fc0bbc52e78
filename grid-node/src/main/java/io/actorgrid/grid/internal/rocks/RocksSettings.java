package io.actorgrid.grid.internal.rocks;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The {@code actorgrid-rocksdb} section that the journal, snapshot store and read journal share,
 * read once. Defaults and their meaning are in grid-node's {@code reference.conf}.
 *
 * @param dir the RocksDB directory
 * @param durability when a write is acknowledged
 * @param maxBatchRequests most journal requests (each one actor's write) in one group commit
 * @param dispatcher the dispatcher of blocking reads and snapshot writes
 * @param queryBatch most events a query reads from the store at a time
 * @param refreshInterval how often a live query looks for new events when no write in this JVM told
 *     it about them (a safety net: writes in this JVM wake it at once)
 * @param memoryBudget native memory of memtables and block cache together, in bytes
 */
public record RocksSettings(
    Path dir,
    Durability durability,
    int maxBatchRequests,
    String dispatcher,
    int queryBatch,
    Duration refreshInterval,
    long memoryBudget) {

  /** The configuration path of the section. */
  public static final String PATH = "actorgrid-rocksdb";

  /** reference.conf's memory-budget. */
  static final long DEFAULT_MEMORY_BUDGET = 256L << 20;

  /** When the store acknowledges a write. */
  public enum Durability {
    /**
     * Once it is in RocksDB's write-ahead log in the operating system's page cache: it survives the
     * process being killed, not a power failure or kernel crash.
     */
    PROCESS,
    /** Once the write-ahead log is fsynced: it survives a power failure. */
    FSYNC;

    public static Durability parse(String value) {
      return switch (value.trim().toLowerCase(Locale.ROOT)) {
        case "process" -> PROCESS;
        case "fsync" -> FSYNC;
        default ->
            throw new IllegalArgumentException(
                "RocksDB journal durability (GRID_ROCKSDB_DURABILITY) is '"
                    + value
                    + "'; use process (survives a killed process) or fsync (survives a power"
                    + " failure)");
      };
    }
  }

  public static RocksSettings from(Config root) {
    Config c = root.getConfig(PATH);
    String dir = c.getString("dir");
    if (dir.isEmpty()) {
      throw new IllegalArgumentException(
          PATH + ".dir is empty: set the directory of the RocksDB journal");
    }
    int maxBatch = c.getInt("max-batch-requests");
    int queryBatch = c.getInt("query-batch");
    if (maxBatch < 1 || queryBatch < 1) {
      throw new IllegalArgumentException(
          PATH + ".max-batch-requests and " + PATH + ".query-batch must be at least 1");
    }
    return new RocksSettings(
        Path.of(dir).toAbsolutePath().normalize(),
        Durability.parse(c.getString("durability")),
        maxBatch,
        c.getString("dispatcher"),
        queryBatch,
        c.getDuration("refresh-interval"),
        memoryBudget(c));
  }

  private static long memoryBudget(Config c) {
    long budget = c.getBytes("memory-budget");
    if (budget < (16L << 20)) {
      throw new IllegalArgumentException(
          PATH + ".memory-budget (GRID_ROCKSDB_MEMORY) must be at least 16 MiB, was " + budget);
    }
    return budget;
  }
}
