package io.actorgrid.grid;

import java.time.Duration;

/**
 * Settings of one map. They are stored durably in the map's home partition; every node applies them
 * to the writes it routes, using a copy it refreshes every {@code actorgrid.map-settings-refresh}
 * (1 s): a change applies at once on the node that made it and on the others within that time.
 *
 * @param defaultTtl time to live of records written without one; null: they never expire. Applies
 *     to records written after the change, not to existing ones.
 * @param maxValueBytes largest value of the map, at most the node's {@code
 *     actorgrid.limits.max-value-bytes}; 0: the node's limit
 */
public record MapSettings(Duration defaultTtl, long maxValueBytes) {
  public MapSettings {
    if (defaultTtl != null && (defaultTtl.isNegative() || defaultTtl.isZero())) {
      throw new InvalidRequestException("defaultTtl must be positive, was " + defaultTtl);
    }
    if (maxValueBytes < 0) {
      throw new InvalidRequestException(
          "maxValueBytes must be 0 (the node's limit) or positive, was " + maxValueBytes);
    }
  }

  /** No default TTL, the node's value limit. */
  public static final MapSettings DEFAULT = new MapSettings(null, 0);
}
