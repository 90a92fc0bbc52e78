package io.actorgrid.grid;

/**
 * The enforced limits of a node (set under {@code actorgrid.limits}).
 *
 * @param maxKeyBytes longest key in bytes of UTF-8
 * @param maxValueBytes largest value in bytes
 * @param maxListLimit most entries of one list page
 * @param maxBatchItems most items of one batch
 * @param maxTtl longest time to live of a record
 */
public record GridLimits(
    int maxKeyBytes,
    int maxValueBytes,
    int maxListLimit,
    int maxBatchItems,
    java.time.Duration maxTtl) {
  /** Map names: 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit. */
  public static final String MAP_NAME_PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}";

  /**
   * The first character of the node's own maps (see {@link Grid#reservedMap}): no map name a user
   * may give starts with it, and {@link Grid#maps()} does not list them.
   */
  public static final String RESERVED_MAP_PREFIX = "_";
}
