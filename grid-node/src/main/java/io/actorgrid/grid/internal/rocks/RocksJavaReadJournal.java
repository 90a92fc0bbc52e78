package io.actorgrid.grid.internal.rocks;

import org.apache.pekko.NotUsed;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.EventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.stream.javadsl.Source;

/** The read journal for Java callers; its queries are those of {@link RocksReadJournal}. */
public final class RocksJavaReadJournal
    implements ReadJournal, CurrentEventsByPersistenceIdQuery, EventsByPersistenceIdQuery {
  private final EventsQuery query;

  RocksJavaReadJournal(EventsQuery query) {
    this.query = query;
  }

  @Override
  public Source<EventEnvelope, NotUsed> currentEventsByPersistenceId(
      String persistenceId, long fromSequenceNr, long toSequenceNr) {
    return query.events(persistenceId, fromSequenceNr, toSequenceNr, false);
  }

  @Override
  public Source<EventEnvelope, NotUsed> eventsByPersistenceId(
      String persistenceId, long fromSequenceNr, long toSequenceNr) {
    return query.events(persistenceId, fromSequenceNr, toSequenceNr, true);
  }
}
