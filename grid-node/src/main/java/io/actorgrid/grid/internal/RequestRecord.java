package io.actorgrid.grid.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.actorgrid.serialization.CborSerializable;

/**
 * What a write that carried an idempotency key did, kept so that a retry of it gets the same
 * outcome instead of writing again. Built from the write's event, so it survives crashes and moves
 * with the partition.
 *
 * @param hash fingerprint of the original request: a retry must match it
 * @param value the value the write answered with (counter increments only), else null
 * @param detail the explanation of a failed outcome, else null
 * @param at epoch milliseconds of the write; the record is forgotten after the window
 * @param seq the sequence number of the event that recorded it: the order of forgetting
 */
public record RequestRecord(
    String id,
    String map,
    String key,
    long hash,
    WriteOutcome.Status status,
    long version,
    @JsonInclude(JsonInclude.Include.NON_NULL) byte[] value,
    @JsonInclude(JsonInclude.Include.NON_NULL) String detail,
    long at,
    long seq)
    implements CborSerializable {

  boolean matches(String map, String key, long hash) {
    return this.hash == hash && this.map.equals(map) && this.key.equals(key);
  }

  WriteOutcome outcome() {
    StoredEntry entry =
        value == null ? null : new StoredEntry(key, value, "application/json", version, at, at, 0);
    return new WriteOutcome(status, version, entry, detail);
  }

  long weight() {
    return 72L
        + (id.length() + map.length() + key.length()) * 2L
        + (value == null ? 0 : value.length)
        + (detail == null ? 0 : detail.length() * 2L);
  }
}
