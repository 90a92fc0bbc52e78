package io.actorgrid.grid.internal;

import io.actorgrid.serialization.CborSerializable;

/**
 * The settings of a map, held by the map's home partition (the partition of the map's name with an
 * empty key, see {@link Partitioner#homeOf}).
 *
 * @param defaultTtlMillis time to live of records written without one; 0: none
 * @param maxValueBytes largest value of the map; 0: the node's limit
 * @param version the sequence number of the event that last changed the settings
 */
public record MapConfig(
    long defaultTtlMillis, long maxValueBytes, long version, long created, long updated)
    implements CborSerializable {}
