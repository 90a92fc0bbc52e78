package io.actorgrid.grid;

import java.time.Instant;

/**
 * One change in the history of a record (see {@link GridMap#history}).
 *
 * @param version the change's position in its partition's journal; for a change that left a value,
 *     the version the record had from then on
 * @param op what the change was: {@code put}, {@code patch}, {@code increment}, {@code delete},
 *     {@code expire} or {@code clear} (the map was cleared or deleted)
 * @param time when the change was written
 * @param contentType the value's media type, for changes that left a value; else null
 * @param value the value the change left, when asked for and the change left one; else null. Do not
 *     modify the array.
 * @param expiresAt when the value left would expire, or null
 * @param by the name of who made the change (the principal of its {@link WriteOptions}, over HTTP
 *     the token's name); null when unknown: made without one, before principals were recorded, or
 *     an expiry
 */
public record HistoryItem(
    long version,
    String op,
    Instant time,
    String contentType,
    byte[] value,
    Instant expiresAt,
    String by) {
  /** A change by an unknown principal. */
  public HistoryItem(
      long version, String op, Instant time, String contentType, byte[] value, Instant expiresAt) {
    this(version, op, time, contentType, value, expiresAt, null);
  }

  /** Whether the change left a value (a put, patch or increment). */
  public boolean leftValue() {
    return contentType != null;
  }

  /** Whether the record existed, as this change left it, at {@code instant}. */
  public boolean existedAt(Instant instant) {
    return leftValue() && (expiresAt == null || expiresAt.isAfter(instant));
  }
}
