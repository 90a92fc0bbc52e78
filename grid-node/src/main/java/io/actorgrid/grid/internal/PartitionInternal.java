package io.actorgrid.grid.internal;

/**
 * The messages a {@link Partition} sends itself: its timers, its journal child and its adapters.
 * They never leave the node.
 */
sealed interface PartitionInternal extends PartitionProtocol.Command {

  record JournalRecovered(PartitionState state) implements PartitionInternal {}

  record JournalApplied(PartitionJournal.BatchApplied result) implements PartitionInternal {}

  enum JournalStopped implements PartitionInternal {
    INSTANCE
  }

  enum ExpiryDue implements PartitionInternal {
    INSTANCE
  }

  enum ExpiryApplied implements PartitionInternal {
    INSTANCE
  }

  enum RejoinJournal implements PartitionInternal {
    INSTANCE
  }

  enum RetentionDue implements PartitionInternal {
    INSTANCE
  }

  /** Retention no longer keeps the events up to {@code upTo} (0: it keeps all). */
  record RetentionCut(long upTo) implements PartitionInternal {}
}
