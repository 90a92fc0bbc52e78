package io.actorgrid.http.auth;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code actorgrid.auth} section. Authentication is on when the bootstrap admin token is set,
 * directly ({@code admin-token}, {@code GRID_ADMIN_TOKEN}) or as a file that holds it ({@code
 * admin-token-file}, {@code GRID_ADMIN_TOKEN_FILE}; the file's content without surrounding
 * whitespace).
 *
 * @param adminToken the bootstrap token; empty: the node serves without authentication
 * @param cacheTtl how long a node trusts a token it has verified (or refused) before it reads the
 *     token's record again: the longest a revocation takes to reach every node
 */
public record AuthSettings(Optional<String> adminToken, Duration cacheTtl) {
  /** The promise documented for revocations. */
  public static final Duration MAX_CACHE_TTL = Duration.ofSeconds(5);

  public AuthSettings {
    if (cacheTtl.isNegative() || cacheTtl.compareTo(MAX_CACHE_TTL) > 0) {
      throw new IllegalArgumentException(
          "actorgrid.auth.cache-ttl is "
              + cacheTtl
              + "; it may be at most 5s, so that a revoked token is refused by every node within"
              + " 5 s");
    }
  }

  public boolean enabled() {
    return adminToken.isPresent();
  }

  public static AuthSettings from(Config root) {
    Config c = root.getConfig("actorgrid.auth");
    String token = c.getString("admin-token").trim();
    String file = c.getString("admin-token-file").trim();
    if (!token.isEmpty() && !file.isEmpty()) {
      throw new IllegalArgumentException(
          "both actorgrid.auth.admin-token (GRID_ADMIN_TOKEN) and actorgrid.auth.admin-token-file"
              + " (GRID_ADMIN_TOKEN_FILE) are set; set one");
    }
    if (!file.isEmpty()) {
      try {
        token = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "the admin token file "
                + file
                + " (actorgrid.auth.admin-token-file, GRID_ADMIN_TOKEN_FILE) cannot be read: "
                + e,
            e);
      }
      if (token.isEmpty()) {
        throw new IllegalArgumentException(
            "the admin token file " + file + " is empty; write the token into it");
      }
    }
    if (!token.isEmpty() && !token.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
      throw new IllegalArgumentException(
          "the admin token has characters other than visible ASCII; a bearer token cannot carry"
              + " them");
    }
    return new AuthSettings(
        token.isEmpty() ? Optional.empty() : Optional.of(token), c.getDuration("cache-ttl"));
  }
}
