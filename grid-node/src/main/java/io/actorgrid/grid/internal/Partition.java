package io.actorgrid.grid.internal;

import io.actorgrid.grid.internal.PartitionInternal.ExpiryApplied;
import io.actorgrid.grid.internal.PartitionInternal.ExpiryDue;
import io.actorgrid.grid.internal.PartitionInternal.JournalApplied;
import io.actorgrid.grid.internal.PartitionInternal.JournalRecovered;
import io.actorgrid.grid.internal.PartitionInternal.JournalStopped;
import io.actorgrid.grid.internal.PartitionInternal.RejoinJournal;
import io.actorgrid.grid.internal.PartitionInternal.RetentionCut;
import io.actorgrid.grid.internal.PartitionInternal.RetentionDue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;

/*
 * A partition of the grid: the cluster-sharded entity that owns every record whose (map, key)
 * hashes to it (see Partitioner). There is one entity per partition and one shard per entity, so
 * sharding places and moves partitions one by one.
 *
 * The entity is a front for its event-sourced child, PartitionJournal. It answers reads at once
 * from the last state the journal confirmed as durable, so reads never wait behind writes: a
 * write that is not yet acknowledged is not visible, and one that is acknowledged is. Writes
 * queue while a batch is in the journal and go as the next batch when it completes (group
 * commit, WriteQueue), so a busy partition makes one journal write per round trip instead of one
 * per event. Its messages are in PartitionProtocol, those it sends itself in PartitionInternal; the
 * reads it answers from its state are in PartitionReads, its refusals in PartitionRefusals.
 *
 * A Write carries one or more operations (a batch's items for this partition); its operations
 * always go to the journal together, in one atomic write. A Write that only reads is answered from
 * the state at once.
 *
 * Records with a time to live, and history retention: the partition queues their removal as
 * writes of its own behind the waiting ones (PartitionUpkeep), so each is an event in the journal.
 *
 * Each partition publishes the map settings it holds (as the home partition of those maps) to every
 * node's MapSettingsDirectory when it has recovered and after each change, so that writes never ask
 * a map's home partition for its settings.
 *
 * When sharding moves the partition (a rebalance, a node leaving), it sends HandOff: the partition
 * answers the writes it holds, after their journal write, before it stops. A partition still
 * recovering answers the requests it stashed as unavailable; so does one whose stash is full.
 *
 * If the journal child stops (a journal write or a recovery failed), the partition answers every
 * write it holds as UNAVAILABLE (such a write may or may not be in the journal: it was never
 * acknowledged) and stops too; sharding starts it again, recovering from the journal, on the next
 * message.
 *
 * After each journal write the partition publishes the events written to the change feeds'
 * hubs (ChangeHub), only once the journal holds them, and it tells a feed starting "now" the
 * sequence number of its last event (GetLastSequenceNr).
 *
 * The partition reports to the node's GridMetrics: its recovery time, each journal round trip
 * (ApplyBatch to BatchApplied) with its event count, its queue length and idempotency keys, and
 * every request it refuses. It logs, at INFO, when it has recovered on this node (after a start,
 * a failover or a rebalance) and when it is handed off.
 */
public final class Partition implements PartitionProtocol {
  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "Partition");

  /** How long a change of settings waits for every node to take it (it is not awaited). */
  private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(3);

  /** The sharded entity definition, with one shard per partition. */
  public static Entity<Command, ShardingEnvelope<Command>> entity(
      GridSettings settings, GridMetrics metrics, HistoryRetention retention) {
    return Entity.of(
            TYPE_KEY,
            ctx ->
                PauseFence.guard(
                    Partition.create(
                        Integer.parseInt(ctx.getEntityId()), settings, metrics, retention)))
        .withMessageExtractor(new OneShardPerPartition())
        .withStopMessage(HandOff.INSTANCE);
  }

  /** A partition that reports no metrics. */
  public static Behavior<Command> create(int partition, GridSettings settings) {
    return create(partition, settings, GridMetrics.disabled());
  }

  /** A partition that keeps its whole history. */
  public static Behavior<Command> create(
      int partition, GridSettings settings, GridMetrics metrics) {
    return create(partition, settings, metrics, HistoryRetention.KEEP_EVERYTHING);
  }

  public static Behavior<Command> create(
      int partition, GridSettings settings, GridMetrics metrics, HistoryRetention retention) {
    return Behaviors.withStash(
        settings.maxPendingWrites(),
        stash ->
            Behaviors.withTimers(
                timers ->
                    Behaviors.setup(
                        ctx ->
                            new Partition(
                                    ctx, stash, timers, partition, settings, metrics, retention)
                                .recovering())));
  }

  private final ActorContext<Command> context;
  private final StashBuffer<Command> stash;
  private final TimerScheduler<Command> timers;
  private final int partition;
  private final int maxPendingWrites;
  private final MemoryGuard memory;
  private ActorRef<PartitionJournal.Command> journal;
  private final java.util.function.Supplier<Behavior<PartitionJournal.Command>> newJournal;
  // Journals lost in a row while rejoining (for the backoff), and journals started (for names).
  private int journalFailures;
  private int journalsStarted;
  private final ActorRef<PartitionJournal.BatchApplied> appliedAdapter;
  private final PartitionUpkeep upkeep;
  private final GridMetrics metrics;
  private final PartitionRefusals refusals;
  private final ChangeHub changes;
  private final long startedNanos = System.nanoTime();
  private final WriteQueue writes;
  private final PauseFence fence;
  private final LocalPartitions localPartitions;
  // This partition's registration there while it serves here (null before recovery, after
  // hand-off).
  private LocalPartitions.Copy local;
  // The pauses the fence had noticed when the batch in flight went to the journal.
  private long pausesAtSend;
  private PartitionState state;
  // The requests answered from the last durable state, running or without a journal.
  private final PartitionReads reads;
  // Handed off: stop once the writes held are answered.
  private boolean stopping;

  private Partition(
      ActorContext<Command> context,
      StashBuffer<Command> stash,
      TimerScheduler<Command> timers,
      int partition,
      GridSettings settings,
      GridMetrics metrics,
      HistoryRetention retention) {
    this.context = context;
    this.metrics = metrics;
    this.refusals = new PartitionRefusals(metrics);
    this.stash = stash;
    this.timers = timers;
    this.partition = partition;
    this.reads = new PartitionReads(partition, () -> state);
    this.writes =
        new WriteQueue(
            settings.groupCommit() ? settings.maxBatch() : 1,
            settings.maxBatchBytes(),
            settings.maxBatchPartitionBytes());
    this.maxPendingWrites = settings.maxPendingWrites();
    this.memory = MemoryGuard.get(context.getSystem());
    this.changes = ChangeHub.get(context.getSystem());
    this.fence = PauseFence.get(context.getSystem());
    this.localPartitions = LocalPartitions.get(context.getSystem());
    this.appliedAdapter =
        context.messageAdapter(PartitionJournal.BatchApplied.class, JournalApplied::new);
    this.upkeep = new PartitionUpkeep(context, timers, partition, retention);
    ActorRef<PartitionJournal.Recovered> recoveredAdapter =
        context.messageAdapter(
            PartitionJournal.Recovered.class, r -> new JournalRecovered(r.state()));
    JournalCleanup cleanup = new JournalCleanup(context.getSystem(), persistenceId(partition).id());
    this.newJournal =
        () ->
            PartitionJournal.create(
                persistenceId(partition),
                recoveredAdapter,
                cleanup,
                settings.minSnapshotBytes(),
                settings.idempotencyWindow(),
                settings.idempotencyMaxKeys(),
                settings.writeIdWindow(),
                settings.writeIdsMax(),
                metrics);
    startJournal();
    metrics.partitionStarted();
  }

  /** Starts the event-sourced child, which recovers the partition's state from the journal. */
  private void startJournal() {
    journal = context.spawn(newJournal.get(), "journal-" + ++journalsStarted);
    context.watchWith(journal, JournalStopped.INSTANCE);
  }

  public static PersistenceId persistenceId(int partition) {
    return PersistenceId.of(TYPE_KEY.name(), Integer.toString(partition));
  }

  private Behavior<Command> recovering() {
    return Behaviors.receive(Command.class)
        .onMessage(
            JournalRecovered.class,
            msg -> {
              state = msg.state();
              local = localPartitions.register(partition, state);
              long nanos = System.nanoTime() - startedNanos;
              metrics.recovered(nanos);
              metrics.idempotencyKeys(partition, state.requestCount());
              context
                  .getLog()
                  .info(
                      "Partition {} recovered on this node in {} ms, at event {}; {} request(s)"
                          + " waited for it",
                      partition,
                      nanos / 1_000_000,
                      state.lastVersion(),
                      stash.size());
              upkeep.start(state);
              publishSettings(new Replicator.WriteMajority(PUBLISH_TIMEOUT));
              return stash.unstashAll(running());
            })
        .onMessageEquals(JournalStopped.INSTANCE, this::journalStopped)
        .onMessageEquals(
            HandOff.INSTANCE,
            () -> {
              context
                  .getLog()
                  .info(
                      "Partition {} handed off while recovering: refusing the {} requests it held",
                      partition,
                      stash.size());
              stash.forEach(m -> refusals.unavailable(m, GridMetrics.Unavailable.RECOVERING));
              return Behaviors.stopped();
            })
        .onAnyMessage(
            msg -> {
              if (!stash.isFull()) {
                stash.stash(msg);
              } else if (!refusals.unavailable(msg, GridMetrics.Unavailable.RECOVERING)) {
                // Not a request that can be refused (a ping, a count): its ask times out.
                context
                    .getLog()
                    .warn("Partition {} is recovering and its stash is full", partition);
              }
              return Behaviors.same();
            })
        .onSignal(PostStop.class, this::onStopped)
        .build();
  }

  private Behavior<Command> running() {
    return reads
        .addTo(Behaviors.receive(Command.class))
        .onMessage(Write.class, this::onWrite)
        .onMessage(JournalApplied.class, this::onApplied)
        .onMessageEquals(ExpiryDue.INSTANCE, () -> queueOwn(upkeep.expiryDue(state, stopping)))
        .onMessageEquals(
            ExpiryApplied.INSTANCE,
            () -> {
              upkeep.expiryApplied(state);
              return Behaviors.same();
            })
        .onMessageEquals(
            RetentionDue.INSTANCE,
            () -> {
              upkeep.retentionDue(state, stopping);
              return Behaviors.same();
            })
        .onMessage(RetentionCut.class, cut -> queueOwn(upkeep.retentionCut(cut, state, stopping)))
        .onMessageEquals(JournalStopped.INSTANCE, this::journalStopped)
        .onMessageEquals(HandOff.INSTANCE, this::onHandOff)
        .onSignal(PostStop.class, this::onStopped)
        .build();
  }

  private Behavior<Command> onStopped(PostStop signal) {
    withdrawLocal();
    metrics.partitionStopped(partition);
    return Behaviors.same();
  }

  /** This node's reads of the partition see {@link #state} from now on, if it serves them. */
  private void updateLocal() {
    if (local != null) {
      local.update(state);
    }
  }

  /** Reads through this node go through sharding from now on (see {@link LocalPartitions}). */
  private void withdrawLocal() {
    localPartitions.withdraw(partition, local);
    local = null;
  }

  private Behavior<Command> onHandOff() {
    withdrawLocal();
    context
        .getLog()
        .info(
            "Partition {} handed off: stopping on this node once the {} write(s) it holds are"
                + " answered",
            partition,
            writes.held());
    if (writes.idle()) {
      return Behaviors.stopped();
    }
    stopping = true;
    return Behaviors.same();
  }

  /**
   * Publishes the settings this partition holds to every node's {@link MapSettingsDirectory}. The
   * update response is ignored: a publication that does not reach a node in time reaches it by
   * gossip.
   */
  private void publishSettings(Replicator.WriteConsistency consistency) {
    MapSettingsDirectory.publish(
        context.getSystem(),
        partition,
        new MapSettingsDirectory.Published(state.lastVersion(), state.configs()),
        consistency,
        context.getSystem().ignoreRef());
  }

  private Behavior<Command> onWrite(Write write) {
    if (write.readOnly()) {
      long now = System.currentTimeMillis();
      write
          .replyTo()
          .tell(
              writes.fit(
                  write.ops().stream()
                      .map(op -> WriteOutcome.read(state.get(op.map(), op.key(), now).orElse(null)))
                      .toList()));
      return Behaviors.same();
    }
    if (writes.waiting() >= maxPendingWrites) {
      refusals.unavailable(write, GridMetrics.Unavailable.QUEUE_FULL);
      return Behaviors.same();
    }
    if (memory.refusing() && write.addsData() && !sentBefore(write)) {
      refusals.insufficientStorage(write, memory.reason());
      return Behaviors.same();
    }
    writes.add(write);
    sendNextBatch();
    metrics.queued(partition, writes.waiting());
    return Behaviors.same();
  }

  /**
   * Whether this write was sent before and its first attempt is applied or on its way: the memory
   * guard must not answer it "nothing done" (507) then; the journal answers its first outcome.
   */
  private boolean sentBefore(Write write) {
    if (write.writeId() == 0) {
      return false;
    }
    for (int i = 0; i < write.opCount(); i++) {
      if (state.recentWrite(write.idOf(i)).isPresent()) {
        return true;
      }
    }
    return writes.holds(write.writeId());
  }

  private Behavior<Command> onApplied(JournalApplied msg) {
    List<WriteOutcome> outcomes = msg.result().outcomes();
    if (fence.pauses() != pausesAtSend) {
      // The node paused while the batch was in the journal's hands: its events may have followed
      // a new copy's elsewhere (PauseFence). Written or not, it is not acknowledged.
      outcomes = java.util.Collections.nCopies(outcomes.size(), WriteOutcome.UNAVAILABLE);
      metrics.unavailable(GridMetrics.Unavailable.PAUSED);
    }
    state = msg.result().state();
    // Before the answers: a read through this node after an acknowledgement sees the write.
    updateLocal();
    if (msg.result().events() > 0) {
      // Only now, with the events in the journal, may change feeds see them.
      changes.publish(
          partition, state.lastVersion() - msg.result().events() + 1, msg.result().written());
      // A batch that changed nothing made no journal write.
      metrics.journalWritten(writes.inFlightNanos(), msg.result().events());
      metrics.idempotencyKeys(partition, state.requestCount());
    }
    if (writes.answer(outcomes)) {
      publishSettings(new Replicator.WriteAll(PUBLISH_TIMEOUT));
    }
    sendNextBatch();
    metrics.queued(partition, writes.waiting());
    if (stopping && !writes.inFlight()) {
      return Behaviors.stopped();
    }
    upkeep.scheduleExpiry(state);
    return Behaviors.same();
  }

  /** Queues a write the partition makes of its own accord (expiry, retention), if any. */
  private Behavior<Command> queueOwn(Write write) {
    if (write != null) {
      writes.add(write);
      sendNextBatch();
    }
    return Behaviors.same();
  }

  private void sendNextBatch() {
    if (!writes.inFlight() && writes.waiting() > 0 && !fence.allowed()) {
      // Paused and not yet confirmed a member: this partition may have moved (PauseFence).
      writes.refuseAll(w -> refusals.unavailable(w, GridMetrics.Unavailable.PAUSED));
      return;
    }
    List<Long> ids = new ArrayList<>();
    List<WriteOp> ops = writes.nextBatch(ids);
    if (ops == null) {
      return;
    }
    pausesAtSend = fence.pauses();
    journal.tell(
        new PartitionJournal.ApplyBatch(
            ops, WriteQueue.idsOrNull(ids), System.currentTimeMillis(), appliedAdapter));
  }

  /**
   * The journal child stopped: a journal write failed (the journal, its database or the network to
   * it). Writes held are answered unavailable; they may or may not have been written. A partition
   * that had recovered keeps serving reads from its last durable state while it starts a new
   * journal child, with a backoff, until one recovers: the state that child recovers (which holds
   * any write of the failed batch that did reach the journal) then replaces it. While recovering
   * for the first time there is no state to serve, and the partition stops (sharding starts it
   * again).
   */
  private Behavior<Command> journalStopped() {
    int held = writes.held();
    writes.refuseAll(w -> refusals.unavailable(w, GridMetrics.Unavailable.JOURNAL_FAILURE));
    if (state == null || stopping) {
      context
          .getLog()
          .warn(
              "Partition {} lost its journal; stopping and answering {} held write(s) unavailable",
              partition,
              held);
      return Behaviors.stopped();
    }
    context
        .getLog()
        .warn(
            "Partition {} lost its journal: {} held write(s) answered unavailable; serving reads"
                + " from its last durable state (event {}) and refusing writes until the journal"
                + " recovers",
            partition,
            held,
            state.lastVersion());
    return rejoiningJournal();
  }

  private Behavior<Command> rejoiningJournal() {
    upkeep.journalLost();
    long backoff = Math.min(10_000, 500L << Math.min(journalFailures, 5));
    journalFailures++;
    timers.startSingleTimer(RejoinJournal.INSTANCE, Duration.ofMillis(backoff));
    return reads
        .addTo(Behaviors.receive(Command.class))
        .onMessage(
            Write.class,
            write -> {
              refusals.unavailable(write, GridMetrics.Unavailable.JOURNAL_FAILURE);
              return Behaviors.same();
            })
        .onMessageEquals(
            RejoinJournal.INSTANCE,
            () -> {
              startJournal();
              return Behaviors.same();
            })
        .onMessage(
            JournalRecovered.class,
            msg -> {
              context
                  .getLog()
                  .info(
                      "Partition {} has its journal again, at event {} (was {})",
                      partition,
                      msg.state().lastVersion(),
                      state.lastVersion());
              state = msg.state();
              updateLocal();
              journalFailures = 0;
              upkeep.scheduleExpiry(state);
              publishSettings(new Replicator.WriteMajority(PUBLISH_TIMEOUT));
              return running();
            })
        .onMessageEquals(JournalStopped.INSTANCE, this::rejoiningJournal)
        .onMessageEquals(
            HandOff.INSTANCE,
            () -> {
              withdrawLocal();
              return Behaviors.stopped();
            })
        .onSignal(PostStop.class, this::onStopped)
        // Expiry and retention timers wait for the journal.
        .onAnyMessage(msg -> Behaviors.same())
        .build();
  }
}
