package io.actorgrid.grid;

/**
 * What a conditional write requires of the record's current version. The check and the write are
 * one atomic step in the record's partition: no other write to the record can come between them.
 */
public sealed interface Precondition {
  /** Write unconditionally. */
  static Precondition none() {
    return None.INSTANCE;
  }

  /** Write only if the record is at exactly this version (HTTP {@code If-Match: "<version>"}). */
  static Precondition ifVersion(long version) {
    if (version < 1) {
      throw new InvalidRequestException("a record version is at least 1, was " + version);
    }
    return new IfVersion(version);
  }

  /** Write only if the record does not exist (HTTP {@code If-None-Match: *}). */
  static Precondition ifAbsent() {
    return IfAbsent.INSTANCE;
  }

  /** Write only if the record exists (HTTP {@code If-Match: *}). */
  static Precondition ifPresent() {
    return IfPresent.INSTANCE;
  }

  enum None implements Precondition {
    INSTANCE
  }

  enum IfAbsent implements Precondition {
    INSTANCE
  }

  enum IfPresent implements Precondition {
    INSTANCE
  }

  record IfVersion(long version) implements Precondition {}
}
