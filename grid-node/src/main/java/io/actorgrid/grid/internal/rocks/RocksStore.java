package io.actorgrid.grid.internal.rocks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Status;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;

/*
 * One RocksDB database holding a node's journal and snapshots, in three column families:
 *
 *   events     prefix(persistenceId) + sequenceNr  ->  event (RocksCodec)
 *   highest    prefix(persistenceId)               ->  highest sequence number written (8 bytes)
 *   snapshots  prefix(persistenceId) + sequenceNr  ->  snapshot (RocksCodec)
 *
 * prefix is the id's UTF-8 length (2 bytes) and bytes, sequence numbers are 8 big-endian bytes
 * (RocksKeys), so one id's events are one key range in sequence order: a replay or query is one
 * seek and a forward scan, which steps over deleted events (there is no gap to get stuck at).
 * Deleting events removes them (a range tombstone, compacted away later); the highest sequence
 * number has its own key and so survives deleting every event, as Pekko requires.
 *
 * Events are written only by the RocksWriter's thread (group commit); reads and snapshot writes
 * come from any thread. Every access holds the read side of a lock whose write side close() and
 * reopen() take: RocksDB's native handles must not be used after they are freed (that crashes the
 * JVM), and reopen() replaces them.
 *
 * A failed write can leave RocksDB refusing every later write (after a failed log write, on a full
 * disk, it keeps a background error until DB::Resume(), which RocksJava does not offer). A write
 * that fails with an I/O error therefore has the store reopened (RocksReopener): closed and opened
 * again on the same directory, which replays the log, so that every acknowledged write is kept.
 */
final class RocksStore implements AutoCloseable {
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions cfOptions;
  private final Cache cache;
  private final WriteBufferManager writeBuffers;
  private final List<ColumnFamilyDescriptor> descriptors;
  // Replaced by reopen() (null while it has failed): use them only inside guarded().
  private List<ColumnFamilyHandle> handles;
  RocksDB db;
  ColumnFamilyHandle events;
  ColumnFamilyHandle highest;
  ColumnFamilyHandle snapshots;
  // Databases opened so far (1 + reopens); changes under the write side of lifecycle.
  private long generation = 1;
  // Whether the database was reopened read-only (its reopen for writing failed).
  private boolean readOnly;
  final WriteOptions writeOptions;
  private final Path dir;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed;
  private final RocksReopener reopener;
  // Set when a write failed for want of space, cleared by the next write that succeeds.
  private volatile boolean outOfSpace;

  /** Visits stored events in sequence order; returns false to stop. */
  interface EventVisitor {
    boolean visit(long sequenceNr, byte[] value);
  }

  private RocksStore(
      Path dir,
      DBOptions dbOptions,
      ColumnFamilyOptions cfOptions,
      Cache cache,
      WriteBufferManager writeBuffers,
      List<ColumnFamilyDescriptor> descriptors,
      RocksDB db,
      List<ColumnFamilyHandle> handles,
      WriteOptions writeOptions) {
    this.dir = dir;
    this.dbOptions = dbOptions;
    this.cfOptions = cfOptions;
    this.cache = cache;
    this.writeBuffers = writeBuffers;
    this.descriptors = descriptors;
    use(db, handles);
    this.writeOptions = writeOptions;
    this.reopener = new RocksReopener(this);
  }

  private void use(RocksDB db, List<ColumnFamilyHandle> handles) {
    this.db = db;
    this.handles = handles;
    this.events = handles.get(1);
    this.highest = handles.get(2);
    this.snapshots = handles.get(3);
  }

  /** Opens the store with the default native memory budget (the migration's). */
  static RocksStore open(Path dir, RocksSettings.Durability durability) {
    return open(dir, durability, RocksSettings.DEFAULT_MEMORY_BUDGET);
  }

  /**
   * @param memoryBudget the most native memory RocksDB's memtables and block cache take together:
   *     memtables are charged to the one block cache of this size (at most half of it, past which
   *     they are flushed), so that the node's memory is the heap plus this plus the JVM's own
   */
  static RocksStore open(Path dir, RocksSettings.Durability durability, long memoryBudget) {
    RocksNative.load(nativeDir(dir));
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create the RocksDB directory " + dir + ": " + e, e);
    }
    DBOptions dbOptions =
        new DBOptions()
            .setCreateIfMissing(true)
            .setCreateMissingColumnFamilies(true)
            // After a crash, recover every write up to the first torn record of the log: what
            // was acknowledged is before it.
            .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
            // Bounds the log replayed at start-up: past it, memtables are flushed to files.
            .setMaxTotalWalSize(256L << 20)
            .setMaxBackgroundJobs(2)
            .setKeepLogFileNum(3)
            .setMaxLogFileSize(8L << 20);
    Cache cache = new LRUCache(memoryBudget);
    WriteBufferManager writeBuffers = new WriteBufferManager(memoryBudget / 2, cache);
    dbOptions.setWriteBufferManager(writeBuffers);
    ColumnFamilyOptions cfOptions =
        new ColumnFamilyOptions()
            .setWriteBufferSize(Math.min(64L << 20, Math.max(4L << 20, memoryBudget / 8)))
            .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache));
    List<ColumnFamilyDescriptor> descriptors =
        List.of(
            new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
            new ColumnFamilyDescriptor(bytes("events"), cfOptions),
            new ColumnFamilyDescriptor(bytes("highest"), cfOptions),
            new ColumnFamilyDescriptor(bytes("snapshots"), cfOptions));
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try {
      RocksDB db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
      WriteOptions writeOptions =
          new WriteOptions().setSync(durability == RocksSettings.Durability.FSYNC);
      return new RocksStore(
          dir, dbOptions, cfOptions, cache, writeBuffers, descriptors, db, handles, writeOptions);
    } catch (RocksDBException e) {
      handles.forEach(ColumnFamilyHandle::close);
      cfOptions.close();
      dbOptions.close();
      writeBuffers.close();
      cache.close();
      throw new IllegalStateException(
          "cannot open the RocksDB journal in " + dir + " (is another node using it?): " + e, e);
    }
  }

  /** Where RocksDB's native library is put for the store in {@code dir}: beside it. */
  static Path nativeDir(Path dir) {
    Path absolute = dir.toAbsolutePath().normalize();
    return absolute.resolveSibling(absolute.getFileName() + "-native");
  }

  /**
   * Native memory in RocksDB's block cache, memtables included (they are charged to it); NaN once
   * closed.
   */
  double memoryBytes() {
    try {
      return guarded(() -> (double) cache.getUsage());
    } catch (IllegalStateException e) {
      return Double.NaN;
    }
  }

  /**
   * Bytes of the store's table files (compacted data, not the write-ahead log); NaN once closed.
   */
  double tableFileBytes() {
    try {
      return guarded(
          () -> {
            long sum = 0;
            for (ColumnFamilyHandle h : handles) {
              try {
                sum += db.getLongProperty(h, "rocksdb.total-sst-files-size");
              } catch (RocksDBException e) {
                return Double.NaN;
              }
            }
            return (double) sum;
          });
    } catch (IllegalStateException e) {
      return Double.NaN;
    }
  }

  Path dir() {
    return dir;
  }

  /** Runs {@code read} unless the store is closed, and keeps it open meanwhile. */
  <T> T guarded(Supplier<T> read) {
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("the RocksDB journal in " + dir + " is closed");
      }
      if (db == null) {
        throw new IllegalStateException(
            "the RocksDB journal in " + dir + " is being reopened after a failed write");
      }
      return read.get();
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** The highest sequence number ever written for the id, deleted events included; 0 if none. */
  long highestSequenceNr(String persistenceId) {
    return guarded(
        () -> {
          byte[] value = get(highest, RocksKeys.prefix(persistenceId));
          return value == null ? 0 : RocksKeys.longOf(value);
        });
  }

  /** Visits the id's stored events from {@code from} to {@code to} (inclusive), at most max. */
  void events(String persistenceId, long from, long to, long max, EventVisitor visitor) {
    guarded(
        () -> {
          byte[] prefix = RocksKeys.prefix(persistenceId);
          long count = 0;
          try (Slice end = new Slice(RocksKeys.end(prefix));
              ReadOptions options = new ReadOptions().setIterateUpperBound(end);
              RocksIterator it = db.newIterator(events, options)) {
            for (it.seek(RocksKeys.key(prefix, Math.max(0, from)));
                it.isValid() && count < max;
                it.next()) {
              long sequenceNr = RocksKeys.sequenceNr(it.key());
              if (sequenceNr > to || !visitor.visit(sequenceNr, it.value())) {
                break;
              }
              count++;
            }
            status(it);
          }
          return null;
        });
  }

  /** A stored snapshot: its sequence number and value. */
  record StoredSnapshot(long sequenceNr, byte[] value) {}

  /** The id's youngest snapshot that matches the criteria. */
  Optional<StoredSnapshot> latestSnapshot(
      String persistenceId, SnapshotSelectionCriteria criteria) {
    return guarded(
        () -> {
          byte[] prefix = RocksKeys.prefix(persistenceId);
          try (RocksIterator it = db.newIterator(snapshots)) {
            for (it.seekForPrev(RocksKeys.key(prefix, criteria.maxSequenceNr()));
                it.isValid() && RocksKeys.hasPrefix(it.key(), prefix);
                it.prev()) {
              long sequenceNr = RocksKeys.sequenceNr(it.key());
              if (sequenceNr < criteria.minSequenceNr()) {
                break;
              }
              byte[] value = it.value();
              if (criteria.matches(
                  new SnapshotMetadata(
                      persistenceId, sequenceNr, RocksCodec.snapshotTimestamp(value)))) {
                return Optional.of(new StoredSnapshot(sequenceNr, value));
              }
            }
            status(it);
          }
          return Optional.empty();
        });
  }

  void saveSnapshot(String persistenceId, long sequenceNr, byte[] value) {
    guarded(
        () -> {
          try {
            db.put(
                snapshots,
                writeOptions,
                RocksKeys.key(RocksKeys.prefix(persistenceId), sequenceNr),
                value);
          } catch (RocksDBException e) {
            writeFailed(e);
            throw new IllegalStateException("RocksDB could not save a snapshot: " + e, e);
          }
          return null;
        });
  }

  /** Deletes the id's snapshots that match the criteria. */
  void deleteSnapshots(String persistenceId, SnapshotSelectionCriteria criteria) {
    guarded(
        () -> {
          byte[] prefix = RocksKeys.prefix(persistenceId);
          try (Slice end = new Slice(RocksKeys.end(prefix));
              ReadOptions options = new ReadOptions().setIterateUpperBound(end);
              RocksIterator it = db.newIterator(snapshots, options);
              WriteBatch batch = new WriteBatch()) {
            for (it.seek(RocksKeys.key(prefix, criteria.minSequenceNr()));
                it.isValid();
                it.next()) {
              long sequenceNr = RocksKeys.sequenceNr(it.key());
              if (sequenceNr > criteria.maxSequenceNr()) {
                break;
              }
              long timestamp = RocksCodec.snapshotTimestamp(it.value());
              if (criteria.matches(new SnapshotMetadata(persistenceId, sequenceNr, timestamp))) {
                batch.delete(snapshots, it.key());
              }
            }
            status(it);
            db.write(writeOptions, batch);
          } catch (RocksDBException e) {
            writeFailed(e);
            throw new IllegalStateException("RocksDB could not delete snapshots: " + e, e);
          }
          return null;
        });
  }

  void deleteSnapshot(String persistenceId, long sequenceNr) {
    guarded(
        () -> {
          try {
            db.delete(
                snapshots,
                writeOptions,
                RocksKeys.key(RocksKeys.prefix(persistenceId), sequenceNr));
          } catch (RocksDBException e) {
            writeFailed(e);
            throw new IllegalStateException("RocksDB could not delete a snapshot: " + e, e);
          }
          return null;
        });
  }

  byte[] get(ColumnFamilyHandle family, byte[] key) {
    try {
      return db.get(family, key);
    } catch (RocksDBException e) {
      throw new IllegalStateException("RocksDB read failed: " + e, e);
    }
  }

  private static void status(RocksIterator it) {
    try {
      it.status();
    } catch (RocksDBException e) {
      throw new IllegalStateException("RocksDB read failed: " + e, e);
    }
  }

  /**
   * Tells the store that a write failed, from inside guarded() (so on the database that failed): an
   * I/O error has it reopened, once there seems to be room for that.
   */
  void writeFailed(RocksDBException e) {
    if (noSpace(e)) {
      outOfSpace = true;
    }
    if (e.getStatus() == null || e.getStatus().getCode() == Status.Code.IOError) {
      reopener.needed(e, generation);
    }
  }

  /** Tells the store that a write succeeded. */
  void writeSucceeded() {
    if (outOfSpace) {
      outOfSpace = false;
    }
  }

  /** Whether the last write failed for want of space (and none succeeded since). */
  boolean outOfSpace() {
    return outOfSpace;
  }

  static boolean noSpace(RocksDBException e) {
    return (e.getStatus() != null && e.getStatus().getSubCode() == Status.SubCode.NoSpace)
        || String.valueOf(e.getMessage()).contains("No space left on device");
  }

  /** Databases opened so far: 1, plus one for each reopen; call inside guarded(). */
  long generation() {
    return generation;
  }

  /**
   * Closes the database and opens it again on the same directory, waiting for running accesses (new
   * ones wait meanwhile). Opening replays the write-ahead log, so every acknowledged write is kept,
   * and clears the background error that made RocksDB refuse writes. If opening fails (it writes:
   * the log's contents into table files, a new log), the database is opened read-only, which writes
   * nothing, so that reads go on while writes fail until a later call succeeds; if even that fails,
   * the store has no database meanwhile and accesses fail as if it were closed.
   *
   * @param ofGeneration the generation that failed: if the store was reopened for writing since,
   *     nothing is done
   * @return false if nothing was done (closed, or reopened since)
   * @throws RocksDBException why it could not be opened for writing
   */
  boolean reopen(long ofGeneration) throws RocksDBException {
    lifecycle.writeLock().lock();
    try {
      if (closed || (db != null && !readOnly && generation != ofGeneration)) {
        return false;
      }
      if (db != null) {
        closeDatabase();
      }
      generation++;
      List<ColumnFamilyHandle> opened = new ArrayList<>();
      try {
        use(RocksDB.open(dbOptions, dir.toString(), descriptors, opened), opened);
        readOnly = false;
        return true;
      } catch (RocksDBException | RuntimeException e) {
        opened.forEach(ColumnFamilyHandle::close);
        opened.clear();
        try {
          use(RocksDB.openReadOnly(dbOptions, dir.toString(), descriptors, opened), opened);
          readOnly = true;
        } catch (RocksDBException | RuntimeException readOnlyFailure) {
          opened.forEach(ColumnFamilyHandle::close);
          e.addSuppressed(readOnlyFailure);
        }
        throw e;
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  /** Closes the database and forgets it, whatever RocksDB says: it is not used again. */
  private void closeDatabase() {
    RocksDB failed = db;
    List<ColumnFamilyHandle> failedHandles = handles;
    db = null;
    handles = null;
    events = null;
    highest = null;
    snapshots = null;
    failedHandles.forEach(ColumnFamilyHandle::close);
    try {
      failed.closeE();
    } catch (RocksDBException e) {
      // It reports the background error it kept; the handle is freed all the same.
    }
  }

  /**
   * Closes the database once running reads are done; later calls fail. The writer must have stopped
   * first (RocksStores closes it before).
   */
  @Override
  public void close() {
    reopener.stop();
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      if (db == null) {
        closeOptions();
        return;
      }
      try {
        // Writes in process mode are in the OS already; this makes a clean stop power-safe too.
        db.syncWal();
      } catch (RocksDBException e) {
        // Closing still flushes what it can; nothing acknowledged depends on this sync.
      }
      handles.forEach(ColumnFamilyHandle::close);
      try {
        db.closeE();
      } catch (RocksDBException e) {
        throw new IllegalStateException("RocksDB did not close cleanly: " + e, e);
      } finally {
        closeOptions();
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  private void closeOptions() {
    writeOptions.close();
    cfOptions.close();
    dbOptions.close();
    writeBuffers.close();
    cache.close();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
