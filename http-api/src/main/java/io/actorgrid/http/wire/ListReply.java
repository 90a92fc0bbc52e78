package io.actorgrid.http.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import java.util.List;

/**
 * Body of {@code GET /v1/maps/{map}/entries}.
 *
 * @param cursor pass it as {@code cursor} to get the next page; null on the last page
 */
public record ListReply(String map, List<Item> items, String cursor) {

  /**
   * One entry. With {@code values=true} exactly one of {@code value} (a JSON value, inline), {@code
   * valueText} (a text/* value) or {@code valueBase64} (any other value) is present. {@code
   * expiresAt} is present for records with a time to live.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Item(
      String key,
      long version,
      String contentType,
      String created,
      String updated,
      String expiresAt,
      @JsonRawValue String value,
      String valueText,
      String valueBase64) {}
}
