package io.actorgrid.grid.internal.rocks;

import com.typesafe.config.Config;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.persistence.query.ReadJournalProvider;

/** Pekko Persistence Query's entry point to the read journal ({@code actorgrid-rocksdb.query}). */
public final class RocksReadJournalProvider implements ReadJournalProvider {
  private final RocksReadJournal scaladsl;
  private final RocksJavaReadJournal javadsl;

  public RocksReadJournalProvider(ExtendedActorSystem system, Config config) {
    EventsQuery query = new EventsQuery(RocksPersistence.get(system));
    this.scaladsl = new RocksReadJournal(query);
    this.javadsl = new RocksJavaReadJournal(query);
  }

  @Override
  public RocksReadJournal scaladslReadJournal() {
    return scaladsl;
  }

  @Override
  public RocksJavaReadJournal javadslReadJournal() {
    return javadsl;
  }
}
