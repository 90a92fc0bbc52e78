package io.actorgrid.grid;

import io.actorgrid.grid.internal.BatchPlan;
import io.actorgrid.grid.internal.ListPages;
import io.actorgrid.grid.internal.MapConfig;
import io.actorgrid.grid.internal.MapReplies;
import io.actorgrid.grid.internal.MapRequests;
import io.actorgrid.grid.internal.Partition;
import io.actorgrid.grid.internal.PartitionState;
import io.actorgrid.grid.internal.WriteOp;
import io.actorgrid.grid.internal.WriteOutcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A named map of the grid: keys to values with a content type and a version.
 *
 * <p><b>Consistency.</b> Each key belongs to exactly one partition, and one partition has exactly
 * one writer in the cluster, so the operations on one key are linearizable: a put or delete
 * completes only after its change is durable in the journal, and a get after that completion sees
 * it (or a later change). A write that has not completed may or may not be visible to a get. Writes
 * that fail with {@link GridUnavailableException} were not acknowledged and may or may not have
 * been applied.
 *
 * <p><b>Failures.</b> When a node crashes, the partitions it held recover from the journal on the
 * remaining nodes; meanwhile their operations fail with {@link GridUnavailableException}. No
 * acknowledged write is lost.
 *
 * <p><b>Rebalances.</b> When a partition moves to another node (a node joins or leaves), sharding
 * drops the requests it held for it during the hand-off. The node sends them again itself, within
 * the request timeout, each write with the same internal id, so that its partition applies it at
 * most once: a rebalance makes requests slower, not failed, unless the partition takes longer than
 * the request timeout to serve again on its new node.
 *
 * <p><b>Retries.</b> A write whose {@link WriteOptions} carry an idempotency key can be sent again
 * after a {@link GridUnavailableException}, a timeout or a crash: the partition answers with the
 * first attempt's outcome and writes nothing (see {@link WriteOptions#withIdempotencyKey}).
 *
 * <p><b>Expiry.</b> A record written with a time to live (or under a map default, see {@link
 * MapSettings}) is never returned once its time has passed; its partition then removes it with an
 * expiry event in the journal. Expiry times are absolute, so they hold across restarts and
 * failover; node clocks should be synchronised.
 *
 * <p>Invalid arguments complete the stage with {@link InvalidRequestException} (bad key, limit,
 * cursor, TTL or batch item), {@link ValueTooLargeException} or {@link BatchTooLargeException}; a
 * failed precondition with {@link PreconditionFailedException}; an operation the record's value
 * does not allow with {@link ConflictException}. All stages complete on the node's dispatcher.
 */
public final class GridMap {

  // The facade: the checks and operations are built in MapRequests, the partitions' answers read
  // in MapReplies, batches and pages spread over the partitions by BatchPlan and ListPages.
  private final Grid grid;
  private final String name;
  private final MapRequests requests;
  private final MapReplies replies;

  GridMap(Grid grid, String name) {
    this.grid = grid;
    this.name = name;
    this.requests = new MapRequests(name, grid.settings());
    this.replies = new MapReplies(name, grid::fullDiskNote);
  }

  public String name() {
    return name;
  }

  /** Stores the value unconditionally. */
  public CompletionStage<WriteResult> put(String key, byte[] value, String contentType) {
    return put(key, value, contentType, WriteOptions.none());
  }

  /**
   * Stores the value if the record satisfies the precondition; see {@link #put(String, byte[],
   * String, WriteOptions)}.
   */
  public CompletionStage<WriteResult> put(
      String key, byte[] value, String contentType, Precondition precondition) {
    return put(key, value, contentType, WriteOptions.none().withPrecondition(precondition));
  }

  /**
   * Stores the value, if the record satisfies the options' precondition (checked atomically with
   * the write), with the options' time to live (else the map's default; else none). Completes once
   * the change is durable in the journal.
   *
   * @param contentType the media type returned with the value; null stores {@code
   *     application/octet-stream}
   */
  public CompletionStage<WriteResult> put(
      String key, byte[] value, String contentType, WriteOptions options) {
    return validated(() -> requests.checkPut(key, value, options.ttl()))
        .thenCompose(config -> write(key, requests.put(key, value, contentType, options, config)))
        .thenApply(outcome -> replies.writeResult(key, outcome));
  }

  /** The record, or empty when the key has none (or it has expired). */
  public CompletionStage<Optional<Entry>> get(String key) {
    return withValidKey(
        key,
        () -> {
          int p = partitionOf(key);
          PartitionState local = grid.localState(p);
          if (local != null) {
            // The partition runs on this node: read its state here, no ask (LocalPartitions).
            return CompletableFuture.completedFuture(
                local.get(name, key, System.currentTimeMillis()).map(replies::toEntry));
          }
          return grid.askToRead(
              p,
              (ActorRef<Partition.GetReply> replyTo) -> new Partition.Get(name, key, replyTo),
              reply -> {
                if (reply.unavailable()) {
                  throw new GridUnavailableException(
                      "the partition of key '"
                          + key
                          + "' is recovering and holds as many requests as it can. Retry"
                          + " shortly.");
                }
                return Optional.ofNullable(reply.entry()).map(replies::toEntry);
              });
        });
  }

  /**
   * A page of the record's history, newest change first: every put, patch, increment, deletion,
   * expiry and clear of the key, across deletions and re-creations, as far back as history
   * retention keeps. Empty when the key has no history (it never existed, or retention removed all
   * of it).
   */
  public CompletionStage<Optional<History>> history(String key, HistoryQuery query) {
    return withValidKey(key, () -> history().history(partitionOf(key), key, query));
  }

  /**
   * The change that {@code version} made to the record: the value it left (with {@link
   * HistoryItem#leftValue()}), or its deletion, expiry or clear. Empty when {@code version} is not
   * a version of this key, or retention removed it.
   */
  public CompletionStage<Optional<HistoryItem>> getVersion(String key, long version) {
    return withValidKey(key, () -> history().atVersion(partitionOf(key), key, version));
  }

  /**
   * The record's last change at or before {@code instant}: the record existed then as that change
   * left it if {@link HistoryItem#existedAt(Instant)}. Empty when it had no change by then (or
   * retention removed it).
   */
  public CompletionStage<Optional<HistoryItem>> getAsOf(String key, Instant instant) {
    return withValidKey(
        key,
        () -> {
          if (instant == null) {
            throw new InvalidRequestException("the instant is missing");
          }
          return history().asOf(partitionOf(key), key, instant);
        });
  }

  private RecordHistory history() {
    return new RecordHistory(grid, name);
  }

  /** Deletes the record; completes with false when there was none. */
  public CompletionStage<Boolean> delete(String key) {
    return delete(key, WriteOptions.none());
  }

  /**
   * Deletes the record if it satisfies the precondition; see {@link #delete(String, WriteOptions)}.
   */
  public CompletionStage<Boolean> delete(String key, Precondition precondition) {
    return delete(key, WriteOptions.none().withPrecondition(precondition));
  }

  /**
   * Deletes the record if it satisfies the options' precondition; completes with true once the
   * deletion is durable, false when there was no record (and the precondition allowed that). A TTL
   * in the options is ignored.
   */
  public CompletionStage<Boolean> delete(String key, WriteOptions options) {
    return withValidKey(
        key,
        () ->
            write(key, requests.delete(key, options))
                .thenApply(outcome -> outcome.status() == WriteOutcome.Status.DELETED));
  }

  /**
   * Applies a JSON merge patch (RFC 7396) to the record, in its partition, atomically: no other
   * write comes between reading the current value and writing the patched one, so concurrent
   * patches never lose each other's changes. The record keeps its content type and its expiry time;
   * the options' TTL is ignored.
   *
   * <p>Fails with {@link InvalidRequestException} when the patch is not one JSON value, {@link
   * NotFoundException} when the record does not exist, {@link ConflictException} when its value is
   * not JSON, {@link ValueTooLargeException} when the result would exceed the value limit, {@link
   * PreconditionFailedException} when the precondition fails.
   */
  public CompletionStage<WriteResult> patch(String key, byte[] mergePatch, WriteOptions options) {
    return validated(() -> requests.checkPatch(key, mergePatch))
        .thenCompose(config -> write(key, requests.patch(key, mergePatch, options, config)))
        .thenApply(outcome -> replies.writeResult(key, outcome));
  }

  /**
   * Adds {@code delta} to the counter under {@code key}, a record whose value is a JSON integer,
   * atomically in its partition: concurrent increments never lose one another. A missing record is
   * created at 0 (as {@code application/json}, with the options' TTL or the map's default); an
   * existing one keeps its expiry time. The options' precondition must be none.
   *
   * <p>Fails with {@link ConflictException} when the value is not a JSON integer or the sum would
   * overflow a 64-bit integer.
   */
  public CompletionStage<CounterResult> increment(String key, long delta, WriteOptions options) {
    return validated(() -> requests.checkIncrement(key, options))
        .thenCompose(config -> write(key, requests.increment(key, delta, options, config)))
        .thenApply(outcome -> replies.counterResult(key, outcome));
  }

  /**
   * Runs a batch of puts, gets and deletes, answering one result per item, in order. Items are
   * grouped by partition: the items of one partition are decided in order and written as one atomic
   * journal write, so a batch costs one journal write per partition it touches. Items of different
   * partitions are independent: the batch as a whole is not atomic, and a failure of one partition
   * (503) fails only its items. A get sees the earlier items of the batch on the same key.
   *
   * <p>The whole batch fails, with nothing done, when an item is invalid ({@link
   * InvalidRequestException}, {@link ValueTooLargeException}) or there are more than {@code
   * actorgrid.limits.max-batch-items} items ({@link BatchTooLargeException}).
   *
   * @param idempotencyKey null, or a key for the whole batch: each write item is remembered under
   *     it and its position, so a retried batch gets each write's original outcome
   */
  public CompletionStage<List<BatchResult>> batch(List<BatchItem> items, String idempotencyKey) {
    return batch(items, idempotencyKey, null);
  }

  /**
   * As {@link #batch(List, String)}, with each write recorded as made by {@code principal} (see
   * {@link WriteOptions#withPrincipal}); null when unknown.
   */
  public CompletionStage<List<BatchResult>> batch(
      List<BatchItem> items, String idempotencyKey, String principal) {
    if (principal != null) {
      try {
        WriteOptions.none().withPrincipal(principal);
      } catch (GridException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    return validated(
            () ->
                requests.checkBatch(
                    items,
                    () -> {
                      if (idempotencyKey != null) {
                        WriteOptions.checkIdempotencyKey(idempotencyKey);
                      }
                    }))
        .thenCompose(config -> runBatch(items, idempotencyKey, principal, config));
  }

  private CompletionStage<List<BatchResult>> runBatch(
      List<BatchItem> items, String idempotencyKey, String principal, MapConfig config) {
    return BatchPlan.run(
        items.stream().map(BatchItem::key).toList(),
        requests.batch(items, idempotencyKey, principal, config),
        this::partitionOf,
        grid.settings().maxBatchPartitionBytes(),
        (partition, group) -> grid.askToWrite(partition, group, Partition.Outcomes::outcomes),
        replies,
        grid.executor());
  }

  /**
   * The map's settings and live record count; empty when it has neither records nor settings. The
   * count is read partition by partition, so under concurrent writes it is not one point-in-time
   * figure.
   */
  public CompletionStage<Optional<MapInfo>> describe() {
    CompletionStage<Optional<MapConfig>> config = grid.readMapConfig(name);
    return count()
        .thenCombine(
            config,
            (count, settings) ->
                count == 0 && settings.isEmpty()
                    ? Optional.<MapInfo>empty()
                    : Optional.of(
                        new MapInfo(
                            name,
                            count,
                            settings.map(Grid::toSettings).orElse(null),
                            settings.map(MapConfig::version).orElse(0L))));
  }

  /** Records of the map that exist now (expired ones excluded), counted partition by partition. */
  public CompletionStage<Long> count() {
    return grid.counts().thenApply(counts -> counts.getOrDefault(name, 0L));
  }

  /**
   * Creates or replaces the map's settings, durably, if they satisfy the precondition (on the
   * settings' version). Completes with the settings' new version ({@link WriteResult#key()} is
   * null, {@link WriteResult#created()} true when the map had no settings).
   */
  public CompletionStage<WriteResult> configure(MapSettings settings, Precondition precondition) {
    return validated(() -> requests.checkSettings(settings))
        .thenCompose(ignored -> configureHome(requests.configure(settings, precondition)))
        .thenApply(replies::settingsResult);
  }

  /**
   * Removes every record of the map, partition by partition (each partition's removal is one
   * event), and keeps its settings. Completes with the number of records removed. Not atomic across
   * partitions: a write made during the call may or may not survive it.
   */
  public CompletionStage<Long> clear() {
    return clear(WriteOptions.none());
  }

  /**
   * As {@link #clear()}, recorded as made by the options' principal (their other settings do not
   * apply to a clear).
   */
  public CompletionStage<Long> clear(WriteOptions options) {
    int partitions = grid.partitioner().partitions();
    List<CompletableFuture<Long>> removed = new ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      removed.add(
          grid.askToWrite(
                  p,
                  List.of(new WriteOp.ClearMap(name, options.principal())),
                  (Partition.Outcomes reply) -> {
                    WriteOutcome outcome = reply.outcomes().get(0);
                    if (outcome.status() != WriteOutcome.Status.CLEARED) {
                      throw replies.failure("", outcome);
                    }
                    return outcome.version();
                  })
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(removed.toArray(CompletableFuture[]::new))
        .thenApplyAsync(
            ignored -> removed.stream().mapToLong(CompletableFuture::join).sum(), grid.executor());
  }

  /**
   * Deletes the map: its settings, then its records (see {@link #clear()}). Completes with false
   * when the map had neither.
   */
  public CompletionStage<Boolean> drop() {
    return drop(WriteOptions.none());
  }

  /** As {@link #drop()}, its clear recorded as made by the options' principal. */
  public CompletionStage<Boolean> drop(WriteOptions options) {
    return configureHome(new WriteOp.Configure(name, 0, 0, true, WriteOp.ANY))
        .thenCompose(
            outcome ->
                clear(options)
                    .thenApply(
                        removed -> removed > 0 || outcome.status() == WriteOutcome.Status.DELETED));
  }

  private CompletionStage<WriteOutcome> configureHome(WriteOp.Configure op) {
    return grid.askToWrite(
        grid.partitioner().homeOf(name),
        List.of(op),
        (Partition.Outcomes reply) -> {
          WriteOutcome outcome = reply.outcomes().get(0);
          switch (outcome.status()) {
            case CREATED, UPDATED ->
                grid.noteMapConfig(
                    name,
                    outcome.version(),
                    new MapConfig(
                        op.defaultTtlMillis(),
                        op.maxValueBytes(),
                        outcome.version(),
                        0,
                        0,
                        op.historyRetentionMillis()));
            case DELETED -> grid.noteMapConfig(name, outcome.version(), null);
            default -> {}
          }
          if (outcome.status() == WriteOutcome.Status.PRECONDITION_FAILED) {
            throw replies.settingsPreconditionFailed(outcome);
          }
          if (outcome.status() == WriteOutcome.Status.UNAVAILABLE) {
            throw replies.failure("", outcome);
          }
          return outcome;
        });
  }

  /**
   * A feed of this map's changes, of keys that start with the query's prefix: see {@link
   * Grid#changes(ChangeQuery)} for its items, start positions, guarantees and failures, which are
   * the same. Ids of every feed are positions over all maps, so an id from any feed resumes this
   * one. A {@link Change.Op#CLEAR clear} written before clears named their keys has no key and is
   * delivered to every prefix.
   *
   * @throws InvalidRequestException when the query's id is malformed or from a grid with another
   *     number of partitions, or the prefix is longer than a key may be
   */
  public Flow.Publisher<Change> changes(ChangeQuery query) {
    return grid.changes(name, query);
  }

  /**
   * A page of entries in key order. The page is merged from every partition, each read at a
   * slightly different moment: an entry written or deleted during the call may or may not appear.
   */
  public CompletionStage<Page> list(ListQuery query) {
    String after;
    try {
      after = requests.checkList(query);
    } catch (GridException e) {
      return CompletableFuture.failedFuture(e);
    }
    int partitions = grid.partitioner().partitions();
    long pageBytes = grid.settings().maxListBytes();
    long partitionBytes =
        ListPages.partitionBytes(pageBytes, partitions, grid.settings().maxBatchPartitionBytes());
    return ListPages.read(
        partitions,
        p ->
            grid.askToRead(
                p,
                (ActorRef<PartitionState.Listing> replyTo) ->
                    new Partition.ListEntries(
                        name,
                        query.prefix(),
                        after,
                        query.limit(),
                        query.withValues(),
                        partitionBytes,
                        replyTo),
                (PartitionState.Listing listing) -> listing),
        query.limit(),
        pageBytes,
        replies,
        grid.executor());
  }

  /** Sends one write to the key's partition; a failed outcome completes the stage exceptionally. */
  private CompletionStage<WriteOutcome> write(String key, WriteOp op) {
    return grid.askToWrite(
        partitionOf(key),
        List.of(op),
        reply -> {
          WriteOutcome outcome = reply.outcomes().get(0);
          return switch (outcome.status()) {
            case CREATED, UPDATED, DELETED, NOT_FOUND, FOUND, CLEARED -> outcome;
            default -> throw replies.failure(key, outcome);
          };
        });
  }

  /**
   * Runs the synchronous checks, then completes with the map's settings (MapSettings.DEFAULT values
   * when it has none); a check's failure completes the stage with it.
   */
  private CompletionStage<MapConfig> validated(Runnable checks) {
    try {
      checks.run();
    } catch (GridException e) {
      return CompletableFuture.failedFuture(e);
    }
    return grid.mapConfig(name);
  }

  private int partitionOf(String key) {
    return grid.partitioner().partitionOf(name, key);
  }

  /**
   * Runs the action if the key is valid; otherwise, or when the action refuses its arguments, a
   * stage failed with the problem.
   */
  private <T> CompletionStage<T> withValidKey(String key, Supplier<CompletionStage<T>> action) {
    try {
      requests.checkKey(key);
      return action.get();
    } catch (GridException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
