package io.actorgrid.grid.internal;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Reads the events of a partition's journal, by sequence number, through the node's read journal
 * ({@code currentEventsByPersistenceId}, which every journal here implements). Any node can read
 * any partition: the journal is shared (or, for H2, this node's only).
 *
 * <p>Each partition's log has no gaps but where events were deleted (retention deletes a prefix): a
 * read from below the lowest kept event starts at that event.
 */
public final class JournalReader {
  /** An event and the sequence number at which the journal holds it (its version). */
  public record StoredEvent(long sequenceNr, PartitionEvent event) {}

  private final ActorSystem<?> system;
  private final CurrentEventsByPersistenceIdQuery query;

  private JournalReader(ActorSystem<?> system, CurrentEventsByPersistenceIdQuery query) {
    this.system = system;
    this.query = query;
  }

  public static JournalReader create(ActorSystem<?> system, GridSettings settings) {
    return new JournalReader(
        system,
        PersistenceQuery.get(system)
            .getReadJournalFor(
                CurrentEventsByPersistenceIdQuery.class, settings.journal().readJournalPluginId()));
  }

  /**
   * Up to {@code max} events of {@code partition} with sequence numbers from {@code from} to {@code
   * to} (both included), in order.
   */
  public CompletionStage<List<StoredEvent>> read(int partition, long from, long to, int max) {
    return query
        .currentEventsByPersistenceId(Partition.persistenceId(partition).id(), from, to)
        .take(max)
        .map(JournalReader::stored)
        .runWith(Sink.seq(), system);
  }

  private static StoredEvent stored(EventEnvelope envelope) {
    return new StoredEvent(envelope.sequenceNr(), (PartitionEvent) envelope.event());
  }
}
