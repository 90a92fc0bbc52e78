package io.actorgrid.http.auth;

import java.util.List;

/**
 * A token as the grid keeps it, as the JSON value of its record in the reserved map (see {@link
 * TokenStore}): never the token itself, only its SHA-256.
 *
 * @param sha256 the token's SHA-256, hex
 * @param expiresAt epoch milliseconds, or null for never
 * @param createdAt epoch milliseconds
 * @param createdBy the name of the token that created it
 */
public record StoredToken(
    String sha256, List<Grant> grants, Long expiresAt, long createdAt, String createdBy) {}
