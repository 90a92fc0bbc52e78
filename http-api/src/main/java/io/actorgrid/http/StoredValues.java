package io.actorgrid.http;

import io.actorgrid.grid.Entry;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharset;
import org.apache.pekko.http.javadsl.model.MediaType;

/**
 * Stored values as replies show them: with the content type they were written with, and inside JSON
 * replies (listings, batches) in the one form their type allows.
 */
final class StoredValues {
  private StoredValues() {}

  /** A value inside a JSON reply: JSON inline, text as a string, anything else as base64. */
  record Inline(String json, String text, String base64) {}

  static Inline inline(Entry e) {
    return inline(e.contentType(), e.value());
  }

  /** A value stored with {@code contentType}; all absent when the value is null. */
  static Inline inline(String contentType, byte[] value) {
    if (value == null) {
      return new Inline(null, null, null);
    }
    ContentType type = contentType(contentType);
    MediaType media = type.mediaType();
    if (Bodies.isJson(media)) {
      return new Inline(new String(value, StandardCharsets.UTF_8), null, null);
    }
    if (media.mainType().equals("text")) {
      return new Inline(
          null,
          new String(
              value,
              type.getCharsetOption().map(HttpCharset::nioCharset).orElse(StandardCharsets.UTF_8)),
          null);
    }
    return new Inline(null, null, Base64.getEncoder().encodeToString(value));
  }

  /** The stored content type; one that no longer parses is served as octet-stream. */
  static ContentType contentType(String stored) {
    try {
      return ContentTypes.parse(stored);
    } catch (RuntimeException e) {
      return ContentTypes.APPLICATION_OCTET_STREAM;
    }
  }
}
