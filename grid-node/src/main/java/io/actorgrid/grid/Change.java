package io.actorgrid.grid;

import java.time.Instant;

/**
 * One change of a record, as a change feed delivers it ({@link Grid#changes}, {@link
 * GridMap#changes}), or a checkpoint.
 *
 * <p>{@code id} is an opaque position in the feed: pass it to {@link ChangeQuery#after} to resume
 * strictly after this change. A <b>checkpoint</b> carries only an id ({@link #isCheckpoint()}): it
 * lets a consumer of a quiet or filtered feed advance its position without a change to deliver.
 * Every feed starts with a checkpoint of its starting position, and sends one at least every 10
 * seconds while it has nothing else to send.
 *
 * @param id where the feed is after this item; resume with {@link ChangeQuery#after(String)}
 * @param map the map of the changed record; null for a checkpoint
 * @param key the changed record's key; null for a checkpoint, and for a {@link Op#CLEAR clear}
 *     written before clears named their keys (it removed every record of the map in one partition)
 * @param op what happened; null for a checkpoint
 * @param version the record's version after the change: the change's sequence number in its
 *     partition's journal (for a delete, expiry or clear, the version of the record's removal)
 * @param time when the partition accepted the change
 * @param contentType the stored content type of a put, patch or increment, when the feed was asked
 *     for values; else null
 * @param value the stored value of a put, patch or increment, when the feed was asked for values;
 *     else null. Do not modify the array.
 */
public record Change(
    String id,
    String map,
    String key,
    Op op,
    long version,
    Instant time,
    String contentType,
    byte[] value) {

  /** What a change did to its record. */
  public enum Op {
    /** The record was created or replaced. */
    PUT,
    /** A JSON merge patch changed the record. */
    PATCH,
    /** A counter increment changed (or created) the record. */
    INCREMENT,
    /** A client deleted the record. */
    DELETE,
    /** The record's time to live ran out and its partition removed it. */
    EXPIRE,
    /** The map was cleared (or dropped), removing the record. */
    CLEAR;

    /** The name in the HTTP API: {@code put}, {@code patch}, ... */
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A checkpoint: only a position, no change. */
  public static Change checkpoint(String id) {
    return new Change(id, null, null, null, 0, null, null, null);
  }

  /** Whether this is a checkpoint (only an id) rather than a change. */
  public boolean isCheckpoint() {
    return op == null;
  }
}
