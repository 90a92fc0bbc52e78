package io.actorgrid.grid.internal;

import io.actorgrid.serialization.CborSerializable;

/**
 * One record as a partition holds it. {@code value} is null in list replies that did not ask for
 * values. Instances are never mutated; the array is not copied, so no code may write into it.
 *
 * @param version the partition sequence number of the event that last changed the record
 * @param created epoch milliseconds of the event that created the record
 * @param updated epoch milliseconds of the event that last changed it
 */
public record StoredEntry(
    String key, byte[] value, String contentType, long version, long created, long updated)
    implements CborSerializable {

  public StoredEntry withoutValue() {
    return new StoredEntry(key, null, contentType, version, created, updated);
  }

  /** An estimate of the bytes this record costs in a snapshot, used to size snapshots. */
  long weight() {
    return 48L + key.length() * 2L + (value == null ? 0 : value.length) + contentType.length();
  }
}
