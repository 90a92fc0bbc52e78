package io.actorgrid.http.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;

/**
 * One item of {@code GET /v1/changes} and {@code GET /v1/maps/{map}/changes}: an SSE event's data,
 * or one NDJSON line. A checkpoint has only {@code id}. A change has {@code map}, {@code op} (put,
 * patch, increment, delete, expire or clear), {@code version} and {@code time} (RFC 3339), and
 * {@code key} (absent only for a clear written before clears named their keys: it removed every key
 * of the map in one partition). With {@code values=true}, puts, patches and increments also have
 * {@code contentType} and exactly one of {@code value} (JSON, inline), {@code valueText} (text/*)
 * or {@code valueBase64} (anything else).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChangeItem(
    String id,
    String map,
    String key,
    String op,
    Long version,
    String time,
    String contentType,
    @JsonRawValue String value,
    String valueText,
    String valueBase64) {}
