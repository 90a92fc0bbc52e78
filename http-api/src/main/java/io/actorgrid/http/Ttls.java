package io.actorgrid.http;

import io.actorgrid.grid.InvalidRequestException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Times to live as the API writes them: a whole number and a unit, {@code 30s}, {@code 2h}. */
final class Ttls {
  private static final Pattern FORMAT = Pattern.compile("([0-9]{1,12})(ms|s|m|h|d)");

  private Ttls() {}

  static Duration parse(String text, String where) {
    Matcher m = FORMAT.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new InvalidRequestException(
          where
              + " is '"
              + text
              + "', which is not a time to live: write a whole number and a unit (ms, s, m, h or"
              + " d), such as 30s, 500ms or 7d");
    }
    long n = Long.parseLong(m.group(1));
    Duration ttl =
        switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
    if (ttl.isZero()) {
      throw new InvalidRequestException(where + " is " + text + "; a time to live is at least 1ms");
    }
    return ttl;
  }

  /** The largest unit that states the duration exactly. */
  static String format(Duration ttl) {
    long ms = ttl.toMillis();
    if (ms % 86_400_000 == 0) {
      return ms / 86_400_000 + "d";
    }
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
