package io.actorgrid.grid.internal.rocks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.rocksdb.NativeLibraryLoader;
import org.rocksdb.RocksDB;

/*
 * Loads RocksDB's native library (about 15 MB) from a directory of the node's own rather than the
 * temporary directory. Left to itself, rocksdbjni copies the library into java.io.tmpdir under a
 * new name at every start and deletes it only when the JVM exits normally: every killed or crashed
 * node left 15 MB behind (a crash loop fills /tmp; 28 such files, 411 MB, were found on the build
 * machine), and a /tmp mounted noexec fails the start. Here the library goes to one fixed file,
 * replaced at each start of a JVM, beside the RocksDB directory (which the node can write to).
 */
final class RocksNative {
  private static boolean loaded;

  private RocksNative() {}

  /** Loads the library once per JVM, extracting it into {@code dir}. */
  static synchronized void load(Path dir) {
    if (loaded) {
      return;
    }
    try {
      Files.createDirectories(dir);
      NativeLibraryLoader.getInstance().loadLibrary(dir.toString());
    } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
      throw new IllegalStateException(
          "cannot load RocksDB's native library into " + dir + ": " + e, e);
    }
    // Marks the library as loaded for RocksDB's own checks (its loader is done, so no copy).
    RocksDB.loadLibrary();
    loaded = true;
  }
}
