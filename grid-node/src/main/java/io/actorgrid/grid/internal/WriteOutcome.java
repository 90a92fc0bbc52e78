package io.actorgrid.grid.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.actorgrid.serialization.CborSerializable;

/**
 * What became of one {@link WriteOp}. {@code version} is the record's new version for CREATED,
 * UPDATED and DELETED, its current version (0 = absent) for PRECONDITION_FAILED and FOUND, and the
 * number of records removed for CLEARED. {@code entry} is the record read (FOUND) or the counter
 * after an increment; {@code detail} says why for CONFLICT and TOO_LARGE.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WriteOutcome(Status status, long version, StoredEntry entry, String detail)
    implements CborSerializable {
  public enum Status {
    CREATED,
    UPDATED,
    DELETED,
    FOUND,
    NOT_FOUND,
    PRECONDITION_FAILED,
    /** The record's value does not allow the operation (a patch of a non-JSON value, ...). */
    CONFLICT,
    /** The result of the operation would exceed the value size limit. */
    TOO_LARGE,
    /** The idempotency key was used before for a different request. */
    REQUEST_MISMATCH,
    CLEARED,
    /** The partition lost its journal before it could answer; the write may or may not be in it. */
    UNAVAILABLE,
    /** The node that hosts the partition has no room for more data (MemoryGuard); nothing done. */
    INSUFFICIENT_STORAGE
  }

  public WriteOutcome(Status status, long version) {
    this(status, version, null, null);
  }

  static final WriteOutcome UNAVAILABLE = new WriteOutcome(Status.UNAVAILABLE, 0);

  /** The outcome of a read: FOUND with the record, or NOT_FOUND when {@code entry} is null. */
  static WriteOutcome read(StoredEntry entry) {
    return entry == null
        ? new WriteOutcome(Status.NOT_FOUND, 0)
        : new WriteOutcome(Status.FOUND, entry.version(), entry, null);
  }

  static WriteOutcome failed(Status status, long version, String detail) {
    return new WriteOutcome(status, version, null, detail);
  }
}
