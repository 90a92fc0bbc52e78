package io.actorgrid.http.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import java.util.List;

/** Body of {@code POST /v1/maps/{map}:batch}: one result per item, in the order of the items. */
public record BatchReply(List<Item> items) {

  /**
   * One item's result: {@code status} is the HTTP status the same single request would get. {@code
   * version} is present for writes and found records; a found record's value is in exactly one of
   * {@code value} (JSON, inline), {@code valueText} or {@code valueBase64}; a failed item has a
   * {@code title} and {@code detail}.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Item(
      String key,
      int status,
      Long version,
      String contentType,
      String expiresAt,
      @JsonRawValue String value,
      String valueText,
      String valueBase64,
      String title,
      String detail) {

    /** A write's result without a record to show: its status and the version it left. */
    public static Item written(String key, int status, long version) {
      return new Item(key, status, version, null, null, null, null, null, null, null);
    }

    /** A failed item; {@code version} is the record's current one where that helps, else null. */
    public static Item failed(String key, int status, Long version, String title, String detail) {
      return new Item(key, status, version, null, null, null, null, null, title, detail);
    }

    /** A found record, its value in the one of the three forms that suits its content type. */
    public static Item found(
        String key,
        long version,
        String contentType,
        String expiresAt,
        String json,
        String text,
        String base64) {
      return new Item(key, 200, version, contentType, expiresAt, json, text, base64, null, null);
    }
  }
}
