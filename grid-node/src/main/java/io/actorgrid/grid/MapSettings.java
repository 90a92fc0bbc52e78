package io.actorgrid.grid;

import java.time.Duration;

/**
 * Settings of one map. They are stored durably in the map's home partition, which publishes them to
 * every node; each node applies its copy to the writes it routes, so writes never wait on the home
 * partition (not even while it moves after a crash). A change applies at once on the node that made
 * it and on the others within about a second.
 *
 * @param defaultTtl time to live of records written without one; null: they never expire. Applies
 *     to records written after the change, not to existing ones.
 * @param maxValueBytes largest value of the map, at most the node's {@code
 *     actorgrid.limits.max-value-bytes}; 0: the node's limit
 * @param historyRetention how long the history of the map's records is kept (and the change feed's
 *     positions stay valid); null: the node's {@code actorgrid.history.retention}. The journal
 *     frees what is older, partition by partition, once no map with records in the partition keeps
 *     it longer.
 */
public record MapSettings(Duration defaultTtl, long maxValueBytes, Duration historyRetention) {
  public MapSettings {
    if (historyRetention != null && (historyRetention.isNegative() || historyRetention.isZero())) {
      throw new InvalidRequestException(
          "historyRetention must be positive, was " + historyRetention);
    }
    if (defaultTtl != null && (defaultTtl.isNegative() || defaultTtl.isZero())) {
      throw new InvalidRequestException("defaultTtl must be positive, was " + defaultTtl);
    }
    if (maxValueBytes < 0) {
      throw new InvalidRequestException(
          "maxValueBytes must be 0 (the node's limit) or positive, was " + maxValueBytes);
    }
  }

  /** Settings with the node's history retention. */
  public MapSettings(Duration defaultTtl, long maxValueBytes) {
    this(defaultTtl, maxValueBytes, null);
  }

  /** No default TTL, the node's value limit and history retention. */
  public static final MapSettings DEFAULT = new MapSettings(null, 0, null);
}
