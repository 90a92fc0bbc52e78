package io.actorgrid.grid.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.actorgrid.serialization.CborSerializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
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
 * Every decision is made here, against the state that includes every earlier event of the batch,
 * so that a check and its write are one atomic step: preconditions, merge patches and counter
 * increments (computed from the current value, so concurrent ones never lose an update), expiry
 * (a record past its time gets its EntryExpired event before anything else touches it), and
 * idempotency (a retried request finds the record its first attempt left and gets that outcome;
 * a keyed write that changed nothing leaves a RequestNoted event for that purpose).
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
    Decider decider = new Decider(state, batch.now());
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

  /**
   * Decides the operations of one batch in order. Each event is applied to a working copy of the
   * state at once (an O(log n) step on the persistent trees), so every operation sees the ones
   * before it, including their idempotency records; the event handler later applies the same events
   * to the real state.
   */
  private static final class Decider {
    /** Outcomes of keyed writes that leave no event of their own, so RequestNoted records them. */
    private static final java.util.Set<WriteOutcome.Status> CHANGED_NOTHING =
        java.util.EnumSet.of(
            WriteOutcome.Status.NOT_FOUND,
            WriteOutcome.Status.PRECONDITION_FAILED,
            WriteOutcome.Status.CONFLICT,
            WriteOutcome.Status.TOO_LARGE);

    final List<PartitionEvent> events = new ArrayList<>();
    final long now;
    PartitionState working;
    // The internal write id of the operation being decided, for the events it makes (0: none).
    long writeId;

    Decider(PartitionState state, long now) {
      this.working = state;
      this.now = now;
    }

    WriteOutcome decide(WriteOp op, long writeId) {
      if (writeId != 0) {
        // Sent again by its node (a hand-off dropped or delayed the first attempt): the first
        // attempt's outcome, whether it came earlier in this batch or long before.
        var first = working.recentWrite(writeId);
        if (first.isPresent()) {
          return first.get();
        }
      }
      this.writeId = writeId;
      if (op instanceof WriteOp.Keyed keyed && keyed.request() != null) {
        var earlier = working.request(keyed.request().id());
        if (earlier.isPresent()) {
          return earlier.get().matches(op.map(), op.key(), keyed.request().hash())
              ? earlier.get().outcome()
              : WriteOutcome.failed(
                  WriteOutcome.Status.REQUEST_MISMATCH,
                  0,
                  "idempotency key '"
                      + keyed.request().id()
                      + "' was used for a different request; use a new key for each request");
        }
      }
      WriteOutcome outcome = apply(op);
      if (op instanceof WriteOp.Keyed keyed
          && keyed.request() != null
          && CHANGED_NOTHING.contains(outcome.status())) {
        emit(
            new PartitionEvent.RequestNoted(
                op.map(),
                op.key(),
                keyed.request().id(),
                keyed.request().hash(),
                outcome.status(),
                outcome.version(),
                outcome.detail(),
                now));
      }
      return outcome;
    }

    private WriteOutcome apply(WriteOp op) {
      if (op instanceof WriteOp.Put put) {
        return put(put);
      } else if (op instanceof WriteOp.Delete delete) {
        return delete(delete);
      } else if (op instanceof WriteOp.Patch patch) {
        return patch(patch);
      } else if (op instanceof WriteOp.Increment increment) {
        return increment(increment);
      } else if (op instanceof WriteOp.Read read) {
        return read(read);
      } else if (op instanceof WriteOp.Expire expire) {
        return expire(expire);
      } else if (op instanceof WriteOp.ClearMap clear) {
        return clear(clear);
      } else if (op instanceof WriteOp.TruncateHistory truncate) {
        if (truncate.upTo() >= working.historyStart() && truncate.upTo() <= working.lastVersion()) {
          emit(new PartitionEvent.HistoryTruncated("", truncate.upTo(), now));
        }
        return new WriteOutcome(WriteOutcome.Status.DELETED, 0);
      }
      return configure((WriteOp.Configure) op);
    }

    private WriteOutcome put(WriteOp.Put op) {
      StoredEntry current = live(op.map(), op.key());
      long currentVersion = versionOf(current);
      WriteOutcome refused = refusal(current, op.expected(), false);
      if (refused != null) {
        return refused;
      }
      long version =
          emitPut(
              op,
              op.value(),
              op.contentType(),
              currentVersion,
              op.ttlMillis() > 0 ? now + op.ttlMillis() : 0,
              null);
      return new WriteOutcome(created(current), version);
    }

    private WriteOutcome delete(WriteOp.Delete op) {
      StoredEntry current = live(op.map(), op.key());
      long currentVersion = versionOf(current);
      WriteOutcome refused = refusal(current, op.expected(), true);
      if (refused != null) {
        return refused;
      }
      long version =
          emit(
              new PartitionEvent.EntryDeleted(
                  op.map(),
                  op.key(),
                  currentVersion,
                  now,
                  requestId(op.request()),
                  requestHash(op.request()),
                  op.principal(),
                  writeId));
      return new WriteOutcome(WriteOutcome.Status.DELETED, version);
    }

    private WriteOutcome patch(WriteOp.Patch op) {
      StoredEntry current = live(op.map(), op.key());
      long currentVersion = versionOf(current);
      WriteOutcome refused = refusal(current, op.expected(), true);
      if (refused != null) {
        return refused;
      }
      JsonNode target =
          JsonValues.isJson(current.contentType()) ? JsonValues.parse(current.value()) : null;
      if (target == null) {
        return WriteOutcome.failed(
            WriteOutcome.Status.CONFLICT,
            currentVersion,
            "the value of key '"
                + op.key()
                + "' is stored as "
                + current.contentType()
                + ", not JSON, so a JSON merge patch cannot apply to it; replace it with PUT");
      }
      JsonNode patch = JsonValues.parse(op.patch());
      byte[] result = JsonValues.bytes(JsonValues.mergePatch(target, patch));
      if (result.length > op.maxValueBytes()) {
        return WriteOutcome.failed(
            WriteOutcome.Status.TOO_LARGE,
            currentVersion,
            "the patched value would have "
                + result.length
                + " bytes; values of this map may have at most "
                + op.maxValueBytes());
      }
      long version =
          emitPut(
              op,
              result,
              current.contentType(),
              currentVersion,
              current.expiresAt(),
              PartitionEvent.EntryPut.PATCH);
      return new WriteOutcome(WriteOutcome.Status.UPDATED, version);
    }

    private WriteOutcome increment(WriteOp.Increment op) {
      StoredEntry current = live(op.map(), op.key());
      long base = 0;
      if (current != null) {
        boolean json = JsonValues.isJson(current.contentType());
        OptionalLong number = json ? JsonValues.integer(current.value()) : OptionalLong.empty();
        if (number.isEmpty()) {
          return WriteOutcome.failed(
              WriteOutcome.Status.CONFLICT,
              current.version(),
              "the value of key '"
                  + op.key()
                  + "' is not a JSON integer ("
                  + (json
                      ? "it is JSON, but not a whole number within 64 bits"
                      : "it is stored as " + current.contentType())
                  + "), so it cannot be incremented; store a number such as 0 first, or use"
                  + " another key");
        }
        base = number.getAsLong();
      }
      long sum;
      try {
        sum = Math.addExact(base, op.delta());
      } catch (ArithmeticException e) {
        return WriteOutcome.failed(
            WriteOutcome.Status.CONFLICT,
            versionOf(current),
            "adding " + op.delta() + " to " + base + " would overflow a 64-bit integer");
      }
      byte[] value = Long.toString(sum).getBytes(StandardCharsets.US_ASCII);
      long expiresAt =
          current != null ? current.expiresAt() : op.ttlMillis() > 0 ? now + op.ttlMillis() : 0;
      long version =
          emitPut(
              op,
              value,
              current != null ? current.contentType() : "application/json",
              versionOf(current),
              expiresAt,
              PartitionEvent.EntryPut.INCREMENT);
      return new WriteOutcome(
          created(current), version, working.stored(op.map(), op.key()).orElseThrow(), null);
    }

    private WriteOutcome read(WriteOp.Read op) {
      return WriteOutcome.read(live(op.map(), op.key()));
    }

    private WriteOutcome expire(WriteOp.Expire op) {
      var stored = working.stored(op.map(), op.key());
      if (stored.isEmpty()
          || stored.get().version() != op.version()
          || !stored.get().expiredAt(now)) {
        return new WriteOutcome(WriteOutcome.Status.NOT_FOUND, 0);
      }
      long version = emit(new PartitionEvent.EntryExpired(op.map(), op.key(), op.version(), now));
      return new WriteOutcome(WriteOutcome.Status.DELETED, version);
    }

    /**
     * Removes every record of the map, naming each key and its version in MapCleared events of at
     * most {@link PartitionEvent.MapCleared#MAX_KEYS} keys, all in this batch's one journal write.
     */
    private WriteOutcome clear(WriteOp.ClearMap op) {
      List<StoredEntry> held = working.entries(op.map());
      if (held.isEmpty()) {
        return new WriteOutcome(WriteOutcome.Status.CLEARED, 0);
      }
      long live = working.counts(now).getOrDefault(op.map(), 0L);
      for (int from = 0; from < held.size(); from += PartitionEvent.MapCleared.MAX_KEYS) {
        List<StoredEntry> chunk =
            held.subList(from, Math.min(held.size(), from + PartitionEvent.MapCleared.MAX_KEYS));
        emit(
            new PartitionEvent.MapCleared(
                op.map(),
                now,
                chunk.size(),
                chunk.stream().map(StoredEntry::key).toList(),
                chunk.stream().map(StoredEntry::version).toList(),
                op.principal(),
                writeId));
      }
      return new WriteOutcome(WriteOutcome.Status.CLEARED, live);
    }

    private WriteOutcome configure(WriteOp.Configure op) {
      var current = working.config(op.map());
      long currentVersion = current.map(MapConfig::version).orElse(0L);
      if (!WriteOp.satisfied(op.expected(), currentVersion)) {
        return new WriteOutcome(WriteOutcome.Status.PRECONDITION_FAILED, currentVersion);
      }
      if (op.remove()) {
        if (current.isEmpty()) {
          return new WriteOutcome(WriteOutcome.Status.NOT_FOUND, 0);
        }
        long version =
            emit(new PartitionEvent.MapConfigRemoved(op.map(), currentVersion, now, writeId));
        return new WriteOutcome(WriteOutcome.Status.DELETED, version);
      }
      long version =
          emit(
              new PartitionEvent.MapConfigured(
                  op.map(),
                  op.defaultTtlMillis(),
                  op.maxValueBytes(),
                  currentVersion,
                  now,
                  op.historyRetentionMillis(),
                  writeId));
      return new WriteOutcome(
          current.isEmpty() ? WriteOutcome.Status.CREATED : WriteOutcome.Status.UPDATED, version);
    }

    /**
     * The record as the operation sees it. A record whose expiry time has passed but whose expiry
     * is not in the journal yet gets its EntryExpired event first, so its history stays exact: it
     * expired, then the operation found it absent.
     */
    private StoredEntry live(String map, String key) {
      var stored = working.stored(map, key);
      if (stored.isEmpty()) {
        return null;
      }
      if (stored.get().expiredAt(now)) {
        emit(new PartitionEvent.EntryExpired(map, key, stored.get().version(), now));
        return null;
      }
      return stored.get();
    }

    private long emit(PartitionEvent event) {
      long version = working.lastVersion() + 1;
      working = working.apply(event, version);
      events.add(event);
      return version;
    }

    /**
     * Why a write may not go ahead on {@code current}: its precondition fails, or it needs a record
     * and there is none. Null when it may.
     */
    private static WriteOutcome refusal(StoredEntry current, long expected, boolean mustExist) {
      long currentVersion = versionOf(current);
      if (!WriteOp.satisfied(expected, currentVersion)) {
        return new WriteOutcome(WriteOutcome.Status.PRECONDITION_FAILED, currentVersion);
      }
      if (mustExist && current == null) {
        return new WriteOutcome(WriteOutcome.Status.NOT_FOUND, 0);
      }
      return null;
    }

    private static long versionOf(StoredEntry entry) {
      return entry == null ? 0 : entry.version();
    }

    private static WriteOutcome.Status created(StoredEntry current) {
      return current == null ? WriteOutcome.Status.CREATED : WriteOutcome.Status.UPDATED;
    }

    /** Emits the record's new value, written by {@code op} now, with the op's idempotency key. */
    private long emitPut(
        WriteOp.Keyed op,
        byte[] value,
        String contentType,
        long previousVersion,
        long expiresAt,
        String operation) {
      return emit(
          new PartitionEvent.EntryPut(
              op.map(),
              op.key(),
              value,
              contentType,
              previousVersion,
              now,
              expiresAt,
              operation,
              requestId(op.request()),
              requestHash(op.request()),
              previousVersion == 0 ? working.removedAt(op.map(), op.key()) : 0,
              op.principal(),
              writeId));
    }

    private static String requestId(WriteOp.Request request) {
      return request == null ? null : request.id();
    }

    private static long requestHash(WriteOp.Request request) {
      return request == null ? 0 : request.hash();
    }
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
