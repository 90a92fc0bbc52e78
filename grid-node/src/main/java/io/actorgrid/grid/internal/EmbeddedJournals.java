package io.actorgrid.grid.internal;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The embedded journals (RocksDB and H2) and the data directory they share.
 *
 * <p>{@code actorgrid.journal.type = embedded}, the default, is RocksDB, except for a data
 * directory that already holds an H2 journal and no RocksDB one (made by an older version, whose
 * default was H2): that one goes on with H2, so that upgrading never hides data. {@code
 * bin/actorgrid migrate} ({@link io.actorgrid.grid.internal.rocks.H2Migration}) moves such a
 * directory to RocksDB.
 *
 * <p>A node told explicitly to use one embedded journal (h2 or rocksdb) refuses to start when the
 * data directory holds only the other one's data: it would come up empty and look as if every
 * record were lost.
 */
public final class EmbeddedJournals {
  private EmbeddedJournals() {}

  /** The value of actorgrid.journal.type that chooses between the embedded journals. */
  public static final String EMBEDDED = "embedded";

  /** The H2 file that {@link NodeConfig#h2Url} names under the data directory. */
  public static Path h2File(Path dataDir) {
    return dataDir.resolve("journal.mv.db");
  }

  /** The RocksDB directory the node uses when actorgrid.journal.rocksdb.dir is empty. */
  public static Path rocksDir(Path dataDir) {
    return dataDir.resolve("rocksdb");
  }

  /** Whether a RocksDB database exists in the directory. */
  public static boolean hasRocks(Path rocksDir) {
    return Files.exists(rocksDir.resolve("CURRENT"));
  }

  /**
   * The journal of {@code embedded}: H2 when the operator named an H2 file (h2-url) and no RocksDB
   * directory, or when the data directory holds an H2 journal and no RocksDB one; RocksDB
   * otherwise.
   */
  static GridSettings.Journal choose(Path dataDir, boolean customH2, boolean customRocks) {
    if (customRocks) {
      return GridSettings.Journal.ROCKSDB;
    }
    if (customH2 || (Files.exists(h2File(dataDir)) && !hasRocks(rocksDir(dataDir)))) {
      return GridSettings.Journal.H2;
    }
    return GridSettings.Journal.ROCKSDB;
  }

  /**
   * Whether the node runs on H2 only because its data directory holds an H2 journal (journal type
   * embedded): the node then says so at start, and how to migrate.
   */
  public static boolean keptH2(Config config, GridSettings settings) {
    return settings.journal() == GridSettings.Journal.H2
        && config.getString("actorgrid.journal.type").trim().equalsIgnoreCase(EMBEDDED)
        && config.getString("actorgrid.journal.h2-url").isEmpty();
  }

  /**
   * @param customLocation whether the operator set the journal's own location (h2-url or
   *     rocksdb.dir): then the data directory's files may belong to another setup, and the check
   *     stands aside
   * @throws IllegalStateException when the data directory holds only the other journal's data
   */
  public static void check(GridSettings settings, boolean customLocation) {
    if (customLocation) {
      return;
    }
    Path h2 = h2File(settings.dataDir());
    Path rocks = rocksDir(settings.dataDir());
    boolean hasH2 = Files.exists(h2);
    boolean hasRocks = hasRocks(rocks);
    if (settings.journal() == GridSettings.Journal.ROCKSDB && hasH2 && !hasRocks) {
      throw new IllegalStateException(refusal(h2, "rocksdb", "h2"));
    }
    if (settings.journal() == GridSettings.Journal.H2 && hasRocks && !hasH2) {
      throw new IllegalStateException(refusal(rocks, "h2", "rocksdb"));
    }
  }

  private static String refusal(Path found, String chosen, String other) {
    return "the journal is "
        + chosen
        + " (GRID_JOURNAL), but the data directory holds a "
        + other
        + " journal ("
        + found
        + ") and no "
        + chosen
        + " one: this node would start empty, without the records stored there. Set GRID_JOURNAL="
        + other
        + " (or leave GRID_JOURNAL unset: the default, embedded, uses the journal the data"
        + " directory holds) to keep serving that data, "
        + ("rocksdb".equals(chosen)
            ? "or move it to RocksDB with bin/actorgrid migrate (node stopped), "
            : "")
        + "or use another data directory (GRID_DATA_DIR) for a new, empty "
        + chosen
        + " journal.";
  }

  /**
   * For a write the journal refused: a sentence saying that the disk under the embedded journal is
   * full (less than 1 MiB usable, or {@code outOfSpace}: the journal's last write failed with "No
   * space left on device"), or an empty string (not embedded, or room left).
   */
  public static String fullDiskNote(GridSettings settings, boolean outOfSpace) {
    if (settings.journal() != GridSettings.Journal.H2
        && settings.journal() != GridSettings.Journal.ROCKSDB) {
      return "";
    }
    try {
      long usable = Files.getFileStore(settings.dataDir()).getUsableSpace();
      if (usable >= 1 << 20 && !outOfSpace) {
        return "";
      }
      return " The disk under the journal ("
          + settings.dataDir()
          + ") is full: "
          + (outOfSpace ? "its last write failed with \"No space left on device\"; " : "")
          + usable
          + " bytes usable; the write may or may not have been written. Writes are accepted"
          + " again by themselves once there is room.";
    } catch (java.io.IOException | RuntimeException e) {
      return "";
    }
  }
}
