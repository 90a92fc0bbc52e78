package io.actorgrid.http.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import java.util.List;

/**
 * Body of {@code GET /v1/maps/{map}/entries/{key}/history}: the record's changes, newest first.
 *
 * @param cursor pass it as {@code cursor} to get older changes; null at the oldest change kept
 * @param truncated true when history retention removed older changes
 */
public record HistoryReply(
    String map, String key, List<Item> items, String cursor, boolean truncated) {

  /**
   * One change: {@code op} is put, patch, increment, delete, expire or clear; {@code time} is when
   * it was written (RFC 3339). Changes that left a value have {@code contentType}, and with {@code
   * values=true} exactly one of {@code value} (JSON, inline), {@code valueText} (text/*) or {@code
   * valueBase64} (anything else). {@code by} names who made the change (the token's name) and is
   * null when that is unknown: made without authentication, before names were recorded, or an
   * expiry.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Item(
      long version,
      String op,
      String time,
      String contentType,
      String expiresAt,
      @JsonRawValue String value,
      String valueText,
      String valueBase64,
      @JsonInclude(JsonInclude.Include.ALWAYS) String by) {}
}
