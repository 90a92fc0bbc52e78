package io.actorgrid.grid.internal;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.persistence.DeleteMessagesFailure;
import org.apache.pekko.persistence.DeleteSnapshotsFailure;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.SnapshotProtocol;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what a partition's journal no longer needs, through the node's journal and snapshot store
 * plugins: older snapshots and the events history retention no longer keeps. A failed deletion is
 * logged and made again after the partition's next snapshot.
 */
final class JournalCleanup implements PartitionJournal.Cleanup {
  private static final Logger log = LoggerFactory.getLogger(JournalCleanup.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final String persistenceId;
  private final ActorRef journal;
  private final ActorRef snapshots;

  JournalCleanup(ActorSystem<?> system, String persistenceId) {
    this.persistenceId = persistenceId;
    Persistence persistence = Persistence.get(Adapter.toClassic(system));
    this.journal = persistence.journalFor("", ConfigFactory.empty());
    this.snapshots = persistence.snapshotStoreFor("", ConfigFactory.empty());
  }

  @Override
  public void snapshotsBefore(long sequenceNr) {
    Patterns.ask(
            snapshots,
            new SnapshotProtocol.DeleteSnapshots(
                persistenceId, SnapshotSelectionCriteria.create(sequenceNr - 1, Long.MAX_VALUE)),
            TIMEOUT)
        .whenComplete(
            (reply, error) -> {
              Object failure = failure(reply, error);
              if (failure != null) {
                log.warn(
                    "Could not delete the snapshots of {} before sequence number {}: {}",
                    persistenceId,
                    sequenceNr,
                    failure);
              }
            });
  }

  @Override
  public void eventsUpTo(long sequenceNr) {
    Patterns.askWithReplyTo(
            journal,
            replyTo -> new JournalProtocol.DeleteMessagesTo(persistenceId, sequenceNr, replyTo),
            TIMEOUT)
        .whenComplete(
            (reply, error) -> {
              Object failure = failure(reply, error);
              if (failure != null) {
                log.warn(
                    "Could not delete the events of {} up to sequence number {}: {}",
                    persistenceId,
                    sequenceNr,
                    failure);
              } else {
                log.debug(
                    "Deleted the events of {} up to {} (history retention)",
                    persistenceId,
                    sequenceNr);
              }
            });
  }

  /** Why a deletion failed (the ask's error or the plugin's failure reply), or null. */
  private static Object failure(Object reply, Throwable error) {
    if (error != null) {
      return error;
    }
    if (reply instanceof DeleteSnapshotsFailure f) {
      return f.cause();
    }
    return reply instanceof DeleteMessagesFailure f ? f.cause() : null;
  }
}
