package io.actorgrid.grid.internal;

import io.actorgrid.serialization.CborSerializable;

/**
 * What became of one {@link WriteOp}. {@code version} is the record's new version for CREATED,
 * UPDATED and DELETED, and its current version (0 = absent) for PRECONDITION_FAILED.
 */
public record WriteOutcome(Status status, long version) implements CborSerializable {
  public enum Status {
    CREATED,
    UPDATED,
    DELETED,
    NOT_FOUND,
    PRECONDITION_FAILED,
    /** The partition lost its journal before it could answer; the write may or may not be in it. */
    UNAVAILABLE
  }

  static final WriteOutcome UNAVAILABLE = new WriteOutcome(Status.UNAVAILABLE, 0);
}
