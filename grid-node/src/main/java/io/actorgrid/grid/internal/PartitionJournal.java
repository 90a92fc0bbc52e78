package io.actorgrid.grid.internal;

import io.actorgrid.serialization.CborSerializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/*
 * The event-sourced half of a partition: it decides and persists batches of writes.
 *
 * A typed event-sourced behaviour stashes every command while it persists, so on its own it
 * would write one event at a time. The partition actor in front of it (Partition) therefore
 * queues writes while a batch is in flight and sends the queue as the next batch: all events of a
 * batch go to the journal as one atomic write, and each write is acknowledged only after that
 * write has completed. Every reply carries the new immutable state, from which the partition
 * actor answers reads without waiting for the journal.
 *
 * Preconditions are checked here, against the state that includes every earlier event of the
 * batch, so that a check and its write are one atomic step.
 *
 * Snapshots are sized by bytes, not by event count: a snapshot is taken once the events written
 * since the last one weigh half as much as the state (and at least minSnapshotBytes). A recovery
 * thus replays at most half a state's worth of events after the snapshot it loads, and snapshots
 * cost a bounded multiple of the event bytes. (With a whole state's worth as the bar, a partition
 * that only ever inserts new keys never reached it: its events weigh just what its state does.)
 */
public final class PartitionJournal
    extends EventSourcedBehaviorWithEnforcedReplies<
        PartitionJournal.Command, PartitionEvent, PartitionState> {

  public sealed interface Command extends CborSerializable {}

  /** Decide and persist these writes in order; reply once all their events are durable. */
  public record ApplyBatch(List<WriteOp> ops, long now, ActorRef<BatchApplied> replyTo)
      implements Command {}

  /** One outcome per write of the batch, in order, and the state after the batch. */
  public record BatchApplied(List<WriteOutcome> outcomes, PartitionState state)
      implements CborSerializable {}

  /** Sent to the partition actor when recovery has completed. */
  public record Recovered(PartitionState state) implements CborSerializable {}

  private final ActorRef<Recovered> onRecovered;
  private final long minSnapshotBytes;
  // Confined to this actor: bytes of events applied since the last snapshot (replayed ones too).
  private long bytesSinceSnapshot;

  private PartitionJournal(
      PersistenceId persistenceId, ActorRef<Recovered> onRecovered, long minSnapshotBytes) {
    super(persistenceId);
    this.onRecovered = onRecovered;
    this.minSnapshotBytes = minSnapshotBytes;
  }

  public static PartitionJournal create(
      PersistenceId persistenceId, ActorRef<Recovered> onRecovered, long minSnapshotBytes) {
    return new PartitionJournal(persistenceId, onRecovered, minSnapshotBytes);
  }

  @Override
  public PartitionState emptyState() {
    return PartitionState.EMPTY;
  }

  @Override
  public CommandHandlerWithReply<Command, PartitionEvent, PartitionState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(ApplyBatch.class, this::onApplyBatch)
        .build();
  }

  private org.apache.pekko.persistence.typed.javadsl.ReplyEffect<PartitionEvent, PartitionState>
      onApplyBatch(PartitionState state, ApplyBatch batch) {
    List<WriteOutcome> outcomes = new ArrayList<>(batch.ops().size());
    List<PartitionEvent> events = new ArrayList<>(batch.ops().size());
    // Versions of the records this batch has already changed, 0 for deleted.
    Map<MapKey, Long> changed = new HashMap<>();
    long version = state.lastVersion();
    for (WriteOp op : batch.ops()) {
      MapKey id = new MapKey(op.map(), op.key());
      Long overlay = changed.get(id);
      long current = overlay != null ? overlay : state.versionOf(op.map(), op.key());
      if (!WriteOp.satisfied(op.expected(), current)) {
        outcomes.add(new WriteOutcome(WriteOutcome.Status.PRECONDITION_FAILED, current));
      } else if (op instanceof WriteOp.Put put) {
        version++;
        events.add(
            new PartitionEvent.EntryPut(
                put.map(), put.key(), put.value(), put.contentType(), current, batch.now()));
        outcomes.add(
            new WriteOutcome(
                current == 0 ? WriteOutcome.Status.CREATED : WriteOutcome.Status.UPDATED,
                version));
        changed.put(id, version);
      } else if (current == 0) {
        outcomes.add(new WriteOutcome(WriteOutcome.Status.NOT_FOUND, 0));
      } else {
        version++;
        events.add(new PartitionEvent.EntryDeleted(op.map(), op.key(), current, batch.now()));
        outcomes.add(new WriteOutcome(WriteOutcome.Status.DELETED, version));
        changed.put(id, 0L);
      }
    }
    if (events.isEmpty()) {
      return Effect().reply(batch.replyTo(), new BatchApplied(outcomes, state));
    }
    return Effect()
        .persist(events)
        .thenReply(batch.replyTo(), newState -> new BatchApplied(outcomes, newState));
  }

  @Override
  public EventHandler<PartitionState, PartitionEvent> eventHandler() {
    return (state, event) -> {
      bytesSinceSnapshot += weightOf(event);
      return state.apply(event, state.lastVersion() + 1);
    };
  }

  @Override
  public boolean shouldSnapshot(PartitionState state, PartitionEvent event, long sequenceNr) {
    if (bytesSinceSnapshot >= Math.max(minSnapshotBytes, state.weight() / 2)) {
      bytesSinceSnapshot = 0;
      return true;
    }
    return false;
  }

  @Override
  public SignalHandler<PartitionState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> onRecovered.tell(new Recovered(state)))
        .build();
  }

  private static long weightOf(PartitionEvent event) {
    long base = 48L + event.key().length() * 2L;
    return event instanceof PartitionEvent.EntryPut put ? base + put.value().length : base;
  }

  private record MapKey(String map, String key) {}
}
