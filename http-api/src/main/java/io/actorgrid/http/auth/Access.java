package io.actorgrid.http.auth;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a grant allows on the maps it names; each level includes the ones before it. */
public enum Access {
  /** GET and HEAD of entries, listings, history, reads of the past, change feeds. */
  READ,
  /** READ, and every write to records: PUT, PATCH, DELETE, increments, batches. */
  WRITE,
  /** WRITE, and map settings, clear, drop; on every map ("*"), tokens and cluster operations. */
  ADMIN;

  public boolean includes(Access other) {
    return compareTo(other) >= 0;
  }

  /** "read", "write", "admin". */
  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The level of a wire name, or null. */
  @JsonCreator
  public static Access fromWire(String name) {
    for (Access a : values()) {
      if (a.wireName().equals(name)) {
        return a;
      }
    }
    return null;
  }
}
