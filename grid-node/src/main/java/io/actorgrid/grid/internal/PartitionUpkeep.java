package io.actorgrid.grid.internal;

import io.actorgrid.grid.internal.PartitionProtocol.Command;
import io.actorgrid.grid.internal.PartitionProtocol.Outcomes;
import io.actorgrid.grid.internal.PartitionProtocol.Write;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/*
 * The writes a partition makes of its own accord, confined to its actor: expiry and history
 * retention. Each decides, from the partition's state, a Write that the partition queues behind
 * the clients' writes, so that both are events in the journal like any change.
 *
 * Expiry: reads treat a record as absent once its time has passed; a timer set for the earliest
 * expiry in the state then queues their removal (up to EXPIRY_BATCH records). On recovery the
 * timer is set again from the recovered state, so records that expired while no node held the
 * partition are removed then.
 *
 * Retention: every sweep interval, HistoryRetention finds the last event the partition no longer
 * keeps, and a TruncateHistory write records the cut (the journal deletes the events after the
 * snapshot that follows it).
 */
final class PartitionUpkeep {
  /** Most records one expiry round removes (one journal write). */
  private static final int EXPIRY_BATCH = 1000;

  /** The expiry timer never waits longer than this (the scheduler cannot wait for months). */
  private static final long MAX_EXPIRY_WAIT_MILLIS = 3_600_000;

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final int partition;
  private final HistoryRetention retention;
  private final ActorRef<Outcomes> expiryAdapter;
  // Epoch milliseconds the expiry timer is set for (Long.MAX_VALUE: not set), and whether an
  // expiry round is queued or in the journal.
  private long expiryTimerAt = Long.MAX_VALUE;
  private boolean expiring;
  // A retention sweep is looking for its cut.
  private boolean sweeping;

  PartitionUpkeep(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      int partition,
      HistoryRetention retention) {
    this.context = context;
    this.timers = timers;
    this.partition = partition;
    this.retention = retention;
    this.expiryAdapter =
        context.messageAdapter(Outcomes.class, o -> PartitionInternal.ExpiryApplied.INSTANCE);
  }

  /** The partition has recovered: expiry and retention start. */
  void start(PartitionState state) {
    scheduleExpiry(state);
    if (!retention.sweepInterval().isZero()) {
      timers.startTimerWithFixedDelay(
          PartitionInternal.RetentionDue.INSTANCE, retention.sweepInterval());
    }
  }

  /** The journal was lost: a round queued or a sweep under way will not complete. */
  void journalLost() {
    expiring = false;
    sweeping = false;
  }

  /** Sets the expiry timer for the earliest expiry, unless it is set earlier already. */
  void scheduleExpiry(PartitionState state) {
    long next = state.nextExpiry();
    if (expiring || next == Long.MAX_VALUE || next >= expiryTimerAt) {
      return;
    }
    long wait = Math.min(MAX_EXPIRY_WAIT_MILLIS, Math.max(0, next - System.currentTimeMillis()));
    expiryTimerAt = next;
    timers.startSingleTimer(PartitionInternal.ExpiryDue.INSTANCE, Duration.ofMillis(wait));
  }

  /**
   * The removal of records whose time has passed, to queue behind the writes waiting, or null when
   * none is due (or the partition is stopping). Reads already treat those records as absent; this
   * makes them leave memory and their history.
   */
  Write expiryDue(PartitionState state, boolean stopping) {
    expiryTimerAt = Long.MAX_VALUE;
    if (stopping) {
      return null;
    }
    List<WriteOp> due = new ArrayList<>(state.expiredAt(System.currentTimeMillis(), EXPIRY_BATCH));
    if (due.isEmpty()) {
      scheduleExpiry(state);
      return null;
    }
    expiring = true;
    return new Write(due, expiryAdapter);
  }

  void expiryApplied(PartitionState state) {
    expiring = false;
    scheduleExpiry(state);
  }

  /** Looks for the events retention no longer keeps; see {@link HistoryRetention}. */
  void retentionDue(PartitionState state, boolean stopping) {
    if (sweeping || stopping) {
      return;
    }
    sweeping = true;
    context.pipeToSelf(
        retention.cut(partition, state, System.currentTimeMillis()),
        (upTo, error) -> {
          if (error != null) {
            context
                .getLog()
                .warn(
                    "Partition {} could not read its journal for retention: {}", partition, error);
            return new PartitionInternal.RetentionCut(0);
          }
          return new PartitionInternal.RetentionCut(upTo);
        });
  }

  /**
   * The truncation to queue in order with the writes, so the removals it forgets are forgotten on
   * replay too, or null when there is nothing to cut.
   */
  Write retentionCut(PartitionInternal.RetentionCut cut, PartitionState state, boolean stopping) {
    sweeping = false;
    if (cut.upTo() < state.historyStart() || stopping) {
      return null;
    }
    context
        .getLog()
        .info(
            "Partition {} no longer keeps its events {} to {} (history retention); they are"
                + " deleted after the next snapshot",
            partition,
            state.historyStart(),
            cut.upTo());
    // No reply: a sweep that comes before this is applied asks for no more than this (the
    // journal actor ignores a truncation the state already has).
    return new Write(
        List.of(new WriteOp.TruncateHistory(cut.upTo())), context.getSystem().ignoreRef());
  }
}
