package io.actorgrid.grid;

import io.actorgrid.grid.internal.BatchPlan;
import io.actorgrid.grid.internal.JsonValues;
import io.actorgrid.grid.internal.ListPages;
import io.actorgrid.grid.internal.MapConfig;
import io.actorgrid.grid.internal.Partition;
import io.actorgrid.grid.internal.PartitionState;
import io.actorgrid.grid.internal.StoredEntry;
import io.actorgrid.grid.internal.WriteOp;
import io.actorgrid.grid.internal.WriteOutcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

  private final Grid grid;
  private final String name;

  GridMap(Grid grid, String name) {
    this.grid = grid;
    this.name = name;
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
    return validated(
            () -> {
              checkKey(key);
              if (value == null) {
                throw new InvalidRequestException("the value is missing");
              }
              checkNodeValueLimit(value.length);
              checkTtl(options.ttl());
            })
        .thenCompose(
            config -> {
              checkMapValueLimit(config, value.length);
              return write(
                  key,
                  putOp(
                      key,
                      value,
                      contentType,
                      expected(options.precondition()),
                      options.ttl(),
                      config,
                      options.idempotencyKey(),
                      options.principal()));
            })
        .thenApply(outcome -> writeResult(key, outcome));
  }

  /** The record, or empty when the key has none (or it has expired). */
  public CompletionStage<Optional<Entry>> get(String key) {
    return withValidKey(
        key,
        () ->
            grid.askToRead(
                partitionOf(key),
                (ActorRef<Partition.GetReply> replyTo) -> new Partition.Get(name, key, replyTo),
                reply -> {
                  if (reply.unavailable()) {
                    throw new GridUnavailableException(
                        "the partition of key '"
                            + key
                            + "' is recovering and holds as many requests as it can. Retry"
                            + " shortly.");
                  }
                  return Optional.ofNullable(reply.entry()).map(this::toEntry);
                }));
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
            write(
                    key,
                    deleteOp(
                        key,
                        expected(options.precondition()),
                        options.idempotencyKey(),
                        options.principal()))
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
    return validated(
            () -> {
              checkKey(key);
              if (mergePatch == null || JsonValues.parse(mergePatch) == null) {
                throw new InvalidRequestException(
                    "the merge patch is not one JSON value (RFC 7396); send a JSON object such as"
                        + " {\"name\":\"Alice\"}, with null for members to remove");
              }
              checkNodeValueLimit(mergePatch.length);
            })
        .thenCompose(
            config -> {
              long expected = expected(options.precondition());
              return write(
                  key,
                  new WriteOp.Patch(
                      name,
                      key,
                      mergePatch,
                      expected,
                      valueLimit(config),
                      WriteOp.Request.of(
                          options.idempotencyKey(), "patch", name, key, mergePatch, expected),
                      options.principal()));
            })
        .thenApply(outcome -> writeResult(key, outcome));
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
    return validated(
            () -> {
              checkKey(key);
              checkTtl(options.ttl());
              if (options.precondition() != Precondition.none()) {
                throw new InvalidRequestException(
                    "an increment takes no precondition: it applies to the current value");
              }
            })
        .thenCompose(
            config -> {
              long ttl = ttlMillis(options.ttl(), config);
              return write(
                  key,
                  new WriteOp.Increment(
                      name,
                      key,
                      delta,
                      ttl,
                      WriteOp.Request.of(
                          options.idempotencyKey(), "increment", name, key, delta, options.ttl()),
                      options.principal()));
            })
        .thenApply(
            outcome ->
                new CounterResult(
                    name,
                    key,
                    Long.parseLong(new String(outcome.entry().value(), StandardCharsets.US_ASCII)),
                    outcome.version(),
                    outcome.status() == WriteOutcome.Status.CREATED));
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
            () -> {
              if (items == null || items.isEmpty()) {
                throw new InvalidRequestException("the batch has no items; send 1 or more");
              }
              if (idempotencyKey != null) {
                WriteOptions.checkIdempotencyKey(idempotencyKey);
              }
              if (items.size() > grid.settings().maxBatchItems()) {
                throw new BatchTooLargeException(items.size(), grid.settings().maxBatchItems());
              }
              for (int i = 0; i < items.size(); i++) {
                BatchItem item = items.get(i);
                try {
                  checkKey(item.key());
                  if (item.kind() == BatchItem.Kind.PUT) {
                    if (item.value() == null) {
                      throw new InvalidRequestException("a put needs a value");
                    }
                    checkNodeValueLimit(item.value().length);
                    checkTtl(item.ttl());
                  }
                } catch (GridException e) {
                  throw itemFailure(i, e);
                }
              }
              if (items.stream().anyMatch(item -> item.kind() == BatchItem.Kind.PUT)) {}
            })
        .thenCompose(config -> runBatch(items, idempotencyKey, principal, config));
  }

  private CompletionStage<List<BatchResult>> runBatch(
      List<BatchItem> items, String idempotencyKey, String principal, MapConfig config) {
    List<WriteOp> ops = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      BatchItem item = items.get(i);
      String itemKey = idempotencyKey == null ? null : idempotencyKey + "#" + i;
      long expected = expected(item.precondition());
      switch (item.kind()) {
        case GET -> ops.add(new WriteOp.Read(name, item.key()));
        case DELETE -> ops.add(deleteOp(item.key(), expected, itemKey, principal));
        case PUT -> {
          try {
            checkMapValueLimit(config, item.value().length);
          } catch (GridException e) {
            throw itemFailure(i, e);
          }
          ops.add(
              putOp(
                  item.key(),
                  item.value(),
                  item.contentType(),
                  expected,
                  item.ttl(),
                  config,
                  itemKey,
                  principal));
        }
      }
    }
    Map<Integer, List<Integer>> byPartition =
        BatchPlan.byPartition(ops, this::partitionOf, grid.settings().maxBatchPartitionBytes());
    BatchResult[] results = new BatchResult[items.size()];
    List<CompletableFuture<Void>> done = new ArrayList<>(byPartition.size());
    byPartition.forEach(
        (partition, indexes) -> {
          List<WriteOp> group = indexes.stream().map(ops::get).toList();
          done.add(
              grid.askToWrite(partition, group, Partition.Outcomes::outcomes)
                  .handle(
                      (outcomes, error) -> {
                        for (int j = 0; j < indexes.size(); j++) {
                          int i = indexes.get(j);
                          results[i] =
                              error != null
                                  ? failedItem(items.get(i).key(), error)
                                  : batchResult(items.get(i).key(), outcomes.get(j));
                        }
                        return (Void) null;
                      })
                  .toCompletableFuture());
        });
    return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new))
        .thenApplyAsync(ignored -> List.of(results), grid.executor());
  }

  /** An invalid batch item's failure, with its position and the same status. */
  private static GridException itemFailure(int index, GridException e) {
    String message = "items[" + index + "]: " + e.getMessage();
    return e instanceof ValueTooLargeException tooLarge
        ? new ValueTooLargeException(message, tooLarge.size(), tooLarge.limit())
        : new InvalidRequestException(message);
  }

  private BatchResult batchResult(String key, WriteOutcome outcome) {
    return switch (outcome.status()) {
      case CREATED ->
          new BatchResult(key, BatchResult.Outcome.CREATED, outcome.version(), null, null);
      case UPDATED ->
          new BatchResult(key, BatchResult.Outcome.UPDATED, outcome.version(), null, null);
      case DELETED ->
          new BatchResult(key, BatchResult.Outcome.DELETED, outcome.version(), null, null);
      case FOUND ->
          new BatchResult(
              key, BatchResult.Outcome.FOUND, outcome.version(), toEntry(outcome.entry()), null);
      case NOT_FOUND -> new BatchResult(key, BatchResult.Outcome.NOT_FOUND, 0, null, null);
      case PRECONDITION_FAILED ->
          new BatchResult(
              key,
              BatchResult.Outcome.PRECONDITION_FAILED,
              outcome.version(),
              null,
              new PreconditionFailedException(name, key, outcome.version()));
      default -> failedItem(key, failure(key, outcome));
    };
  }

  private static BatchResult failedItem(String key, Throwable error) {
    Throwable cause =
        error instanceof java.util.concurrent.CompletionException && error.getCause() != null
            ? error.getCause()
            : error;
    GridException e =
        cause instanceof GridException g
            ? g
            : new GridUnavailableException("the item's partition failed: " + cause);
    return new BatchResult(key, BatchResult.Outcome.FAILED, 0, null, e);
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
    return validated(
            () -> {
              if (settings.maxValueBytes() > grid.settings().maxValueBytes()) {
                throw new InvalidRequestException(
                    "maxValueBytes "
                        + settings.maxValueBytes()
                        + " exceeds the node's limit of "
                        + grid.settings().maxValueBytes()
                        + " bytes (actorgrid.limits.max-value-bytes)");
              }
              checkTtl(settings.defaultTtl());
            })
        .thenCompose(
            ignored ->
                configureHome(
                    new WriteOp.Configure(
                        name,
                        settings.defaultTtl() == null ? 0 : settings.defaultTtl().toMillis(),
                        settings.maxValueBytes(),
                        false,
                        expected(precondition),
                        settings.historyRetention() == null
                            ? 0
                            : settings.historyRetention().toMillis())))
        .thenApply(
            outcome ->
                new WriteResult(
                    name,
                    null,
                    outcome.version(),
                    outcome.status() == WriteOutcome.Status.CREATED));
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
                      throw failure("", outcome);
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
            throw new PreconditionFailedException(
                outcome.version() == 0
                    ? "map '" + name + "' has no settings"
                    : "the settings of map '" + name + "' are at version " + outcome.version(),
                outcome.version());
          }
          if (outcome.status() == WriteOutcome.Status.UNAVAILABLE) {
            throw failure("", outcome);
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
      if (query.limit() < 1 || query.limit() > grid.settings().maxListLimit()) {
        throw new InvalidRequestException(
            "limit must be between 1 and "
                + grid.settings().maxListLimit()
                + ", was "
                + query.limit());
      }
      if (query.prefix() == null
          || query.prefix().getBytes(StandardCharsets.UTF_8).length
              > grid.settings().maxKeyBytes()) {
        throw new InvalidRequestException(
            "prefix must be at most " + grid.settings().maxKeyBytes() + " bytes of UTF-8");
      }
      after = query.cursor() == null ? null : ListPages.keyOf(query.cursor());
    } catch (GridException e) {
      return CompletableFuture.failedFuture(e);
    }
    int partitions = grid.partitioner().partitions();
    long pageBytes = grid.settings().maxListBytes();
    long partitionBytes =
        ListPages.partitionBytes(pageBytes, partitions, grid.settings().maxBatchPartitionBytes());
    List<CompletableFuture<PartitionState.Listing>> replies = new ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      replies.add(
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
                  (PartitionState.Listing listing) -> listing)
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
        .thenApplyAsync(
            ignored -> {
              ListPages.Merged page =
                  ListPages.merge(
                      replies.stream().map(CompletableFuture::join).toList(),
                      query.limit(),
                      pageBytes);
              List<Entry> entries = page.entries().stream().map(this::toEntry).toList();
              return new Page(
                  entries,
                  page.more()
                      ? ListPages.cursorAfter(entries.get(entries.size() - 1).key())
                      : null);
            },
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
            default -> throw failure(key, outcome);
          };
        });
  }

  /** The exception for an outcome that is a failure. */
  private GridException failure(String key, WriteOutcome outcome) {
    return switch (outcome.status()) {
      case PRECONDITION_FAILED -> new PreconditionFailedException(name, key, outcome.version());
      case CONFLICT -> new ConflictException(outcome.detail());
      case TOO_LARGE -> new ValueTooLargeException(outcome.detail(), 0, 0);
      case REQUEST_MISMATCH -> new IdempotencyKeyReusedException(outcome.detail());
      case INSUFFICIENT_STORAGE -> new InsufficientStorageException(outcome.detail());
      case NOT_FOUND ->
          new NotFoundException("map '" + name + "' has no entry with key '" + key + "'");
      default ->
          new GridUnavailableException(
              "the partition of key '"
                  + key
                  + "' could not complete the write; it was not acknowledged. Retry shortly."
                  + grid.fullDiskNote());
    };
  }

  private WriteResult writeResult(String key, WriteOutcome outcome) {
    if (outcome.status() == WriteOutcome.Status.NOT_FOUND) {
      throw failure(key, outcome);
    }
    return new WriteResult(
        name, key, outcome.version(), outcome.status() == WriteOutcome.Status.CREATED);
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

  private void checkNodeValueLimit(long size) {
    if (size > grid.settings().maxValueBytes()) {
      throw new ValueTooLargeException(size, grid.settings().maxValueBytes());
    }
  }

  private void checkMapValueLimit(MapConfig config, long size) {
    if (config.maxValueBytes() > 0 && size > config.maxValueBytes()) {
      throw new ValueTooLargeException(
          "the value has "
              + size
              + " bytes; values of map '"
              + name
              + "' may have at most "
              + config.maxValueBytes()
              + " bytes (its maxValueBytes setting). Store a smaller value or change the setting.",
          size,
          config.maxValueBytes());
    }
  }

  private long valueLimit(MapConfig config) {
    return config.maxValueBytes() > 0 ? config.maxValueBytes() : grid.settings().maxValueBytes();
  }

  private void checkTtl(Duration ttl) {
    if (ttl == null) {
      return;
    }
    // Compared before toMillis, which overflows for absurd durations.
    if (ttl.compareTo(grid.settings().maxTtl()) > 0) {
      throw new InvalidRequestException(
          "a time to live may be at most "
              + grid.settings().maxTtl().toDays()
              + " days (actorgrid.limits.max-ttl), was "
              + ttl);
    }
    if (ttl.isNegative() || ttl.toMillis() < 1) {
      throw new InvalidRequestException("a time to live must be at least 1 ms, was " + ttl);
    }
  }

  /**
   * The put of a value; a null content type stores {@code application/octet-stream}. The
   * idempotency fingerprint is of the request as sent (its own TTL, not the map's default that TTL
   * resolves to), so a retry after a change of the map's settings still matches.
   */
  private WriteOp.Put putOp(
      String key,
      byte[] value,
      String contentType,
      long expected,
      Duration ttl,
      MapConfig config,
      String idempotencyKey,
      String principal) {
    String type = contentType == null ? "application/octet-stream" : contentType;
    return new WriteOp.Put(
        name,
        key,
        value,
        type,
        expected,
        ttlMillis(ttl, config),
        WriteOp.Request.of(idempotencyKey, "put", name, key, value, type, expected, ttl),
        principal);
  }

  private WriteOp.Delete deleteOp(
      String key, long expected, String idempotencyKey, String principal) {
    return new WriteOp.Delete(
        name,
        key,
        expected,
        WriteOp.Request.of(idempotencyKey, "delete", name, key, expected),
        principal);
  }

  private static long ttlMillis(Duration explicit, MapConfig config) {
    return explicit != null ? explicit.toMillis() : config.defaultTtlMillis();
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
      checkKey(key);
      return action.get();
    } catch (GridException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private void checkKey(String key) {
    if (key == null || key.isEmpty()) {
      throw new InvalidRequestException("the key is empty; keys have 1 or more characters");
    }
    int bytes = key.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > grid.settings().maxKeyBytes()) {
      throw new InvalidRequestException(
          "the key has "
              + bytes
              + " bytes of UTF-8; keys may have at most "
              + grid.settings().maxKeyBytes()
              + " (actorgrid.limits.max-key-bytes)");
    }
  }

  private static long expected(Precondition precondition) {
    if (precondition instanceof Precondition.IfVersion v) {
      return v.version();
    }
    if (precondition == Precondition.ifAbsent()) {
      return WriteOp.ABSENT;
    }
    if (precondition == Precondition.ifPresent()) {
      return WriteOp.EXISTS;
    }
    return WriteOp.ANY;
  }

  private Entry toEntry(StoredEntry e) {
    return new Entry(
        name,
        e.key(),
        e.value(),
        e.contentType(),
        e.version(),
        Instant.ofEpochMilli(e.created()),
        Instant.ofEpochMilli(e.updated()),
        e.expiresAt() == 0 ? null : Instant.ofEpochMilli(e.expiresAt()));
  }
}
