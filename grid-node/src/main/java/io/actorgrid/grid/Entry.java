package io.actorgrid.grid;

import java.time.Instant;

/**
 * A record of a map.
 *
 * @param value the stored bytes; null in list pages that were not asked for values. Do not modify
 *     the array.
 * @param contentType the media type it was stored with
 * @param version increases with every change of the record; it is the position of that change in
 *     its partition's journal, so versions of one record are increasing but not consecutive
 * @param expiresAt when the record expires, or null when it does not
 */
public record Entry(
    String map,
    String key,
    byte[] value,
    String contentType,
    long version,
    Instant created,
    Instant updated,
    Instant expiresAt) {}
