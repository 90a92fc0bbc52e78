package io.actorgrid.http;

import io.actorgrid.grid.InvalidRequestException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Query parameters read as numbers, booleans and instants, refused with 400 when malformed. */
final class QueryParams {
  private QueryParams() {}

  static int intParam(String name, Optional<String> value, int fallback) {
    if (value.isEmpty() || value.get().isEmpty()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.get());
    } catch (NumberFormatException e) {
      throw new InvalidRequestException(
          "query parameter " + name + " must be a whole number, was '" + value.get() + "'");
    }
  }

  /** A whole number of at least 1, or empty when absent. */
  static Optional<Long> positiveLong(String name, Optional<String> value) {
    if (value.isEmpty()) {
      return Optional.empty();
    }
    try {
      long n = Long.parseLong(value.get());
      if (n >= 1) {
        return Optional.of(n);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidRequestException(
        "query parameter "
            + name
            + " must be a whole number of at least 1, was '"
            + value.get()
            + "'");
  }

  static boolean boolParam(String name, Optional<String> value) {
    return value
        .map(
            v -> {
              if (v.equals("true") || v.isEmpty()) {
                return true;
              }
              if (v.equals("false")) {
                return false;
              }
              throw new InvalidRequestException(
                  "query parameter " + name + " must be true or false, was '" + v + "'");
            })
        .orElse(false);
  }

  /** An RFC 3339 date and time with an offset, e.g. 2026-12-01T10:15:30.123Z, or empty. */
  static Optional<Instant> instantParam(String name, Optional<String> value) {
    if (value.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(value.get()).toInstant());
    } catch (DateTimeParseException e) {
      throw new InvalidRequestException(
          "query parameter "
              + name
              + " must be an RFC 3339 date and time such as 2026-12-01T10:15:30.123Z, was '"
              + value.get()
              + "'");
    }
  }
}
