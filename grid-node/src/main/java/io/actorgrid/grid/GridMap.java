package io.actorgrid.grid;

import io.actorgrid.grid.internal.Partition;
import io.actorgrid.grid.internal.PartitionState;
import io.actorgrid.grid.internal.StoredEntry;
import io.actorgrid.grid.internal.WriteOp;
import io.actorgrid.grid.internal.WriteOutcome;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A named map of the grid: keys to values with a content type and a version.
 *
 * <p><b>Consistency.</b> Each key belongs to exactly one partition, and one partition has exactly
 * one writer in the cluster, so the operations on one key are linearizable: a put or delete
 * completes only after its change is durable in the journal, and a get after that completion
 * sees it (or a later change). A write that has not completed may or may not be visible to a get.
 * Writes that fail with {@link GridUnavailableException} were not acknowledged and may or may not
 * have been applied.
 *
 * <p><b>Failures.</b> When a node crashes, the partitions it held recover from the journal on the
 * remaining nodes; meanwhile their operations fail with {@link GridUnavailableException}. No
 * acknowledged write is lost.
 *
 * <p>Invalid arguments complete the stage with {@link InvalidRequestException} (bad key, limit or
 * cursor) or {@link ValueTooLargeException}; a failed precondition with {@link
 * PreconditionFailedException}. All stages complete on the node's dispatcher.
 */
public final class GridMap {
  private static final String CURSOR_VERSION = "1.";

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
    return put(key, value, contentType, Precondition.none());
  }

  /**
   * Stores the value if the record satisfies the precondition, checked atomically with the write.
   * Completes once the change is durable in the journal.
   *
   * @param contentType the media type returned with the value; null stores {@code
   *     application/octet-stream}
   */
  public CompletionStage<WriteResult> put(
      String key, byte[] value, String contentType, Precondition precondition) {
    try {
      checkKey(key);
      if (value == null) {
        throw new InvalidRequestException("the value is missing");
      }
      if (value.length > grid.settings().maxValueBytes()) {
        throw new ValueTooLargeException(value.length, grid.settings().maxValueBytes());
      }
    } catch (GridException e) {
      return CompletableFuture.failedFuture(e);
    }
    String type = contentType == null ? "application/octet-stream" : contentType;
    WriteOp op = new WriteOp.Put(name, key, value, type, expected(precondition));
    return write(key, op)
        .thenApply(
            outcome ->
                new WriteResult(
                    name,
                    key,
                    outcome.version(),
                    outcome.status() == WriteOutcome.Status.CREATED));
  }

  /** The record, or empty when the key has none. */
  public CompletionStage<Optional<Entry>> get(String key) {
    return withValidKey(
        key,
        () ->
            grid.ask(
                partitionOf(key),
                (ActorRef<Partition.GetReply> replyTo) -> new Partition.Get(name, key, replyTo),
                reply -> Optional.ofNullable(reply.entry()).map(this::toEntry)));
  }

  /** Deletes the record; completes with false when there was none. */
  public CompletionStage<Boolean> delete(String key) {
    return delete(key, Precondition.none());
  }

  /**
   * Deletes the record if it satisfies the precondition; completes with true once the deletion is
   * durable, false when there was no record (and the precondition allowed that).
   */
  public CompletionStage<Boolean> delete(String key, Precondition precondition) {
    return withValidKey(
        key,
        () ->
            write(key, new WriteOp.Delete(name, key, expected(precondition)))
                .thenApply(outcome -> outcome.status() == WriteOutcome.Status.DELETED));
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
            "limit must be between 1 and " + grid.settings().maxListLimit() + ", was " + query.limit());
      }
      if (query.prefix() == null
          || query.prefix().getBytes(StandardCharsets.UTF_8).length
              > grid.settings().maxKeyBytes()) {
        throw new InvalidRequestException(
            "prefix must be at most " + grid.settings().maxKeyBytes() + " bytes of UTF-8");
      }
      after = query.cursor() == null ? null : decodeCursor(query.cursor());
    } catch (GridException e) {
      return CompletableFuture.failedFuture(e);
    }
    int partitions = grid.partitioner().partitions();
    List<CompletableFuture<PartitionState.Listing>> replies = new ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      replies.add(
          grid.ask(
                  p,
                  (ActorRef<PartitionState.Listing> replyTo) ->
                      new Partition.ListEntries(
                          name, query.prefix(), after, query.limit(), query.withValues(), replyTo),
                  (PartitionState.Listing listing) -> listing)
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
        .thenApplyAsync(ignored -> merge(replies, query.limit()), grid.executor());
  }

  private Page merge(List<CompletableFuture<PartitionState.Listing>> replies, int limit) {
    List<StoredEntry> all = new ArrayList<>();
    boolean more = false;
    for (var reply : replies) {
      PartitionState.Listing listing = reply.join();
      all.addAll(listing.entries());
      more |= listing.more();
    }
    all.sort(Comparator.comparing(StoredEntry::key));
    if (all.size() > limit) {
      all = all.subList(0, limit);
      more = true;
    }
    List<Entry> entries = all.stream().map(this::toEntry).toList();
    String next = more ? encodeCursor(entries.get(entries.size() - 1).key()) : null;
    return new Page(entries, next);
  }

  private CompletionStage<WriteOutcome> write(String key, WriteOp op) {
    return grid.ask(
        partitionOf(key),
        (ActorRef<WriteOutcome> replyTo) ->
            new Partition.Write(op, replyTo),
        outcome ->
            switch (outcome.status()) {
              case PRECONDITION_FAILED -> throw new PreconditionFailedException(
                  name, key, outcome.version());
              case UNAVAILABLE -> throw new GridUnavailableException(
                  "the partition of key '"
                      + key
                      + "' could not complete the write; it was not acknowledged. Retry shortly.");
              default -> outcome;
            });
  }

  private int partitionOf(String key) {
    return grid.partitioner().partitionOf(name, key);
  }

  /** Runs the action if the key is valid; otherwise a stage failed with the key's problem. */
  private <T> CompletionStage<T> withValidKey(String key, Supplier<CompletionStage<T>> action) {
    try {
      checkKey(key);
    } catch (GridException e) {
      return CompletableFuture.failedFuture(e);
    }
    return action.get();
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
        Instant.ofEpochMilli(e.updated()));
  }

  private static String encodeCursor(String lastKey) {
    return CURSOR_VERSION
        + Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(lastKey.getBytes(StandardCharsets.UTF_8));
  }

  private static String decodeCursor(String cursor) {
    try {
      if (!cursor.startsWith(CURSOR_VERSION)) {
        throw new IllegalArgumentException();
      }
      return new String(
          Base64.getUrlDecoder().decode(cursor.substring(CURSOR_VERSION.length())),
          StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(
          "cursor '" + cursor + "' is not one this API issued; pass the cursor of the previous page");
    }
  }
}
