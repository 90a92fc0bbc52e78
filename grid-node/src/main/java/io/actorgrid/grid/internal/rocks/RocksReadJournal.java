package io.actorgrid.grid.internal.rocks;

import org.apache.pekko.NotUsed;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.scaladsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.scaladsl.EventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.scaladsl.ReadJournal;
import org.apache.pekko.stream.scaladsl.Source;

/**
 * The read journal ({@code actorgrid-rocksdb.query}) for Scala callers; {@link
 * RocksJavaReadJournal} is the same for Java. Queries by persistence id only: events are not
 * tagged, and there is no global offset.
 *
 * <p>{@code currentEventsByPersistenceId} emits the id's stored events from {@code from} to {@code
 * to} (inclusive, either may be {@code Long.MAX_VALUE}) and completes at the highest sequence
 * number written when it started. {@code eventsByPersistenceId} goes on emitting events as they are
 * written, soon after each commit, until it reaches {@code to}. Events deleted by {@code
 * deleteMessagesTo} are skipped; each envelope's offset is its sequence number.
 */
public final class RocksReadJournal
    implements ReadJournal, CurrentEventsByPersistenceIdQuery, EventsByPersistenceIdQuery {
  /** The plugin id of the read journal. */
  public static final String IDENTIFIER = "actorgrid-rocksdb.query";

  private final EventsQuery query;

  RocksReadJournal(EventsQuery query) {
    this.query = query;
  }

  @Override
  public Source<EventEnvelope, NotUsed> currentEventsByPersistenceId(
      String persistenceId, long fromSequenceNr, long toSequenceNr) {
    return query.events(persistenceId, fromSequenceNr, toSequenceNr, false).asScala();
  }

  @Override
  public Source<EventEnvelope, NotUsed> eventsByPersistenceId(
      String persistenceId, long fromSequenceNr, long toSequenceNr) {
    return query.events(persistenceId, fromSequenceNr, toSequenceNr, true).asScala();
  }
}
