package io.actorgrid.grid.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.actorgrid.serialization.CborSerializable;

/**
 * One record as a partition holds it. {@code value} is null in list replies that did not ask for
 * values. Instances are never mutated; the array is not copied, so no code may write into it.
 *
 * @param version the partition sequence number of the event that last changed the record
 * @param created epoch milliseconds of the event that created the record
 * @param updated epoch milliseconds of the event that last changed it
 * @param expiresAt epoch milliseconds from which the record no longer exists; 0: never
 */
public record StoredEntry(
    String key,
    byte[] value,
    String contentType,
    long version,
    long created,
    long updated,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) long expiresAt)
    implements CborSerializable {

  public StoredEntry withoutValue() {
    return new StoredEntry(key, null, contentType, version, created, updated, expiresAt);
  }

  /** Whether the record has expired at {@code now} (epoch milliseconds). */
  public boolean expiredAt(long now) {
    return expiresAt != 0 && expiresAt <= now;
  }

  /** An estimate of the bytes this record costs in a snapshot, used to size snapshots. */
  long weight() {
    return 48L + key.length() * 2L + (value == null ? 0 : value.length) + contentType.length();
  }
}
