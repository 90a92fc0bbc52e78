package io.actorgrid.grid.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.actorgrid.serialization.CborSerializable;

/**
 * The events of a partition's journal. They are permanent: see {@link CborSerializable} before
 * changing one; {@code PartitionEventFormatTest} reads every earlier form from golden files.
 *
 * <p>The version an event gives a record (or a map's settings) is the event's sequence number in
 * the journal; each record event also names the record's previous version, so that the history of
 * one record can be walked event by event without scanning the partition.
 *
 * <p>Fields added after the first release are optional and default to "absent" (0 or null) when an
 * older event lacks them: {@code expiresAt}, {@code operation}, {@code requestId} and {@code
 * requestHash}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = PartitionEvent.EntryPut.class, name = "put"),
  @JsonSubTypes.Type(value = PartitionEvent.EntryDeleted.class, name = "deleted"),
  @JsonSubTypes.Type(value = PartitionEvent.EntryExpired.class, name = "expired"),
  @JsonSubTypes.Type(value = PartitionEvent.MapCleared.class, name = "map-cleared"),
  @JsonSubTypes.Type(value = PartitionEvent.MapConfigured.class, name = "map-configured"),
  @JsonSubTypes.Type(value = PartitionEvent.MapConfigRemoved.class, name = "map-config-removed"),
  @JsonSubTypes.Type(value = PartitionEvent.RequestNoted.class, name = "request-noted")
})
public sealed interface PartitionEvent extends CborSerializable {
  String map();

  /** Epoch milliseconds at which the partition accepted the change. */
  long timestamp();

  /** An event about one record. */
  sealed interface RecordEvent extends PartitionEvent {
    String key();

    /** The version of the record before this event, 0 when it did not exist. */
    long previousVersion();
  }

  /**
   * A record was created or replaced.
   *
   * @param expiresAt epoch milliseconds after which the record no longer exists; 0: never
   * @param operation what produced the value: null (or "put") a put, "patch" a merge patch,
   *     "increment" a counter increment
   * @param requestId the client's idempotency key of the write, or null
   * @param requestHash a fingerprint of the request that carried {@code requestId}
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
      @JsonInclude(JsonInclude.Include.NON_DEFAULT) long requestHash)
      implements RecordEvent {
    public static final String PATCH = "patch";
    public static final String INCREMENT = "increment";
  }

  /** A record was deleted by a client. */
  record EntryDeleted(
      String map,
      String key,
      long previousVersion,
      long timestamp,
      @JsonInclude(JsonInclude.Include.NON_NULL) String requestId,
      @JsonInclude(JsonInclude.Include.NON_DEFAULT) long requestHash)
      implements RecordEvent {}

  /** A record reached its expiry time and was removed. */
  record EntryExpired(String map, String key, long previousVersion, long timestamp)
      implements RecordEvent {}

  /** Every record of the map in this partition was removed (the map was cleared or deleted). */
  record MapCleared(String map, long timestamp, long removed) implements PartitionEvent {}

  /**
   * The settings of a map were created or replaced; they live in the map's home partition.
   *
   * @param defaultTtlMillis time to live of records written without one; 0: none
   * @param maxValueBytes largest value of the map; 0: the node's limit
   */
  record MapConfigured(
      String map, long defaultTtlMillis, long maxValueBytes, long previousVersion, long timestamp)
      implements PartitionEvent {}

  /** The settings of a map were removed (the map was deleted). */
  record MapConfigRemoved(String map, long previousVersion, long timestamp)
      implements PartitionEvent {}

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
