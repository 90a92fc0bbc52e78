package io.actorgrid.grid.internal;

import io.actorgrid.serialization.CborSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotCompleted;
import org.apache.pekko.persistence.typed.SnapshotFailed;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
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
 * Every decision is made here (by BatchDecider), against the state that includes every earlier
 * event of the batch, so that a check and its write are one atomic step: preconditions, merge
 * patches and counter increments (computed from the current value, so concurrent ones never lose
 * an update), expiry (a record past its time gets its EntryExpired event before anything else
 * touches it), and idempotency (a retried request finds the record its first attempt left and gets
 * that outcome; a keyed write that changed nothing leaves a RequestNoted event for that purpose).
 *
 * Snapshots are sized by bytes, not by event count: a snapshot is taken once the events written
 * since the last one weigh half as much as the state (and at least minSnapshotBytes). A recovery
 * thus replays at most half a state's worth of events after the snapshot it loads, and snapshots
 * cost a bounded multiple of the event bytes. (With a whole state's worth as the bar, a partition
 * that only ever inserts new keys never reached it: its events weigh just what its state does.)
 *
 * Once a snapshot is saved the older ones are deleted: recovery loads only the latest, and a
 * partition's snapshots would otherwise fill the disk. Events are kept as long as history
 * retention keeps them: a HistoryTruncated event marks the point (the partition decides it, see
 * HistoryRetention), a snapshot follows it at once, and once that snapshot is saved the events up
 * to the point are deleted - only ever a prefix, below the snapshot recovery loads, since
 * pekko-persistence-jdbc 1.1.x stops a replay at a gap in the middle of a log (a gap at its head it
 * crosses).
 */
public final class PartitionJournal
    extends EventSourcedBehaviorWithEnforcedReplies<
        PartitionJournal.Command, PartitionEvent, PartitionState> {

  public sealed interface Command extends CborSerializable {}

  /**
   * Decide and persist these writes in order; reply once all their events are durable. {@code
   * writeIds} holds each operation's internal write id, index for index (0: none); null when no
   * operation has one. An operation whose id the state remembers is answered with its first outcome
   * and not applied again (see {@link RecentWrites}).
   */
  public record ApplyBatch(
      List<WriteOp> ops, long[] writeIds, long now, ActorRef<BatchApplied> replyTo)
      implements Command {
    public ApplyBatch(List<WriteOp> ops, long now, ActorRef<BatchApplied> replyTo) {
      this(ops, null, now, replyTo);
    }

    long writeIdOf(int index) {
      return writeIds == null ? 0 : writeIds[index];
    }
  }

  /**
   * One outcome per write of the batch, in order, the state after the batch, and how many events
   * the batch wrote in its one journal write (0: it changed nothing and wrote nothing), and those
   * events ({@code written}; the first's sequence number is {@code state.lastVersion() - events +
   * 1}).
   */
  public record BatchApplied(
      List<WriteOutcome> outcomes, PartitionState state, int events, List<PartitionEvent> written)
      implements CborSerializable {
    public BatchApplied(List<WriteOutcome> outcomes, PartitionState state, int events) {
      this(outcomes, state, events, List.of());
    }
  }

  /** Sent to the partition actor when recovery has completed. */
  public record Recovered(PartitionState state) implements CborSerializable {}

  /** What the journal no longer needs once a snapshot is saved. */
  public interface Cleanup {
    Cleanup NONE =
        new Cleanup() {
          @Override
          public void snapshotsBefore(long sequenceNr) {}

          @Override
          public void eventsUpTo(long sequenceNr) {}
        };

    /** Delete the partition's snapshots older than the one just saved at {@code sequenceNr}. */
    void snapshotsBefore(long sequenceNr);

    /** Delete the partition's events up to {@code sequenceNr}, which retention no longer keeps. */
    void eventsUpTo(long sequenceNr);
  }

  private final ActorRef<Recovered> onRecovered;
  private final Cleanup cleanup;
  private final long minSnapshotBytes;
  private final long requestWindowMillis;
  private final int maxRequests;
  private final long writeIdWindowMillis;
  private final int maxWriteIds;
  private final GridMetrics metrics;
  // Confined to this actor: bytes of events applied since the last snapshot (replayed ones too).
  private long bytesSinceSnapshot;
  // When the snapshot being saved was decided (System.nanoTime()), and the state's weight then.
  private long snapshotSince;
  private long snapshotWeight;

  private PartitionJournal(
      PersistenceId persistenceId,
      ActorRef<Recovered> onRecovered,
      Cleanup cleanup,
      long minSnapshotBytes,
      Duration requestWindow,
      int maxRequests,
      Duration writeIdWindow,
      int maxWriteIds,
      GridMetrics metrics) {
    super(persistenceId);
    this.writeIdWindowMillis = writeIdWindow.toMillis();
    this.maxWriteIds = maxWriteIds;
    this.onRecovered = onRecovered;
    this.cleanup = cleanup;
    this.minSnapshotBytes = minSnapshotBytes;
    this.requestWindowMillis = requestWindow.toMillis();
    this.maxRequests = maxRequests;
    this.metrics = metrics;
  }

  /**
   * @param requestWindow how long idempotency keys are remembered
   * @param maxRequests most idempotency keys remembered by this partition
   */
  public static PartitionJournal create(
      PersistenceId persistenceId,
      ActorRef<Recovered> onRecovered,
      long minSnapshotBytes,
      Duration requestWindow,
      int maxRequests) {
    return create(
        persistenceId,
        onRecovered,
        Cleanup.NONE,
        minSnapshotBytes,
        requestWindow,
        maxRequests,
        GridMetrics.disabled());
  }

  /** Internal write ids are remembered as the node's defaults have it (reference.conf). */
  static final Duration DEFAULT_WRITE_ID_WINDOW = Duration.ofSeconds(30);

  static final int DEFAULT_WRITE_IDS_MAX = 10_000;

  /**
   * As above, deleting older snapshots and reporting to {@code metrics}.
   *
   * @param cleanup called once a snapshot is saved, to delete the partition's older snapshots
   *     (recovery only ever loads the latest) and the events history retention no longer keeps
   * @param metrics where snapshots and expired records are reported
   */
  public static PartitionJournal create(
      PersistenceId persistenceId,
      ActorRef<Recovered> onRecovered,
      Cleanup cleanup,
      long minSnapshotBytes,
      Duration requestWindow,
      int maxRequests,
      GridMetrics metrics) {
    return create(
        persistenceId,
        onRecovered,
        cleanup,
        minSnapshotBytes,
        requestWindow,
        maxRequests,
        DEFAULT_WRITE_ID_WINDOW,
        DEFAULT_WRITE_IDS_MAX,
        metrics);
  }

  /**
   * As above, remembering internal write ids for {@code writeIdWindow}, at most {@code maxWriteIds}
   * (see {@link RecentWrites}).
   */
  public static PartitionJournal create(
      PersistenceId persistenceId,
      ActorRef<Recovered> onRecovered,
      Cleanup cleanup,
      long minSnapshotBytes,
      Duration requestWindow,
      int maxRequests,
      Duration writeIdWindow,
      int maxWriteIds,
      GridMetrics metrics) {
    return new PartitionJournal(
        persistenceId,
        onRecovered,
        cleanup,
        minSnapshotBytes,
        requestWindow,
        maxRequests,
        writeIdWindow,
        maxWriteIds,
        metrics);
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

  private ReplyEffect<PartitionEvent, PartitionState> onApplyBatch(
      PartitionState state, ApplyBatch batch) {
    BatchDecider decider = new BatchDecider(state, batch.now());
    List<WriteOutcome> outcomes = new ArrayList<>(batch.ops().size());
    for (int i = 0; i < batch.ops().size(); i++) {
      outcomes.add(decider.decide(batch.ops().get(i), batch.writeIdOf(i)));
    }
    int events = decider.events.size();
    if (events == 0) {
      return Effect().reply(batch.replyTo(), new BatchApplied(outcomes, state, 0));
    }
    int expired = 0;
    for (PartitionEvent event : decider.events) {
      if (event instanceof PartitionEvent.EntryExpired) {
        expired++;
      }
    }
    int expiredRecords = expired;
    return Effect()
        .persist(decider.events)
        .thenReply(
            batch.replyTo(),
            newState -> {
              if (expiredRecords > 0) {
                metrics.recordsExpired(expiredRecords);
              }
              return new BatchApplied(outcomes, newState, events, decider.events);
            });
  }

  @Override
  public EventHandler<PartitionState, PartitionEvent> eventHandler() {
    return (state, event) -> {
      bytesSinceSnapshot += weightOf(event);
      return state
          .apply(event, state.lastVersion() + 1)
          .forgetRequests(event.timestamp() - requestWindowMillis, maxRequests)
          .forgetWrites(event.timestamp() - writeIdWindowMillis, maxWriteIds);
    };
  }

  @Override
  public boolean shouldSnapshot(PartitionState state, PartitionEvent event, long sequenceNr) {
    // After a truncation, the snapshot lets the journal delete the events it no longer keeps.
    if (event instanceof PartitionEvent.HistoryTruncated
        || bytesSinceSnapshot >= Math.max(minSnapshotBytes, state.weight() / 2)) {
      bytesSinceSnapshot = 0;
      snapshotSince = System.nanoTime();
      snapshotWeight = state.weight();
      return true;
    }
    return false;
  }

  @Override
  public SignalHandler<PartitionState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> onRecovered.tell(new Recovered(state)))
        .onSignal(
            SnapshotCompleted.class,
            (state, completed) -> {
              metrics.snapshotSaved(System.nanoTime() - snapshotSince, snapshotWeight);
              long saved = completed.metadata().sequenceNr();
              cleanup.snapshotsBefore(saved);
              // Recovery starts from this snapshot, so events up to it may go; retention says
              // which. Repeated after each snapshot, so a deletion that failed is made again.
              long unkept = Math.min(state.historyStart() - 1, saved);
              if (unkept > 0) {
                cleanup.eventsUpTo(unkept);
              }
            })
        .onSignal(SnapshotFailed.class, (state, failed) -> metrics.snapshotFailed())
        .build();
  }

  private static long weightOf(PartitionEvent event) {
    long base = 48L + event.map().length() * 2L;
    if (event instanceof PartitionEvent.EntryPut put) {
      return base + put.key().length() * 2L + put.value().length;
    }
    if (event instanceof PartitionEvent.MapCleared cleared && cleared.keys() != null) {
      long keys = 0;
      for (String key : cleared.keys()) {
        keys += 8 + key.length() * 2L;
      }
      return base + keys;
    }
    return event instanceof PartitionEvent.RecordEvent record
        ? base + record.key().length() * 2L
        : base;
  }
}
