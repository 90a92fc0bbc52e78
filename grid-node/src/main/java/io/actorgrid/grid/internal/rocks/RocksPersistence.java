package io.actorgrid.grid.internal.rocks;

import java.util.concurrent.Executor;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionId;
import org.apache.pekko.actor.ExtensionIdProvider;

/*
 * The one RocksDB store of an actor system, shared by its journal, snapshot store and read
 * journal plugins: the first of them to start opens it.
 *
 * It closes when the actor system has terminated, the last step of coordinated shutdown: every
 * actor, the partitions and the journal included, has stopped by then, so no write can follow.
 * The writer first commits whatever is still queued, then the database closes.
 */
public final class RocksPersistence implements Extension {
  public static final Id ID = new Id();

  /** The extension's id, as Pekko's extension mechanism wants it. */
  public static final class Id extends AbstractExtensionId<RocksPersistence>
      implements ExtensionIdProvider {
    private Id() {}

    @Override
    public RocksPersistence createExtension(ExtendedActorSystem system) {
      return new RocksPersistence(system);
    }

    @Override
    public ExtensionId<RocksPersistence> lookup() {
      return ID;
    }
  }

  private final RocksSettings settings;
  private final RocksStore store;
  private final ChangeNotifier notifier = new ChangeNotifier();
  private final RocksWriter writer;
  private final RocksCodec codec;
  private final Executor blocking;

  private RocksPersistence(ExtendedActorSystem system) {
    this.settings = RocksSettings.from(system.settings().config());
    this.codec = new RocksCodec(system);
    this.blocking = system.dispatchers().lookup(settings.dispatcher());
    this.store = RocksStore.open(settings.dir(), settings.durability(), settings.memoryBudget());
    this.writer = new RocksWriter(store, notifier, settings.maxBatchRequests());
    system.registerOnTermination(this::close);
    system
        .log()
        .info(
            "RocksDB journal opened in {} (durability {})",
            settings.dir(),
            settings.durability().name().toLowerCase(java.util.Locale.ROOT));
  }

  public static RocksPersistence get(ActorSystem system) {
    return ID.get(system);
  }

  /** The store's meters: group commits, what they carry, native memory and file sizes. */
  public void registerMetrics(io.actorgrid.grid.internal.GridMetrics metrics) {
    metrics.counter(
        "actorgrid.rocksdb.commits",
        "Group commits of the RocksDB journal: write batches written (one fsync each in fsync"
            + " durability)",
        writer::commits);
    metrics.counter(
        "actorgrid.rocksdb.commit.requests",
        "Journal requests (one partition's persist each) in the RocksDB journal's group commits;"
            + " over actorgrid_rocksdb_commits: requests per commit",
        writer::committedRequests);
    metrics.gauge(
        "actorgrid.rocksdb.memory.bytes",
        "Native memory of RocksDB's block cache and memtables (outside the Java heap)",
        store::memoryBytes);
    metrics.gauge(
        "actorgrid.rocksdb.memory.budget.bytes",
        "The most native memory RocksDB's block cache and memtables may take (memory-budget)",
        settings::memoryBudget);
    metrics.gauge(
        "actorgrid.rocksdb.table.bytes",
        "Bytes of the RocksDB journal's table files (the write-ahead log not included)",
        store::tableFileBytes);
  }

  /**
   * Whether the journal's last write failed for want of space ("No space left on device"), with no
   * write succeeding since: RocksDB can fail so while the disk still shows some room free.
   */
  public boolean outOfSpace() {
    return store.outOfSpace();
  }

  RocksSettings settings() {
    return settings;
  }

  RocksStore store() {
    return store;
  }

  RocksWriter writer() {
    return writer;
  }

  ChangeNotifier notifier() {
    return notifier;
  }

  RocksCodec codec() {
    return codec;
  }

  /** Where blocking reads and snapshot writes run: never Pekko's default dispatcher. */
  Executor blocking() {
    return blocking;
  }

  private void close() {
    writer.stop();
    store.close();
    // The actor system's logging has stopped by now.
    org.slf4j.LoggerFactory.getLogger(RocksPersistence.class)
        .info(
            "RocksDB journal in {} closed after {} group commits of {} journal requests",
            settings.dir(),
            writer.commits(),
            writer.committedRequests());
  }
}
