package io.actorgrid.grid.internal;

import io.actorgrid.serialization.CborSerializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
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
 * If the journal child stops (a journal write or a recovery failed), the partition answers every
 * write it holds as UNAVAILABLE (such a write may or may not be in the journal: it was never
 * acknowledged) and stops too; sharding starts it again, recovering from the journal, on the next
 * message.
 */
public final class Partition {
  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "Partition");

  public sealed interface Command extends CborSerializable {}

  /** Reads one record; the reply's entry is null when it does not exist. */
  public record Get(String map, String key, ActorRef<GetReply> replyTo) implements Command {}

  public record GetReply(StoredEntry entry) implements CborSerializable {}

  /** Writes one record; the reply comes once the change is durable in the journal. */
  public record Write(WriteOp op, ActorRef<WriteOutcome> replyTo) implements Command {}

  /** Lists records of one map in key order; see {@link PartitionState#list}. */
  public record ListEntries(
      String map,
      String prefix,
      String after,
      int limit,
      boolean withValues,
      ActorRef<PartitionState.Listing> replyTo)
      implements Command {}

  /** Entry counts by map. */
  public record GetCounts(ActorRef<Counts> replyTo) implements Command {}

  public record Counts(Map<String, Long> counts) implements CborSerializable {}

  /** Answered once the partition has recovered and serves commands. */
  public record Ping(ActorRef<Pong> replyTo) implements Command {}

  public record Pong(int partition) implements CborSerializable {}

  private record JournalRecovered(PartitionState state) implements Command {}

  private record JournalApplied(PartitionJournal.BatchApplied result) implements Command {}

  private enum JournalStopped implements Command {
    INSTANCE
  }

  /** The sharded entity definition, with one shard per partition. */
  public static Entity<Command, ShardingEnvelope<Command>> entity(GridSettings settings) {
    return Entity.of(
            TYPE_KEY,
            ctx -> Partition.create(Integer.parseInt(ctx.getEntityId()), settings))
        .withMessageExtractor(new OneShardPerPartition());
  }

  public static Behavior<Command> create(int partition, GridSettings settings) {
    return Behaviors.withStash(
        settings.maxPendingWrites(),
        stash ->
            Behaviors.setup(ctx -> new Partition(ctx, stash, partition, settings).recovering()));
  }

  private final ActorContext<Command> context;
  private final StashBuffer<Command> stash;
  private final int partition;
  private final int maxBatch;
  private final long maxBatchBytes;
  private final int maxPendingWrites;
  private final ActorRef<PartitionJournal.Command> journal;
  private final ActorRef<PartitionJournal.BatchApplied> appliedAdapter;
  private final ArrayDeque<Write> queue = new ArrayDeque<>();
  private List<Write> inFlight;
  private PartitionState state;

  private Partition(
      ActorContext<Command> context,
      StashBuffer<Command> stash,
      int partition,
      GridSettings settings) {
    this.context = context;
    this.stash = stash;
    this.partition = partition;
    this.maxBatch = settings.groupCommit() ? settings.maxBatch() : 1;
    this.maxBatchBytes = settings.maxBatchBytes();
    this.maxPendingWrites = settings.maxPendingWrites();
    this.appliedAdapter =
        context.messageAdapter(PartitionJournal.BatchApplied.class, JournalApplied::new);
    ActorRef<PartitionJournal.Recovered> recoveredAdapter =
        context.messageAdapter(PartitionJournal.Recovered.class, r -> new JournalRecovered(r.state()));
    this.journal =
        context.spawn(
            PartitionJournal.create(
                persistenceId(partition), recoveredAdapter, settings.minSnapshotBytes()),
            "journal");
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
              return stash.unstashAll(running());
            })
        .onMessageEquals(JournalStopped.INSTANCE, this::journalStopped)
        .onAnyMessage(
            msg -> {
              if (stash.isFull()) {
                // The caller's ask times out and it answers 503: better than an unbounded stash.
                context.getLog().warn("Partition {} is recovering and its stash is full", partition);
              } else {
                stash.stash(msg);
              }
              return Behaviors.same();
            })
        .build();
  }

  private Behavior<Command> running() {
    return Behaviors.receive(Command.class)
        .onMessage(Get.class, this::onGet)
        .onMessage(Write.class, this::onWrite)
        .onMessage(JournalApplied.class, this::onApplied)
        .onMessage(ListEntries.class, this::onList)
        .onMessage(GetCounts.class, this::onCounts)
        .onMessage(Ping.class, this::onPing)
        .onMessageEquals(JournalStopped.INSTANCE, this::journalStopped)
        .build();
  }

  private Behavior<Command> onGet(Get get) {
    get.replyTo().tell(new GetReply(state.get(get.map(), get.key()).orElse(null)));
    return Behaviors.same();
  }

  private Behavior<Command> onList(ListEntries list) {
    list.replyTo()
        .tell(
            state.list(list.map(), list.prefix(), list.after(), list.limit(), list.withValues()));
    return Behaviors.same();
  }

  private Behavior<Command> onCounts(GetCounts msg) {
    msg.replyTo().tell(new Counts(state.counts()));
    return Behaviors.same();
  }

  private Behavior<Command> onPing(Ping ping) {
    ping.replyTo().tell(new Pong(partition));
    return Behaviors.same();
  }

  private Behavior<Command> onWrite(Write write) {
    if (queue.size() >= maxPendingWrites) {
      write.replyTo().tell(WriteOutcome.UNAVAILABLE);
      return Behaviors.same();
    }
    queue.add(write);
    sendNextBatch();
    return Behaviors.same();
  }

  private Behavior<Command> onApplied(JournalApplied msg) {
    List<WriteOutcome> outcomes = msg.result().outcomes();
    state = msg.result().state();
    for (int i = 0; i < inFlight.size(); i++) {
      inFlight.get(i).replyTo().tell(outcomes.get(i));
    }
    inFlight = null;
    sendNextBatch();
    return Behaviors.same();
  }

  private void sendNextBatch() {
    if (inFlight != null || queue.isEmpty()) {
      return;
    }
    List<Write> batch = new ArrayList<>(Math.min(queue.size(), maxBatch));
    List<WriteOp> ops = new ArrayList<>(Math.min(queue.size(), maxBatch));
    long bytes = 0;
    while (!queue.isEmpty() && batch.size() < maxBatch) {
      Write next = queue.peek();
      bytes += next.op().size();
      if (!batch.isEmpty() && bytes > maxBatchBytes) {
        break;
      }
      batch.add(queue.poll());
      ops.add(next.op());
    }
    inFlight = batch;
    journal.tell(new PartitionJournal.ApplyBatch(ops, System.currentTimeMillis(), appliedAdapter));
  }

  private Behavior<Command> journalStopped() {
    context.getLog().warn("Partition {} lost its journal; stopping", partition);
    if (inFlight != null) {
      inFlight.forEach(w -> w.replyTo().tell(WriteOutcome.UNAVAILABLE));
    }
    queue.forEach(w -> w.replyTo().tell(WriteOutcome.UNAVAILABLE));
    return Behaviors.stopped();
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
