package io.actorgrid.grid.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.actorgrid.serialization.CborSerializable;

/**
 * The settings of a map, held by the map's home partition (the partition of the map's name with an
 * empty key, see {@link Partitioner#homeOf}).
 *
 * @param defaultTtlMillis time to live of records written without one; 0: none
 * @param maxValueBytes largest value of the map; 0: the node's limit
 * @param version the sequence number of the event that last changed the settings
 * @param historyRetentionMillis how long the map's history is kept; 0: the node's retention
 */
public record MapConfig(
    long defaultTtlMillis,
    long maxValueBytes,
    long version,
    long created,
    long updated,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) long historyRetentionMillis)
    implements CborSerializable {
  /** Settings with the node's history retention. */
  public MapConfig(
      long defaultTtlMillis, long maxValueBytes, long version, long created, long updated) {
    this(defaultTtlMillis, maxValueBytes, version, created, updated, 0);
  }
}
