package io.actorgrid.grid.internal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code actorgrid} section of the configuration, read once. Defaults and their meaning are in
 * grid-node's {@code reference.conf}.
 */
public record GridSettings(
    int partitions,
    Path dataDir,
    Duration requestTimeout,
    Duration startupTimeout,
    String clusterHost,
    int clusterPort,
    List<String> seedNodes,
    Duration firstSeedNodeTimeout,
    boolean bootstrap,
    int maxKeyBytes,
    int maxValueBytes,
    int maxListLimit,
    long maxListBytes,
    int maxBatchItems,
    long maxBatchPartitionBytes,
    Duration maxTtl,
    Duration idempotencyWindow,
    int idempotencyMaxKeys,
    boolean groupCommit,
    int maxBatch,
    long maxBatchBytes,
    int maxPendingWrites,
    Duration writeIdWindow,
    int writeIdsMax,
    long minSnapshotBytes,
    double refuseWritesAbove,
    double resumeWritesBelow,
    Duration historyRetention,
    Duration historySweepInterval,
    Journal journal,
    Duration pauseFenceThreshold) {

  /** Where events are persisted. */
  public enum Journal {
    H2,
    POSTGRES,
    CASSANDRA,
    /** Embedded RocksDB under the data directory (io.actorgrid.grid.internal.rocks). */
    ROCKSDB;

    /** The read journal: the journal's health probe, event history and change feeds use it. */
    public String readJournalPluginId() {
      return switch (this) {
        case CASSANDRA -> "pekko.persistence.cassandra.query";
        case ROCKSDB -> "actorgrid-rocksdb.query";
        case H2, POSTGRES -> "jdbc-read-journal";
      };
    }

    /** Whether several nodes can share it. */
    public boolean shared() {
      return this == POSTGRES || this == CASSANDRA;
    }
  }

  /** The actor system name; it is part of every node address, so all nodes share it. */
  public static final String SYSTEM_NAME = "actorgrid";

  public static GridSettings from(Config root) {
    Config c = root.getConfig("actorgrid");
    return new GridSettings(
        positive(c, "partitions"),
        Path.of(c.getString("data-dir")).toAbsolutePath().normalize(),
        c.getDuration("request-timeout"),
        c.getDuration("startup-timeout"),
        c.getString("cluster.host"),
        c.getInt("cluster.port"),
        hostPorts(c, "cluster.seed-nodes"),
        c.getDuration("cluster.first-seed-node-timeout"),
        c.getBoolean("cluster.bootstrap.enabled"),
        positive(c, "limits.max-key-bytes"),
        (int) c.getBytes("limits.max-value-bytes").longValue(),
        positive(c, "limits.max-list-limit"),
        c.getBytes("limits.max-list-bytes"),
        positive(c, "limits.max-batch-items"),
        c.getBytes("limits.max-batch-partition-bytes"),
        c.getDuration("limits.max-ttl"),
        c.getDuration("idempotency.window"),
        positive(c, "idempotency.max-keys-per-partition"),
        c.getBoolean("partition.group-commit"),
        positive(c, "partition.max-batch"),
        c.getBytes("partition.max-batch-bytes"),
        positive(c, "partition.max-pending-writes"),
        writeIdWindow(c),
        positive(c, "partition.write-ids-max"),
        c.getBytes("partition.min-snapshot-bytes"),
        fraction(c, "memory.refuse-writes-above"),
        resumeBelow(c),
        historyRetention(c),
        c.getDuration("history.sweep-interval"),
        journal(c),
        c.getDuration("pause-fence.threshold"));
  }

  /**
   * How long partitions remember internal write ids: longer than a node keeps sending a write again
   * (its request timeout), or a retried write could be applied twice.
   */
  private static Duration writeIdWindow(Config c) {
    Duration window = c.getDuration("partition.write-id-window");
    Duration timeout = c.getDuration("request-timeout");
    if (window.compareTo(timeout.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException(
          "actorgrid.partition.write-id-window ("
              + window
              + ") must be at least twice actorgrid.request-timeout ("
              + timeout
              + "): a node sends a write again until its request timeout, and the partition must"
              + " still know the first attempt then");
    }
    return window;
  }

  /** The node's history retention; null: forever. */
  private static Duration historyRetention(Config c) {
    String value = c.getString("history.retention").trim();
    if (value.equalsIgnoreCase("forever")) {
      return null;
    }
    Duration retention = c.getDuration("history.retention");
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException(
          "actorgrid.history.retention (GRID_HISTORY_RETENTION) must be forever or a positive"
              + " duration such as 7d, was '"
              + value
              + "'");
    }
    return retention;
  }

  private static Journal journal(Config c) {
    String type = c.getString("journal.type");
    return switch (type.trim().toLowerCase(java.util.Locale.ROOT)) {
      case EmbeddedJournals.EMBEDDED ->
          EmbeddedJournals.choose(
              Path.of(c.getString("data-dir")).toAbsolutePath().normalize(),
              !c.getString("journal.h2-url").isEmpty(),
              !c.getString("journal.rocksdb.dir").isEmpty());
      case "h2" -> Journal.H2;
      case "postgres", "postgresql" -> Journal.POSTGRES;
      case "cassandra" -> Journal.CASSANDRA;
      case "rocksdb" -> Journal.ROCKSDB;
      default ->
          throw new IllegalArgumentException(
              "actorgrid.journal.type (GRID_JOURNAL) is '"
                  + type
                  + "'; use embedded, rocksdb, h2, postgres or cassandra");
    };
  }

  /** host:port entries of a list or a comma-separated string. */
  public static List<String> hostPortList(Config root, String path) {
    return hostPorts(root.getConfig("actorgrid"), path);
  }

  /** The memory guard's thresholds must leave a gap, or it would refuse and accept by turns. */
  private static double resumeBelow(Config c) {
    double resume = fraction(c, "memory.resume-writes-below");
    double refuse = fraction(c, "memory.refuse-writes-above");
    if (refuse < 1 && resume >= refuse) {
      throw new IllegalArgumentException(
          "actorgrid.memory.resume-writes-below ("
              + resume
              + ") must be below actorgrid.memory.refuse-writes-above ("
              + refuse
              + ")");
    }
    return resume;
  }

  private static double fraction(Config c, String path) {
    double value = c.getDouble(path);
    if (value <= 0) {
      throw new IllegalArgumentException(
          "actorgrid." + path + " must be a fraction of the heap above 0, was " + value);
    }
    return value;
  }

  private static int positive(Config c, String path) {
    int value = c.getInt(path);
    if (value < 1) {
      throw new IllegalArgumentException("actorgrid." + path + " must be at least 1, was " + value);
    }
    return value;
  }

  /** Whether this node is configured to join other nodes (by seed nodes or bootstrap). */
  public boolean joinsOthers() {
    return bootstrap || seedNodes.stream().anyMatch(s -> !s.equals(self()));
  }

  /**
   * Whether this node heads a list of several seed nodes: the one node that Pekko lets form a new
   * cluster when the other seeds do not answer.
   */
  public boolean firstOfSeveralSeeds() {
    return !bootstrap && seedNodes.size() > 1 && seedNodes.get(0).equals(self());
  }

  private String self() {
    return clusterHost + ":" + clusterPort;
  }

  /** A list, or a comma-separated string as environment variables give it. */
  private static List<String> hostPorts(Config c, String path) {
    List<String> values =
        c.getValue(path).valueType() == ConfigValueType.LIST
            ? c.getStringList(path)
            : Arrays.asList(c.getString(path).split(","));
    List<String> out = values.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    for (String hostPort : out) {
      int colon = hostPort.lastIndexOf(':');
      if (colon <= 0 || colon == hostPort.length() - 1) {
        throw new IllegalArgumentException(
            "actorgrid." + path + ": '" + hostPort + "' is not host:port");
      }
      Integer.parseInt(hostPort.substring(colon + 1));
    }
    return out;
  }
}
