package io.actorgrid.http.wire;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Body of {@code GET /v1/maps/{map}} and of a settings change.
 *
 * @param entries live records, counted partition by partition (absent in a settings change)
 * @param settings the map's settings; null when it has none
 * @param settingsVersion the settings' version (their ETag), 0 without settings
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MapReply(String name, Long entries, Settings settings, long settingsVersion) {

  /**
   * @param defaultTtl time to live of records written without one, such as "30s"; null: none
   * @param maxValueBytes largest value; 0: the node's limit
   * @param historyRetention how long the history of records is kept, such as "7d"; null: the node's
   *     retention
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Settings(String defaultTtl, long maxValueBytes, String historyRetention) {}
}
