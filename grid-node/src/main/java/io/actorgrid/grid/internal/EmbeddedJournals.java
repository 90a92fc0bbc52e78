package io.actorgrid.grid.internal;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Refuses to start a node on one embedded journal (H2 or RocksDB) when its data directory holds the
 * other one's data and none of its own: the node would come up empty and look as if every record
 * were lost. There is no migration between them yet; the operator has to switch back or choose a
 * new data directory.
 */
public final class EmbeddedJournals {
  private EmbeddedJournals() {}

  /** The H2 file that {@link NodeConfig#h2Url} names under the data directory. */
  static Path h2File(GridSettings settings) {
    return settings.dataDir().resolve("journal.mv.db");
  }

  /** The RocksDB directory the node uses when actorgrid.journal.rocksdb.dir is empty. */
  static Path rocksDir(GridSettings settings) {
    return settings.dataDir().resolve("rocksdb");
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
    Path h2 = h2File(settings);
    Path rocks = rocksDir(settings);
    boolean hasH2 = Files.exists(h2);
    boolean hasRocks = Files.exists(rocks.resolve("CURRENT"));
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
        + " one: this node would start empty, without the records stored there. There is no"
        + " migration between the embedded journals yet: set GRID_JOURNAL="
        + other
        + " to keep serving that data, or use another data directory (GRID_DATA_DIR) for a new,"
        + " empty "
        + chosen
        + " journal.";
  }
}
