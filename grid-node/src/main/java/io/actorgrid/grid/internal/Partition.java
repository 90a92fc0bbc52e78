package io.actorgrid.grid.internal;

import io.actorgrid.serialization.CborSerializable;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;
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
 * commit), so a busy partition makes one journal write per round trip instead of one per event.
 *
 * A Write carries one or more operations (a batch's items for this partition); its operations
 * always go to the journal together, in one atomic write. A Write that only reads is answered from
 * the state at once.
 *
 * Records with a time to live: reads treat them as absent once their time has passed. A timer set
 * for the earliest expiry in the state then queues their removal (up to EXPIRY_BATCH records) as
 * a Write behind the waiting ones, so every expiry is an event in the journal; on recovery the
 * timer is set again from the recovered state, so records that expired while no node held the
 * partition are removed then.
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
public final class Partition {
  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "Partition");

  public sealed interface Command extends CborSerializable {}

  /** Reads one record; the reply's entry is null when it does not exist. */
  public record Get(String map, String key, ActorRef<GetReply> replyTo) implements Command {}

  /**
   * The record, or null when it does not exist; {@code unavailable} when the partition could not
   * read it (it is recovering and cannot hold more requests).
   */
  public record GetReply(StoredEntry entry, boolean unavailable) implements CborSerializable {
    public GetReply(StoredEntry entry) {
      this(entry, false);
    }

    static final GetReply UNAVAILABLE = new GetReply(null, true);
  }

  /**
   * Applies operations in order, as one atomic journal write; the reply, one outcome per operation,
   * comes once their events are durable. Operations that only read are answered from the state at
   * once.
   */
  public record Write(List<WriteOp> ops, ActorRef<Outcomes> replyTo) implements Command {
    int opCount() {
      return ops.size();
    }

    boolean readOnly() {
      for (WriteOp op : ops) {
        if (!(op instanceof WriteOp.Read)) {
          return false;
        }
      }
      return true;
    }

    /** Whether an operation changes a map's settings. */
    boolean configures() {
      for (WriteOp op : ops) {
        if (op instanceof WriteOp.Configure) {
          return true;
        }
      }
      return false;
    }

    /** Whether an operation may store more data: a put, a patch or an increment. */
    boolean addsData() {
      for (WriteOp op : ops) {
        if (op instanceof WriteOp.Put
            || op instanceof WriteOp.Patch
            || op instanceof WriteOp.Increment) {
          return true;
        }
      }
      return false;
    }

    long bytes() {
      long bytes = 0;
      for (WriteOp op : ops) {
        bytes += op.size();
      }
      return bytes;
    }
  }

  public record Outcomes(List<WriteOutcome> outcomes) implements CborSerializable {}

  /** The settings of a map whose home is this partition; the reply's config is null without. */
  public record GetConfig(String map, ActorRef<ConfigReply> replyTo) implements Command {}

  public record ConfigReply(MapConfig config) implements CborSerializable {}

  /**
   * Lists records of one map in key order, with at most {@code maxBytes} of values; see {@link
   * PartitionState#list}.
   */
  public record ListEntries(
      String map,
      String prefix,
      String after,
      int limit,
      boolean withValues,
      long maxBytes,
      ActorRef<PartitionState.Listing> replyTo)
      implements Command {}

  /** Entry counts by map. */
  public record GetCounts(ActorRef<Counts> replyTo) implements Command {}

  /** Live record counts by map, and the settings of the maps whose home is this partition. */
  public record Counts(Map<String, Long> counts, Map<String, MapConfig> configs)
      implements CborSerializable {}

  /**
   * Where the history of a record starts: the sequence number of its last event ({@link
   * PartitionState#lastEventOf}), 0 when it never existed (or is forgotten).
   */
  public record GetLastEvent(String map, String key, ActorRef<LastEvent> replyTo)
      implements Command {}

  /**
   * @param sequenceNr the record's last event, 0 when none
   * @param partitionVersion the partition's last event
   */
  public record LastEvent(long sequenceNr, long partitionVersion) implements CborSerializable {}

  /** Answered once the partition has recovered and serves commands. */
  public record Ping(ActorRef<Pong> replyTo) implements Command {}

  public record Pong(int partition) implements CborSerializable {}

  /**
   * The sequence number of the partition's last event (0: none), for a change feed that starts now.
   */
  public record GetLastSequenceNr(ActorRef<LastSequenceNr> replyTo) implements Command {}

  public record LastSequenceNr(long sequenceNr) implements CborSerializable {}

  private record JournalRecovered(PartitionState state) implements Command {}

  private record JournalApplied(PartitionJournal.BatchApplied result) implements Command {}

  private enum JournalStopped implements Command {
    INSTANCE
  }

  /**
   * Sent by sharding when the partition moves to another node (a rebalance, or this node leaving):
   * the partition finishes the journal write in flight and the ones it has queued, answering each,
   * then stops. Sharding holds new requests meanwhile and sends them to the partition's new home.
   */
  public enum HandOff implements Command {
    INSTANCE
  }

  private enum SettingsPublished implements Command {
    INSTANCE
  }

  private enum ExpiryDue implements Command {
    INSTANCE
  }

  private enum ExpiryApplied implements Command {
    INSTANCE
  }

  private enum RejoinJournal implements Command {
    INSTANCE
  }

  private enum RetentionDue implements Command {
    INSTANCE
  }

  /** Retention no longer keeps the events up to {@code upTo} (0: it keeps all). */
  private record RetentionCut(long upTo) implements Command {}

  /** How long a change of settings waits for every node to take it (it is not awaited). */
  private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(3);

  /** Most records one expiry round removes (one journal write). */
  private static final int EXPIRY_BATCH = 1000;

  /** The expiry timer never waits longer than this (the scheduler cannot wait for months). */
  private static final long MAX_EXPIRY_WAIT_MILLIS = 3_600_000;

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
  private final int maxBatch;
  private final long maxBatchBytes;
  private final int maxPendingWrites;
  private final long maxReplyBytes;
  private final MemoryGuard memory;
  private ActorRef<PartitionJournal.Command> journal;
  private final java.util.function.Supplier<Behavior<PartitionJournal.Command>> newJournal;
  // Journals lost in a row while rejoining (for the backoff), and journals started (for names).
  private int journalFailures;
  private int journalsStarted;
  private final ActorRef<PartitionJournal.BatchApplied> appliedAdapter;
  private final ActorRef<Outcomes> expiryAdapter;
  private final HistoryRetention retention;
  // A retention sweep is looking for its cut.
  private boolean sweeping;
  private final ActorRef<Replicator.UpdateResponse<LWWRegister<MapSettingsDirectory.Published>>>
      publishedAdapter;
  private final GridMetrics metrics;
  private final ChangeHub changes;
  private final long startedNanos = System.nanoTime();
  private final ArrayDeque<Write> queue = new ArrayDeque<>();
  private List<Write> inFlight;
  // System.nanoTime() when the batch in flight went to the journal.
  private long inFlightSince;
  private PartitionState state;
  // Epoch milliseconds the expiry timer is set for (Long.MAX_VALUE: not set), and whether an
  // expiry round is queued or in the journal.
  private long expiryTimerAt = Long.MAX_VALUE;
  private boolean expiring;
  // Handed off: stop once the writes held are answered.
  private boolean stopping;

  @SuppressWarnings("unchecked") // the class literal of a generic response type
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
    this.retention = retention;
    this.stash = stash;
    this.timers = timers;
    this.partition = partition;
    this.maxBatch = settings.groupCommit() ? settings.maxBatch() : 1;
    this.maxBatchBytes = settings.maxBatchBytes();
    this.maxPendingWrites = settings.maxPendingWrites();
    this.maxReplyBytes = settings.maxBatchPartitionBytes();
    this.memory = MemoryGuard.get(context.getSystem());
    this.changes = ChangeHub.get(context.getSystem());
    this.appliedAdapter =
        context.messageAdapter(PartitionJournal.BatchApplied.class, JournalApplied::new);
    this.expiryAdapter = context.messageAdapter(Outcomes.class, o -> ExpiryApplied.INSTANCE);
    ActorRef<Replicator.UpdateResponse<?>> published =
        context.messageAdapter(
            (Class<Replicator.UpdateResponse<?>>) (Class<?>) Replicator.UpdateResponse.class,
            r -> SettingsPublished.INSTANCE);
    this.publishedAdapter = published.unsafeUpcast();
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
              scheduleExpiry();
              if (!retention.sweepInterval().isZero()) {
                timers.startTimerWithFixedDelay(RetentionDue.INSTANCE, retention.sweepInterval());
              }
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
              stash.forEach(this::refuse);
              return Behaviors.stopped();
            })
        .onAnyMessage(
            msg -> {
              if (!stash.isFull()) {
                stash.stash(msg);
              } else if (!refuse(msg, GridMetrics.Unavailable.RECOVERING)) {
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
    return Behaviors.receive(Command.class)
        .onMessage(Get.class, this::onGet)
        .onMessage(Write.class, this::onWrite)
        .onMessage(JournalApplied.class, this::onApplied)
        .onMessage(ListEntries.class, this::onList)
        .onMessage(GetCounts.class, this::onCounts)
        .onMessage(GetConfig.class, this::onGetConfig)
        .onMessage(Ping.class, this::onPing)
        .onMessage(GetLastEvent.class, this::onGetLastEvent)
        .onMessage(GetLastSequenceNr.class, this::onGetLastSequenceNr)
        .onMessageEquals(ExpiryDue.INSTANCE, this::onExpiryDue)
        .onMessageEquals(ExpiryApplied.INSTANCE, this::onExpiryApplied)
        .onMessageEquals(RetentionDue.INSTANCE, this::onRetentionDue)
        .onMessage(RetentionCut.class, this::onRetentionCut)
        .onMessageEquals(JournalStopped.INSTANCE, this::journalStopped)
        .onMessageEquals(HandOff.INSTANCE, this::onHandOff)
        .onMessageEquals(SettingsPublished.INSTANCE, Behaviors::same)
        .onSignal(PostStop.class, this::onStopped)
        .build();
  }

  private Behavior<Command> onStopped(PostStop signal) {
    metrics.partitionStopped(partition);
    return Behaviors.same();
  }

  private boolean refuse(Command msg) {
    return refuse(msg, GridMetrics.Unavailable.RECOVERING);
  }

  /** Answers a request at once as unavailable; false for messages that have no such answer. */
  private boolean refuse(Command msg, GridMetrics.Unavailable cause) {
    if (msg instanceof Write write) {
      metrics.unavailable(cause);
      write.replyTo().tell(unavailable(write));
      return true;
    }
    if (msg instanceof Get get) {
      metrics.unavailable(cause);
      get.replyTo().tell(GetReply.UNAVAILABLE);
      return true;
    }
    return false;
  }

  private Behavior<Command> onHandOff() {
    context
        .getLog()
        .info(
            "Partition {} handed off: stopping on this node once the {} write(s) it holds are"
                + " answered",
            partition,
            (inFlight == null ? 0 : inFlight.size()) + queue.size());
    if (inFlight == null && queue.isEmpty()) {
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
        publishedAdapter);
  }

  private Behavior<Command> onGetLastEvent(GetLastEvent msg) {
    msg.replyTo().tell(new LastEvent(state.lastEventOf(msg.map(), msg.key()), state.lastVersion()));
    return Behaviors.same();
  }

  private Behavior<Command> onGet(Get get) {
    get.replyTo()
        .tell(
            new GetReply(state.get(get.map(), get.key(), System.currentTimeMillis()).orElse(null)));
    return Behaviors.same();
  }

  private Behavior<Command> onList(ListEntries list) {
    list.replyTo()
        .tell(
            state.list(
                list.map(),
                list.prefix(),
                list.after(),
                list.limit(),
                list.withValues(),
                list.maxBytes(),
                System.currentTimeMillis()));
    return Behaviors.same();
  }

  private Behavior<Command> onCounts(GetCounts msg) {
    msg.replyTo().tell(new Counts(state.counts(System.currentTimeMillis()), state.configs()));
    return Behaviors.same();
  }

  private Behavior<Command> onGetConfig(GetConfig msg) {
    msg.replyTo().tell(new ConfigReply(state.config(msg.map()).orElse(null)));
    return Behaviors.same();
  }

  private Behavior<Command> onPing(Ping ping) {
    ping.replyTo().tell(new Pong(partition));
    return Behaviors.same();
  }

  private Behavior<Command> onGetLastSequenceNr(GetLastSequenceNr msg) {
    msg.replyTo().tell(new LastSequenceNr(state.lastVersion()));
    return Behaviors.same();
  }

  private Behavior<Command> onWrite(Write write) {
    if (write.readOnly()) {
      long now = System.currentTimeMillis();
      write
          .replyTo()
          .tell(
              fit(
                  write.ops().stream()
                      .map(op -> WriteOutcome.read(state.get(op.map(), op.key(), now).orElse(null)))
                      .toList()));
      return Behaviors.same();
    }
    if (queue.size() >= maxPendingWrites) {
      refuse(write, GridMetrics.Unavailable.QUEUE_FULL);
      return Behaviors.same();
    }
    if (memory.refusing() && write.addsData()) {
      // The operations of one Write go to the journal together, so they are refused together.
      WriteOutcome refused =
          WriteOutcome.failed(
              WriteOutcome.Status.INSUFFICIENT_STORAGE,
              0,
              "the node that holds this partition accepts no writes that add data now: "
                  + memory.reason());
      write.replyTo().tell(new Outcomes(java.util.Collections.nCopies(write.opCount(), refused)));
      return Behaviors.same();
    }
    queue.add(write);
    sendNextBatch();
    metrics.queued(partition, queue.size());
    return Behaviors.same();
  }

  private Behavior<Command> onApplied(JournalApplied msg) {
    List<WriteOutcome> outcomes = msg.result().outcomes();
    state = msg.result().state();
    if (msg.result().events() > 0) {
      // Only now, with the events in the journal, may change feeds see them.
      changes.publish(
          partition, state.lastVersion() - msg.result().events() + 1, msg.result().written());
      // A batch that changed nothing made no journal write.
      metrics.journalWritten(System.nanoTime() - inFlightSince, msg.result().events());
      metrics.idempotencyKeys(partition, state.requestCount());
    }
    int next = 0;
    boolean configured = false;
    for (Write write : inFlight) {
      write.replyTo().tell(fit(outcomes.subList(next, next + write.opCount())));
      next += write.opCount();
      configured |= write.configures();
    }
    inFlight = null;
    if (configured) {
      publishSettings(new Replicator.WriteAll(PUBLISH_TIMEOUT));
    }
    sendNextBatch();
    metrics.queued(partition, queue.size());
    if (stopping && inFlight == null) {
      return Behaviors.stopped();
    }
    scheduleExpiry();
    return Behaviors.same();
  }

  /** Sets the expiry timer for the earliest expiry, unless it is set earlier already. */
  private void scheduleExpiry() {
    long next = state.nextExpiry();
    if (expiring || next == Long.MAX_VALUE || next >= expiryTimerAt) {
      return;
    }
    long wait = Math.min(MAX_EXPIRY_WAIT_MILLIS, Math.max(0, next - System.currentTimeMillis()));
    expiryTimerAt = next;
    timers.startSingleTimer(ExpiryDue.INSTANCE, Duration.ofMillis(wait));
  }

  /**
   * Queues the removal of records whose time has passed, as writes behind the ones waiting, so
   * expiry is an event in the journal like any change. Reads already treat those records as absent;
   * this makes them leave memory and their history.
   */
  private Behavior<Command> onExpiryDue() {
    expiryTimerAt = Long.MAX_VALUE;
    if (stopping) {
      return Behaviors.same();
    }
    List<WriteOp> due = new ArrayList<>(state.expiredAt(System.currentTimeMillis(), EXPIRY_BATCH));
    if (due.isEmpty()) {
      scheduleExpiry();
      return Behaviors.same();
    }
    expiring = true;
    queue.add(new Write(due, expiryAdapter));
    sendNextBatch();
    return Behaviors.same();
  }

  private Behavior<Command> onExpiryApplied() {
    expiring = false;
    scheduleExpiry();
    return Behaviors.same();
  }

  /** Looks for the events retention no longer keeps; see {@link HistoryRetention}. */
  private Behavior<Command> onRetentionDue() {
    if (sweeping || stopping) {
      return Behaviors.same();
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
            return new RetentionCut(0);
          }
          return new RetentionCut(upTo);
        });
    return Behaviors.same();
  }

  /**
   * Writes the truncation in order with the writes, so the removals it forgets are forgotten on
   * replay too; the journal deletes the events after the snapshot that follows it.
   */
  private Behavior<Command> onRetentionCut(RetentionCut cut) {
    sweeping = false;
    if (cut.upTo() < state.historyStart() || stopping) {
      return Behaviors.same();
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
    queue.add(
        new Write(
            List.of(new WriteOp.TruncateHistory(cut.upTo())), context.getSystem().ignoreRef()));
    sendNextBatch();
    return Behaviors.same();
  }

  /**
   * The reply to one Write, within maxReplyBytes of values: records found beyond that (batch gets
   * of large values) are answered TOO_LARGE, so the reply still fits one cluster message. The first
   * value always goes.
   */
  private Outcomes fit(List<WriteOutcome> outcomes) {
    long bytes = 0;
    List<WriteOutcome> fitted = null;
    for (int i = 0; i < outcomes.size(); i++) {
      WriteOutcome o = outcomes.get(i);
      if (o.entry() == null || o.entry().value() == null) {
        continue;
      }
      int size = o.entry().value().length;
      bytes += size;
      if (bytes > maxReplyBytes && bytes > size) {
        if (fitted == null) {
          fitted = new ArrayList<>(outcomes);
        }
        fitted.set(
            i,
            WriteOutcome.failed(
                WriteOutcome.Status.TOO_LARGE,
                o.version(),
                "the values this batch reads from one partition exceed "
                    + maxReplyBytes
                    + " bytes (actorgrid.limits.max-batch-partition-bytes); read this record on"
                    + " its own with GET, or split the batch"));
        bytes -= size;
      }
    }
    return new Outcomes(fitted == null ? outcomes : fitted);
  }

  private static Outcomes unavailable(Write write) {
    return new Outcomes(java.util.Collections.nCopies(write.opCount(), WriteOutcome.UNAVAILABLE));
  }

  private void sendNextBatch() {
    if (inFlight != null || queue.isEmpty()) {
      return;
    }
    // Whole Write messages only: the operations of one Write are one atomic journal write.
    List<Write> batch = new ArrayList<>();
    List<WriteOp> ops = new ArrayList<>();
    long bytes = 0;
    while (!queue.isEmpty()) {
      Write next = queue.peek();
      bytes += next.bytes();
      if (!batch.isEmpty() && (ops.size() + next.opCount() > maxBatch || bytes > maxBatchBytes)) {
        break;
      }
      batch.add(queue.poll());
      ops.addAll(next.ops());
    }
    inFlight = batch;
    inFlightSince = System.nanoTime();
    journal.tell(new PartitionJournal.ApplyBatch(ops, System.currentTimeMillis(), appliedAdapter));
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
    int held = (inFlight == null ? 0 : inFlight.size()) + queue.size();
    if (inFlight != null) {
      inFlight.forEach(w -> refuse(w, GridMetrics.Unavailable.JOURNAL_FAILURE));
    }
    queue.forEach(w -> refuse(w, GridMetrics.Unavailable.JOURNAL_FAILURE));
    inFlight = null;
    queue.clear();
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
    expiring = false;
    sweeping = false;
    long backoff = Math.min(10_000, 500L << Math.min(journalFailures, 5));
    journalFailures++;
    timers.startSingleTimer(RejoinJournal.INSTANCE, Duration.ofMillis(backoff));
    return Behaviors.receive(Command.class)
        .onMessage(Get.class, this::onGet)
        .onMessage(ListEntries.class, this::onList)
        .onMessage(GetCounts.class, this::onCounts)
        .onMessage(GetConfig.class, this::onGetConfig)
        .onMessage(Ping.class, this::onPing)
        .onMessage(GetLastEvent.class, this::onGetLastEvent)
        .onMessage(GetLastSequenceNr.class, this::onGetLastSequenceNr)
        .onMessage(
            Write.class,
            write -> {
              refuse(write, GridMetrics.Unavailable.JOURNAL_FAILURE);
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
              journalFailures = 0;
              scheduleExpiry();
              publishSettings(new Replicator.WriteMajority(PUBLISH_TIMEOUT));
              return running();
            })
        .onMessageEquals(JournalStopped.INSTANCE, this::rejoiningJournal)
        .onMessageEquals(HandOff.INSTANCE, Behaviors::stopped)
        .onMessageEquals(SettingsPublished.INSTANCE, Behaviors::same)
        .onSignal(PostStop.class, this::onStopped)
        // Expiry and retention timers wait for the journal.
        .onAnyMessage(msg -> Behaviors.same())
        .build();
  }

  /** Entity id = shard id = partition number. */
  private static final class OneShardPerPartition
      extends ShardingMessageExtractor<ShardingEnvelope<Command>, Command> {
    @Override
    public String entityId(ShardingEnvelope<Command> envelope) {
      return envelope.entityId();
    }

    @Override
    public String shardId(String entityId) {
      return entityId;
    }

    @Override
    public Command unwrapMessage(ShardingEnvelope<Command> envelope) {
      return envelope.message();
    }
  }
}
