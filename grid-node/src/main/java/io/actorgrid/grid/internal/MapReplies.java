package io.actorgrid.grid.internal;

import io.actorgrid.grid.BatchResult;
import io.actorgrid.grid.ConflictException;
import io.actorgrid.grid.CounterResult;
import io.actorgrid.grid.Entry;
import io.actorgrid.grid.GridException;
import io.actorgrid.grid.GridUnavailableException;
import io.actorgrid.grid.IdempotencyKeyReusedException;
import io.actorgrid.grid.InsufficientStorageException;
import io.actorgrid.grid.NotFoundException;
import io.actorgrid.grid.PreconditionFailedException;
import io.actorgrid.grid.ValueTooLargeException;
import io.actorgrid.grid.WriteResult;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * What one map's partitions answer, turned into the public API's results and exceptions: a {@link
 * WriteOutcome} into a {@link WriteResult}, {@link CounterResult} or {@link BatchResult}, or into
 * the {@link GridException} that says which failure it was; a {@link StoredEntry} into an {@link
 * Entry}.
 */
public final class MapReplies {
  private final String map;
  private final Supplier<String> fullDiskNote;

  /**
   * @param fullDiskNote the sentence added to an unavailable write's message when a disk is full
   *     (empty otherwise), asked when such a failure happens
   */
  public MapReplies(String map, Supplier<String> fullDiskNote) {
    this.map = map;
    this.fullDiskNote = fullDiskNote;
  }

  /** The exception for an outcome that is a failure. */
  public GridException failure(String key, WriteOutcome outcome) {
    return switch (outcome.status()) {
      case PRECONDITION_FAILED -> new PreconditionFailedException(map, key, outcome.version());
      case CONFLICT -> new ConflictException(outcome.detail());
      case TOO_LARGE -> new ValueTooLargeException(outcome.detail(), 0, 0);
      case REQUEST_MISMATCH -> new IdempotencyKeyReusedException(outcome.detail());
      case INSUFFICIENT_STORAGE -> new InsufficientStorageException(outcome.detail());
      case NOT_FOUND ->
          new NotFoundException("map '" + map + "' has no entry with key '" + key + "'");
      default ->
          new GridUnavailableException(
              "the partition of key '"
                  + key
                  + "' could not complete the write; it was not acknowledged. Retry shortly."
                  + fullDiskNote.get());
    };
  }

  public WriteResult writeResult(String key, WriteOutcome outcome) {
    if (outcome.status() == WriteOutcome.Status.NOT_FOUND) {
      throw failure(key, outcome);
    }
    return new WriteResult(
        map, key, outcome.version(), outcome.status() == WriteOutcome.Status.CREATED);
  }

  public CounterResult counterResult(String key, WriteOutcome outcome) {
    return new CounterResult(
        map,
        key,
        Long.parseLong(new String(outcome.entry().value(), StandardCharsets.US_ASCII)),
        outcome.version(),
        outcome.status() == WriteOutcome.Status.CREATED);
  }

  /** The settings' outcome as a result: the map's settings have no key. */
  public WriteResult settingsResult(WriteOutcome outcome) {
    return new WriteResult(
        map, null, outcome.version(), outcome.status() == WriteOutcome.Status.CREATED);
  }

  /** A failed precondition on the map's settings, whose version is the outcome's. */
  public PreconditionFailedException settingsPreconditionFailed(WriteOutcome outcome) {
    return new PreconditionFailedException(
        outcome.version() == 0
            ? "map '" + map + "' has no settings"
            : "the settings of map '" + map + "' are at version " + outcome.version(),
        outcome.version());
  }

  public BatchResult batchResult(String key, WriteOutcome outcome) {
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
              new PreconditionFailedException(map, key, outcome.version()));
      default -> failedItem(key, failure(key, outcome));
    };
  }

  /** The result of a batch item whose partition failed with {@code error}. */
  public static BatchResult failedItem(String key, Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    GridException e =
        cause instanceof GridException g
            ? g
            : new GridUnavailableException("the item's partition failed: " + cause);
    return new BatchResult(key, BatchResult.Outcome.FAILED, 0, null, e);
  }

  public Entry toEntry(StoredEntry e) {
    return new Entry(
        map,
        e.key(),
        e.value(),
        e.contentType(),
        e.version(),
        Instant.ofEpochMilli(e.created()),
        Instant.ofEpochMilli(e.updated()),
        e.expiresAt() == 0 ? null : Instant.ofEpochMilli(e.expiresAt()));
  }
}
