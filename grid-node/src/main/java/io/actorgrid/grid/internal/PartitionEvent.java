package io.actorgrid.grid.internal;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.actorgrid.serialization.CborSerializable;

/**
 * The events of a partition's journal. They are permanent: see {@link CborSerializable} before
 * changing one. The version of the record an event creates is the event's sequence number in the
 * journal; each event also names the record's previous version, so that the history of one
 * record can be walked event by event without scanning the partition.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = PartitionEvent.EntryPut.class, name = "put"),
  @JsonSubTypes.Type(value = PartitionEvent.EntryDeleted.class, name = "deleted")
})
public sealed interface PartitionEvent extends CborSerializable {
  String map();

  String key();

  /** The version of the record before this event, 0 when it did not exist. */
  long previousVersion();

  /** Epoch milliseconds at which the partition accepted the change. */
  long timestamp();

  /** A record was created or replaced. */
  record EntryPut(
      String map,
      String key,
      byte[] value,
      String contentType,
      long previousVersion,
      long timestamp)
      implements PartitionEvent {}

  /** A record was deleted. */
  record EntryDeleted(String map, String key, long previousVersion, long timestamp)
      implements PartitionEvent {}
}
