package io.actorgrid.http.wire;

import java.util.List;

/** Body of {@code GET /v1/auth/tokens}: every token's name, grants and expiry, never the token. */
public record TokensReply(List<Item> tokens) {
  /**
   * @param expiresAt RFC 3339, or null for never
   * @param createdAt RFC 3339
   * @param createdBy the name of the token that made it (null when authentication was off)
   */
  public record Item(
      String name, List<Grant> grants, String expiresAt, String createdAt, String createdBy) {}

  /** Access ({@code read}, {@code write} or {@code admin}) to the maps a glob names. */
  public record Grant(String maps, String access) {}
}
