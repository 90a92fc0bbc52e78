package io.actorgrid.http.auth;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/*
 * A presented token is hashed (SHA-256) first; everything after works on hashes, so no comparison
 * ever runs over the secret: the bootstrap token is compared with MessageDigest.isEqual (constant
 * time), a stored token's hash likewise, and the cache is keyed by the hash.
 *
 * The cache holds every answer (valid or not) for cache-ttl (2 s by default, 5 s at most): a
 * request with a cached token costs one SHA-256 and one hash-map lookup, about a microsecond, and
 * reads nothing from the grid. The price is that a revocation, made by deleting the token's record
 * through any node, reaches the other nodes only when their cached answer ages out: every node
 * refuses a revoked token at most cache-ttl after the revocation was acknowledged. (Distributed
 * Data invalidation would be faster, but adds a replicator and its gossip to every node for a
 * promise of seconds; an age bound needs nothing and holds across partitions of the network.)
 * Expiry is checked on every request, cached or not.
 *
 * The cache is bounded: past MAX_ENTRIES it is emptied, so a flood of made-up tokens costs reads of
 * the grid (one per distinct token per cache-ttl), never memory.
 */
/** Checks bearer tokens: the bootstrap token, or one of {@link TokenStore}. */
public final class TokenVerifier {
  static final int MAX_ENTRIES = 10_000;

  private final byte[] bootstrapHash;
  private final Principal bootstrap;
  private final TokenStore store;
  private final long cacheTtlNanos;
  private final ConcurrentHashMap<HashKey, Cached> cache = new ConcurrentHashMap<>();

  private record Cached(Optional<Principal> principal, long verifiedAtNanos) {}

  /** A token's SHA-256 as a map key: four longs hash and compare without allocating a string. */
  private record HashKey(long a, long b, long c, long d) {
    static HashKey of(byte[] sha256) {
      ByteBuffer b = ByteBuffer.wrap(sha256);
      return new HashKey(b.getLong(), b.getLong(), b.getLong(), b.getLong());
    }
  }

  public TokenVerifier(AuthSettings settings, TokenStore store) {
    this.bootstrapHash = TokenStore.sha256(settings.adminToken().orElseThrow());
    this.bootstrap =
        new Principal(TokenStore.BOOTSTRAP_NAME, List.of(new Grant("*", Access.ADMIN)), null);
    this.store = store;
    this.cacheTtlNanos = settings.cacheTtl().toNanos();
  }

  /**
   * The cached answer for the token, if there is a fresh one: null when the grid must be asked (see
   * {@link #verify}).
   */
  public Optional<Principal> cached(String token) {
    byte[] hash = TokenStore.sha256(token);
    if (MessageDigest.isEqual(hash, bootstrapHash)) {
      return Optional.of(bootstrap);
    }
    Cached cached = cache.get(HashKey.of(hash));
    if (cached == null || System.nanoTime() - cached.verifiedAtNanos() > cacheTtlNanos) {
      return null;
    }
    return unexpired(cached.principal());
  }

  /**
   * The token's principal, or empty when it is not a token of this grid (unknown, revoked, expired
   * or malformed). Fails when the grid cannot be read (the token's partition is unavailable).
   */
  public CompletionStage<Optional<Principal>> verify(String token) {
    Optional<Principal> hit = cached(token);
    if (hit != null) {
      return CompletableFuture.completedFuture(hit);
    }
    byte[] hash = TokenStore.sha256(token);
    HashKey key = HashKey.of(hash);
    String name = TokenStore.claimedName(token);
    if (name == null || name.equals(TokenStore.BOOTSTRAP_NAME)) {
      remember(key, Optional.empty());
      return CompletableFuture.completedFuture(Optional.empty());
    }
    long started = System.nanoTime();
    return store
        .find(name)
        .thenApply(
            stored -> {
              Optional<Principal> principal =
                  stored
                      .filter(s -> MessageDigest.isEqual(hash, HexFormat.of().parseHex(s.sha256())))
                      .map(
                          s ->
                              new Principal(
                                  name,
                                  s.grants(),
                                  s.expiresAt() == null
                                      ? null
                                      : Instant.ofEpochMilli(s.expiresAt())));
              // Aged from before the read: a revocation acknowledged while it ran is not missed
              // for longer than cache-ttl.
              remember(key, principal, started);
              return unexpired(principal);
            });
  }

  /**
   * Forgets this node's cached answers for the token of this name, after a revocation through this
   * node: here it is refused at once; other nodes refuse it when their answers age out.
   */
  public void forget(String name) {
    cache.values().removeIf(c -> c.principal().map(p -> p.name().equals(name)).orElse(false));
  }

  private void remember(HashKey key, Optional<Principal> principal) {
    remember(key, principal, System.nanoTime());
  }

  private void remember(HashKey key, Optional<Principal> principal, long verifiedAtNanos) {
    if (cacheTtlNanos == 0) {
      return;
    }
    if (cache.size() >= MAX_ENTRIES) {
      cache.clear();
    }
    cache.put(key, new Cached(principal, verifiedAtNanos));
  }

  private static Optional<Principal> unexpired(Optional<Principal> principal) {
    return principal.filter(p -> !p.expiredAt(Instant.now()));
  }
}
