package io.actorgrid.grid;

import java.time.Duration;
import java.util.Objects;

/**
 * One item of {@link GridMap#batch}: a put, get or delete of one key.
 *
 * @param value the value of a put, else null
 * @param contentType the media type of a put's value (null: application/octet-stream)
 * @param ttl a put's time to live, or null for the map's default
 */
public record BatchItem(
    Kind kind,
    String key,
    byte[] value,
    String contentType,
    Precondition precondition,
    Duration ttl) {
  public enum Kind {
    PUT,
    GET,
    DELETE
  }

  public BatchItem {
    Objects.requireNonNull(kind, "kind");
    precondition = precondition == null ? Precondition.none() : precondition;
  }

  public static BatchItem put(String key, byte[] value, String contentType) {
    return new BatchItem(Kind.PUT, key, value, contentType, Precondition.none(), null);
  }

  public static BatchItem put(
      String key, byte[] value, String contentType, Precondition precondition, Duration ttl) {
    return new BatchItem(Kind.PUT, key, value, contentType, precondition, ttl);
  }

  public static BatchItem get(String key) {
    return new BatchItem(Kind.GET, key, null, null, Precondition.none(), null);
  }

  public static BatchItem delete(String key) {
    return new BatchItem(Kind.DELETE, key, null, null, Precondition.none(), null);
  }

  public static BatchItem delete(String key, Precondition precondition) {
    return new BatchItem(Kind.DELETE, key, null, null, precondition, null);
  }
}
