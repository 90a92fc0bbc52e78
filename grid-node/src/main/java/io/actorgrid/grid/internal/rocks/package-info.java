/**
 * An embedded Pekko Persistence journal, snapshot store and read journal on RocksDB, selected with
 * {@code actorgrid.journal.type = "rocksdb"}. Start with {@link
 * io.actorgrid.grid.internal.rocks.RocksStore} (the key layout) and {@link
 * io.actorgrid.grid.internal.rocks.RocksWriter} (group commit); the plugins are {@link
 * io.actorgrid.grid.internal.rocks.RocksJournal}, {@link
 * io.actorgrid.grid.internal.rocks.RocksSnapshotStore} and {@link
 * io.actorgrid.grid.internal.rocks.RocksReadJournalProvider}.
 */
package io.actorgrid.grid.internal.rocks;
