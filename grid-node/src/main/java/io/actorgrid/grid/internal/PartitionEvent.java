package io.actorgrid.grid.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.actorgrid.serialization.CborSerializable;
import java.util.List;

/**
 * The events of a partition's journal. They are permanent: see {@link CborSerializable} before
 * changing one; {@code PartitionEventFormatTest} reads every earlier form from golden files.
 *
 * <p>The version an event gives a record (or a map's settings) is the event's sequence number in
 * the journal. Every event that changes a record links to the record's previous event ({@link
 * RecordEvent#link()}, and the per-key links of {@link MapCleared}), across deletions, expiries and
 * clears, so that the history of one record can be walked event by event without scanning the
 * partition.
 *
 * <p>Fields added after the first release are optional and default to "absent" (0 or null) when an
 * older event lacks them: {@code expiresAt}, {@code operation}, {@code requestId}, {@code
 * requestHash}, {@code previousEvent}, MapCleared's {@code keys} and {@code previousEvents}, and
 * {@code principal} (who made the change) of EntryPut, EntryDeleted and MapCleared, and {@code
 * writeId} of every event a client's write makes. Events written before the links existed end a
 * record's history at its last deletion or clear.
 *
 * <p>{@code writeId} (JSON {@code wid}, absent when 0) is the node's internal id of the operation
 * that made the event (see {@link PartitionState#recentWrite}): a node that sends a write again
 * after a hand-off or a timeout finds its first attempt by it, in the state recovered from these
 * events wherever the partition runs, and gets that attempt's outcome instead of a second change. 0
 * for the partition's own events (expiry, retention) and for events written before write ids.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = PartitionEvent.EntryPut.class, name = "put"),
  @JsonSubTypes.Type(value = PartitionEvent.EntryDeleted.class, name = "deleted"),
  @JsonSubTypes.Type(value = PartitionEvent.EntryExpired.class, name = "expired"),
  @JsonSubTypes.Type(value = PartitionEvent.MapCleared.class, name = "map-cleared"),
  @JsonSubTypes.Type(value = PartitionEvent.MapConfigured.class, name = "map-configured"),
  @JsonSubTypes.Type(value = PartitionEvent.MapConfigRemoved.class, name = "map-config-removed"),
  @JsonSubTypes.Type(value = PartitionEvent.RequestNoted.class, name = "request-noted"),
  @JsonSubTypes.Type(value = PartitionEvent.HistoryTruncated.class, name = "history-truncated")
})
public sealed interface PartitionEvent extends CborSerializable {
  String map();

  /** Epoch milliseconds at which the partition accepted the change. */
  long timestamp();

  /** The internal id of the operation that made this event; 0 when none. */
  default long writeId() {
    return 0;
  }

  /** An event about one record. */
  sealed interface RecordEvent extends PartitionEvent {
    String key();

    /** The version of the record before this event, 0 when it did not exist. */
    long previousVersion();

    /**
     * The sequence number of the record's previous event (a write, deletion, expiry or clear), 0
     * when there was none (or, for events written before the links existed, none is known).
     */
    long link();
  }

  /**
   * A record was created or replaced.
   *
   * @param expiresAt epoch milliseconds after which the record no longer exists; 0: never
   * @param operation what produced the value: null (or "put") a put, "patch" a merge patch,
   *     "increment" a counter increment
   * @param requestId the client's idempotency key of the write, or null
   * @param requestHash a fingerprint of the request that carried {@code requestId}
   * @param previousEvent when the record did not exist before ({@code previousVersion} 0), the
   *     sequence number of the event that removed it last (0: it never existed, or the event
   *     predates the links); when it existed, {@code previousVersion} is the link and this is 0
   * @param principal the name of who made the write (an HTTP token's name), or null when unknown
   */
  record EntryPut(
      String map,
      String key,
      byte[] value,
      String contentType,
      long previousVersion,
      long timestamp,
      @JsonInclude(JsonInclude.Include.NON_DEFAULT) long expiresAt,
      @JsonInclude(JsonInclude.Include.NON_NULL) String operation,
      @JsonInclude(JsonInclude.Include.NON_NULL) String requestId,
      @JsonInclude(JsonInclude.Include.NON_DEFAULT) long requestHash,
      @JsonInclude(JsonInclude.Include.NON_DEFAULT) long previousEvent,
      @JsonInclude(JsonInclude.Include.NON_NULL) String principal,
      @JsonProperty("wid") @JsonInclude(JsonInclude.Include.NON_DEFAULT) long writeId)
      implements RecordEvent {
    public static final String PATCH = "patch";
    public static final String INCREMENT = "increment";

    /** A put without a write id. */
    public EntryPut(
        String map,
        String key,
        byte[] value,
        String contentType,
        long previousVersion,
        long timestamp,
        long expiresAt,
        String operation,
        String requestId,
        long requestHash,
        long previousEvent,
        String principal) {
      this(
          map,
          key,
          value,
          contentType,
          previousVersion,
          timestamp,
          expiresAt,
          operation,
          requestId,
          requestHash,
          previousEvent,
          principal,
          0);
    }

    /** A put by an unknown principal. */
    public EntryPut(
        String map,
        String key,
        byte[] value,
        String contentType,
        long previousVersion,
        long timestamp,
        long expiresAt,
        String operation,
        String requestId,
        long requestHash,
        long previousEvent) {
      this(
          map,
          key,
          value,
          contentType,
          previousVersion,
          timestamp,
          expiresAt,
          operation,
          requestId,
          requestHash,
          previousEvent,
          null);
    }

    /** A put of a record that existed (or never did), without a link to a removal. */
    public EntryPut(
        String map,
        String key,
        byte[] value,
        String contentType,
        long previousVersion,
        long timestamp,
        long expiresAt,
        String operation,
        String requestId,
        long requestHash) {
      this(
          map,
          key,
          value,
          contentType,
          previousVersion,
          timestamp,
          expiresAt,
          operation,
          requestId,
          requestHash,
          0,
          null);
    }

    @Override
    public long link() {
      return previousVersion != 0 ? previousVersion : previousEvent;
    }
  }

  /**
   * A record was deleted by a client.
   *
   * @param principal the name of who deleted it, or null when unknown
   */
  record EntryDeleted(
      String map,
      String key,
      long previousVersion,
      long timestamp,
      @JsonInclude(JsonInclude.Include.NON_NULL) String requestId,
      @JsonInclude(JsonInclude.Include.NON_DEFAULT) long requestHash,
      @JsonInclude(JsonInclude.Include.NON_NULL) String principal,
      @JsonProperty("wid") @JsonInclude(JsonInclude.Include.NON_DEFAULT) long writeId)
      implements RecordEvent {
    /** A deletion without a write id. */
    public EntryDeleted(
        String map,
        String key,
        long previousVersion,
        long timestamp,
        String requestId,
        long requestHash,
        String principal) {
      this(map, key, previousVersion, timestamp, requestId, requestHash, principal, 0);
    }

    /** A deletion by an unknown principal. */
    public EntryDeleted(
        String map,
        String key,
        long previousVersion,
        long timestamp,
        String requestId,
        long requestHash) {
      this(map, key, previousVersion, timestamp, requestId, requestHash, null, 0);
    }

    @Override
    public long link() {
      return previousVersion;
    }
  }

  /** A record reached its expiry time and was removed. */
  record EntryExpired(String map, String key, long previousVersion, long timestamp)
      implements RecordEvent {
    @Override
    public long link() {
      return previousVersion;
    }
  }

  /**
   * Records of the map in this partition were removed because the map was cleared or deleted. One
   * clear writes one or more of these in a single journal write, each naming up to {@link
   * #MAX_KEYS} of the keys it removed, with the version each had ({@code previousEvents}, in the
   * same order), so that each record's history and the change feed show the clear.
   *
   * @param removed how many records this event removed
   * @param keys the keys removed; null in events written before they were named, which removed
   *     every record of the map in the partition
   * @param previousEvents the version of each removed record, index for index with {@code keys}
   * @param principal the name of who cleared or dropped the map, or null when unknown
   */
  record MapCleared(
      String map,
      long timestamp,
      long removed,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<String> keys,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<Long> previousEvents,
      @JsonInclude(JsonInclude.Include.NON_NULL) String principal,
      @JsonProperty("wid") @JsonInclude(JsonInclude.Include.NON_DEFAULT) long writeId)
      implements PartitionEvent {
    /** Most keys one event names: a clear of more writes several events. */
    public static final int MAX_KEYS = 1000;

    /** A clear that names its keys, without a write id. */
    public MapCleared(
        String map,
        long timestamp,
        long removed,
        List<String> keys,
        List<Long> previousEvents,
        String principal) {
      this(map, timestamp, removed, keys, previousEvents, principal, 0);
    }

    /** A clear that names its keys, by an unknown principal. */
    public MapCleared(
        String map, long timestamp, long removed, List<String> keys, List<Long> previousEvents) {
      this(map, timestamp, removed, keys, previousEvents, null, 0);
    }

    /** The form written before clears named their keys: every record of the map went. */
    public MapCleared(String map, long timestamp, long removed) {
      this(map, timestamp, removed, null, null, null, 0);
    }

    /** The version {@code key} had when this clear removed it, or -1 if it did not remove it. */
    public long linkOf(String key) {
      if (keys == null) {
        return -1;
      }
      int i = keys.indexOf(key);
      return i < 0 ? -1 : previousEvents.get(i);
    }
  }

  /**
   * The settings of a map were created or replaced; they live in the map's home partition.
   *
   * @param defaultTtlMillis time to live of records written without one; 0: none
   * @param maxValueBytes largest value of the map; 0: the node's limit
   * @param historyRetentionMillis how long the map's history is kept; 0: the node's retention
   */
  record MapConfigured(
      String map,
      long defaultTtlMillis,
      long maxValueBytes,
      long previousVersion,
      long timestamp,
      @JsonInclude(JsonInclude.Include.NON_DEFAULT) long historyRetentionMillis,
      @JsonProperty("wid") @JsonInclude(JsonInclude.Include.NON_DEFAULT) long writeId)
      implements PartitionEvent {
    /** Settings without a write id. */
    public MapConfigured(
        String map,
        long defaultTtlMillis,
        long maxValueBytes,
        long previousVersion,
        long timestamp,
        long historyRetentionMillis) {
      this(
          map,
          defaultTtlMillis,
          maxValueBytes,
          previousVersion,
          timestamp,
          historyRetentionMillis,
          0);
    }

    /** Settings with the node's history retention. */
    public MapConfigured(
        String map,
        long defaultTtlMillis,
        long maxValueBytes,
        long previousVersion,
        long timestamp) {
      this(map, defaultTtlMillis, maxValueBytes, previousVersion, timestamp, 0, 0);
    }
  }

  /**
   * History retention removed the partition's events up to {@code upTo}: records removed before
   * then are forgotten, and the journal deletes those events once a snapshot follows this event.
   * Not about one map: {@code map} is empty.
   */
  record HistoryTruncated(String map, long upTo, long timestamp) implements PartitionEvent {}

  /** The settings of a map were removed (the map was deleted). */
  record MapConfigRemoved(
      String map,
      long previousVersion,
      long timestamp,
      @JsonProperty("wid") @JsonInclude(JsonInclude.Include.NON_DEFAULT) long writeId)
      implements PartitionEvent {
    /** A removal without a write id. */
    public MapConfigRemoved(String map, long previousVersion, long timestamp) {
      this(map, previousVersion, timestamp, 0);
    }
  }

  /**
   * A write that carried an idempotency key changed nothing (a failed precondition, an absent
   * record, a value that does not allow it). Its outcome is remembered like that of a write that
   * did change something, so that a retry gets the same answer instead of being decided again
   * against a state that may have changed since.
   *
   * @param version the outcome's version (the record's current version, 0 when absent)
   * @param detail the outcome's explanation, or null
   */
  record RequestNoted(
      String map,
      String key,
      String requestId,
      long requestHash,
      WriteOutcome.Status status,
      long version,
      @JsonInclude(JsonInclude.Include.NON_NULL) String detail,
      long timestamp)
      implements PartitionEvent {}
}
