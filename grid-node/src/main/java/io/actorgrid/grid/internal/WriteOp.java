package io.actorgrid.grid.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.actorgrid.serialization.CborSerializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * An operation on a partition, decided by {@link PartitionJournal} in order with the others of its
 * batch, against the state that includes every earlier operation of the batch.
 *
 * <p>{@code expected}: {@link #ANY} writes unconditionally, {@link #ABSENT} only when the record
 * does not exist, {@link #EXISTS} only when it does, and a positive number only when that is the
 * record's current version.
 *
 * <p>{@code request}: the client's idempotency key and a fingerprint of the operation, or null.
 *
 * <p>{@code principal}: the name of who asks for the write (an HTTP token's name), recorded in its
 * event for the record's history; null when unknown. It is not part of the idempotency fingerprint.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = WriteOp.Put.class, name = "put"),
  @JsonSubTypes.Type(value = WriteOp.Delete.class, name = "delete"),
  @JsonSubTypes.Type(value = WriteOp.Patch.class, name = "patch"),
  @JsonSubTypes.Type(value = WriteOp.Increment.class, name = "increment"),
  @JsonSubTypes.Type(value = WriteOp.Read.class, name = "read"),
  @JsonSubTypes.Type(value = WriteOp.Expire.class, name = "expire"),
  @JsonSubTypes.Type(value = WriteOp.ClearMap.class, name = "clear-map"),
  @JsonSubTypes.Type(value = WriteOp.Configure.class, name = "configure"),
  @JsonSubTypes.Type(value = WriteOp.TruncateHistory.class, name = "truncate-history")
})
public sealed interface WriteOp extends CborSerializable {
  long ANY = -1;
  long ABSENT = 0;
  long EXISTS = -2;

  String map();

  /** The record's key; empty for operations on the whole map. */
  String key();

  /** Approximate size in bytes, used to bound a journal write. */
  default int size() {
    return key().length() + 64;
  }

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

  /** A write that a client may retry with an idempotency key. */
  sealed interface Keyed extends WriteOp {
    Request request();

    /** Who asks for the write, or null. */
    String principal();
  }

  /** An idempotency key and the fingerprint of the operation it was sent with. */
  record Request(String id, long hash) implements CborSerializable {
    /** The request for an operation, or null without an idempotency key. */
    public static Request of(String id, Object... parts) {
      if (id == null) {
        return null;
      }
      try {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        for (Object part : parts) {
          byte[] bytes =
              part instanceof byte[] b ? b : String.valueOf(part).getBytes(StandardCharsets.UTF_8);
          digest.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
          digest.update((byte) ':');
          digest.update(bytes);
        }
        byte[] d = digest.digest();
        long hash = 0;
        for (int i = 0; i < 8; i++) {
          hash = (hash << 8) | (d[i] & 0xff);
        }
        return new Request(id, hash);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Creates or replaces a record; {@code ttlMillis} 0: it never expires. */
  record Put(
      String map,
      String key,
      byte[] value,
      String contentType,
      long expected,
      long ttlMillis,
      Request request,
      @JsonInclude(JsonInclude.Include.NON_NULL) String principal)
      implements Keyed {
    public Put(
        String map,
        String key,
        byte[] value,
        String contentType,
        long expected,
        long ttlMillis,
        Request request) {
      this(map, key, value, contentType, expected, ttlMillis, request, null);
    }

    @Override
    public int size() {
      return value.length + key.length() + 64;
    }
  }

  record Delete(
      String map,
      String key,
      long expected,
      Request request,
      @JsonInclude(JsonInclude.Include.NON_NULL) String principal)
      implements Keyed {
    public Delete(String map, String key, long expected, Request request) {
      this(map, key, expected, request, null);
    }
  }

  /** Applies a JSON merge patch (RFC 7396) to a JSON record; the result must fit maxValueBytes. */
  record Patch(
      String map,
      String key,
      byte[] patch,
      long expected,
      long maxValueBytes,
      Request request,
      @JsonInclude(JsonInclude.Include.NON_NULL) String principal)
      implements Keyed {
    public Patch(
        String map, String key, byte[] patch, long expected, long maxValueBytes, Request request) {
      this(map, key, patch, expected, maxValueBytes, request, null);
    }

    @Override
    public int size() {
      return patch.length + key.length() + 64;
    }
  }

  /** Adds delta to a JSON integer record, creating it at 0 (with ttlMillis) when absent. */
  record Increment(
      String map,
      String key,
      long delta,
      long ttlMillis,
      Request request,
      @JsonInclude(JsonInclude.Include.NON_NULL) String principal)
      implements Keyed {
    public Increment(String map, String key, long delta, long ttlMillis, Request request) {
      this(map, key, delta, ttlMillis, request, null);
    }
  }

  /** Reads a record in order with the writes of its batch. */
  record Read(String map, String key) implements WriteOp {}

  /** Removes the record if it still is at this version and has expired (internal). */
  record Expire(String map, String key, long version) implements WriteOp {}

  /** Removes every record of the map in this partition. */
  record ClearMap(String map, @JsonInclude(JsonInclude.Include.NON_NULL) String principal)
      implements WriteOp {
    public ClearMap(String map) {
      this(map, null);
    }

    @Override
    public String key() {
      return "";
    }
  }

  /**
   * Creates or replaces the settings of a map in its home partition, or removes them; {@code
   * expected} applies to the settings' version.
   */
  record Configure(
      String map,
      long defaultTtlMillis,
      long maxValueBytes,
      boolean remove,
      long expected,
      long historyRetentionMillis)
      implements WriteOp {
    /** Settings with the node's history retention. */
    public Configure(
        String map, long defaultTtlMillis, long maxValueBytes, boolean remove, long expected) {
      this(map, defaultTtlMillis, maxValueBytes, remove, expected, 0);
    }

    @Override
    public String key() {
      return "";
    }
  }

  /**
   * Forgets the partition's history up to event {@code upTo}, which retention no longer keeps
   * (internal; see {@link PartitionEvent.HistoryTruncated}).
   */
  record TruncateHistory(long upTo) implements WriteOp {
    @Override
    public String map() {
      return "";
    }

    @Override
    public String key() {
      return "";
    }
  }
}
