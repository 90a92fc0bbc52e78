package io.actorgrid.grid.internal;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.actorgrid.serialization.CborSerializable;

/**
 * A change requested of a partition, with the version it expects the record to have.
 *
 * <p>{@code expected}: {@link #ANY} writes unconditionally, {@link #ABSENT} only when the record
 * does not exist, {@link #EXISTS} only when it does, and a positive number only when that is the
 * record's current version.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = WriteOp.Put.class, name = "put"),
  @JsonSubTypes.Type(value = WriteOp.Delete.class, name = "delete")
})
public sealed interface WriteOp extends CborSerializable {
  long ANY = -1;
  long ABSENT = 0;
  long EXISTS = -2;

  String map();

  String key();

  long expected();

  /** Approximate size in bytes, used to bound a journal write. */
  int size();

  /** Whether a record at {@code currentVersion} (0 = absent) satisfies {@code expected}. */
  static boolean satisfied(long expected, long currentVersion) {
    if (expected == ANY) {
      return true;
    }
    if (expected == EXISTS) {
      return currentVersion > 0;
    }
    return currentVersion == expected;
  }

  record Put(String map, String key, byte[] value, String contentType, long expected)
      implements WriteOp {
    @Override
    public int size() {
      return value.length + key.length() + 64;
    }
  }

  record Delete(String map, String key, long expected) implements WriteOp {
    @Override
    public int size() {
      return key.length() + 64;
    }
  }
}
