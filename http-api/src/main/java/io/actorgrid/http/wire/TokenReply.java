package io.actorgrid.http.wire;

/**
 * Body of {@code 201} to {@code POST /v1/auth/tokens}: the token, shown this once (the node keeps
 * only its hash).
 *
 * @param expiresAt RFC 3339, or null for never
 */
public record TokenReply(String name, String token, String expiresAt) {}
