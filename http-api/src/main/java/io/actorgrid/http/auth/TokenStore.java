package io.actorgrid.http.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.actorgrid.grid.Entry;
import io.actorgrid.grid.Grid;
import io.actorgrid.grid.GridMap;
import io.actorgrid.grid.ListQuery;
import io.actorgrid.grid.Precondition;
import io.actorgrid.grid.WriteOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/*
 * Tokens live in the grid itself, one record per token in the reserved map "_auth.tokens" (see
 * Grid.reservedMap), keyed by the token's name. So they are journaled like any record: every node
 * of the cluster reads the same ones, they survive restarts and failover, and creating one with
 * the precondition "absent" makes duplicate names fail atomically, whichever node both requests
 * reached. The record holds the SHA-256 of the token, never the token.
 *
 * A token reads "agt.<name>.<secret>", the secret 256 random bits in base64url. Carrying the name
 * lets a node find the one record to check with a single read of one partition, instead of an index
 * from hashes to names that would be a second record to keep in step. SHA-256 (not a slow password
 * hash such as bcrypt) is right for such tokens: 256 random bits cannot be guessed, so the hash
 * need not slow down guessing, and a node can afford it on a miss of its cache.
 *
 * A record written with the token's TTL is removed by its partition when the token expires, so
 * expired tokens leave the list and their names can be used again.
 */
/** Creates, finds, lists and revokes tokens, as records of a reserved map of the grid. */
public final class TokenStore {
  public static final String MAP = "_auth.tokens";

  /** The name of the bootstrap token (GRID_ADMIN_TOKEN); no stored token may have it. */
  public static final String BOOTSTRAP_NAME = "admin";

  public static final String NAME_PATTERN = "[A-Za-z0-9][A-Za-z0-9_-]{0,63}";
  private static final Pattern NAME = Pattern.compile(NAME_PATTERN);
  private static final String PREFIX = "agt.";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final GridMap map;
  private final ObjectMapper json;

  public TokenStore(Grid grid, ObjectMapper json) {
    this.map = grid.reservedMap(MAP);
    this.json = json;
  }

  /** A token just made: the only time it is seen in clear. */
  public record Created(String name, String token, Instant expiresAt) {}

  public static boolean validName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /**
   * Stores a new token. Fails with {@code PreconditionFailedException} when a token of this name
   * exists.
   *
   * @param ttl how long the token works, or null for ever
   * @param createdBy the name of the token that asks, or null when authentication is off
   */
  public CompletionStage<Created> create(
      String name, List<Grant> grants, Duration ttl, String createdBy) {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String token =
        PREFIX + name + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
    Instant expiresAt = ttl == null ? null : now.plus(ttl);
    StoredToken stored =
        new StoredToken(
            HexFormat.of().formatHex(sha256(token)),
            grants,
            expiresAt == null ? null : expiresAt.toEpochMilli(),
            now.toEpochMilli(),
            createdBy);
    WriteOptions options = writer(createdBy).withPrecondition(Precondition.ifAbsent());
    if (ttl != null) {
      options = options.withTtl(ttl);
    }
    return map.put(name, toJson(stored), "application/json", options)
        .thenApply(written -> new Created(name, token, expiresAt));
  }

  /** The token's record by name, or empty when there is none (never made, revoked, expired). */
  public CompletionStage<Optional<StoredToken>> find(String name) {
    return map.get(name).thenApply(entry -> entry.map(e -> fromJson(e.value())));
  }

  /** Every token, by name. */
  public CompletionStage<List<Named>> list() {
    return listFrom(ListQuery.firstPage().withValues(true).withLimit(1000), new ArrayList<>());
  }

  public record Named(String name, StoredToken token) {}

  private CompletionStage<List<Named>> listFrom(ListQuery query, List<Named> found) {
    return map.list(query)
        .thenCompose(
            page -> {
              for (Entry e : page.entries()) {
                found.add(new Named(e.key(), fromJson(e.value())));
              }
              return page.nextCursor() == null
                  ? CompletableFuture.completedFuture(found)
                  : listFrom(query.withCursor(page.nextCursor()), found);
            });
  }

  /** Revokes the token; completes with false when there was none of that name. */
  public CompletionStage<Boolean> revoke(String name, String revokedBy) {
    return map.delete(name, writer(revokedBy));
  }

  private static WriteOptions writer(String principal) {
    return principal == null ? WriteOptions.none() : WriteOptions.none().withPrincipal(principal);
  }

  /**
   * The name a token claims ("agt.<name>.<secret>"), or null when it is not of that form. The claim
   * is checked against the stored hash before anything trusts it.
   */
  public static String claimedName(String token) {
    if (!token.startsWith(PREFIX)) {
      return null;
    }
    int dot = token.indexOf('.', PREFIX.length());
    if (dot < 0 || dot == token.length() - 1) {
      return null;
    }
    String name = token.substring(PREFIX.length(), dot);
    return validName(name) ? name : null;
  }

  public static byte[] sha256(String token) {
    // One digest per thread: MessageDigest.getInstance looks up providers on every call, which
    // costs more than hashing a token. digest() resets it for the next use.
    return SHA256.get().digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("every Java runtime has SHA-256", e);
            }
          });

  private byte[] toJson(StoredToken token) {
    try {
      return json.writeValueAsBytes(token);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private StoredToken fromJson(byte[] value) {
    try {
      return json.readValue(value, StoredToken.class);
    } catch (IOException e) {
      throw new UncheckedIOException("a token record of " + MAP + " is not readable", e);
    }
  }
}
