package io.actorgrid.grid;

import java.time.Duration;
import java.util.Objects;

/**
 * How a write is made: its precondition, the record's time to live, an idempotency key, and who
 * makes it. Immutable; each {@code with...} returns a copy.
 *
 * <pre>{@code
 * WriteOptions.none().withTtl(Duration.ofSeconds(30)).withIdempotencyKey(requestId)
 * }</pre>
 */
public final class WriteOptions {
  private static final WriteOptions NONE = new WriteOptions(Precondition.none(), null, null, null);

  private final Precondition precondition;
  private final Duration ttl;
  private final String idempotencyKey;
  private final String principal;

  private WriteOptions(
      Precondition precondition, Duration ttl, String idempotencyKey, String principal) {
    this.precondition = precondition;
    this.ttl = ttl;
    this.idempotencyKey = idempotencyKey;
    this.principal = principal;
  }

  /** Unconditional, the map's default TTL, no idempotency key. */
  public static WriteOptions none() {
    return NONE;
  }

  /** Write only if the record satisfies the precondition (checked atomically with the write). */
  public WriteOptions withPrecondition(Precondition precondition) {
    return new WriteOptions(Objects.requireNonNull(precondition), ttl, idempotencyKey, principal);
  }

  /**
   * The record expires this long after the write: it is never returned afterwards, and its removal
   * is an event in the journal. Overrides the map's default TTL. A put without a TTL (and without a
   * map default) makes the record permanent, also if it had a TTL before.
   */
  public WriteOptions withTtl(Duration ttl) {
    return new WriteOptions(precondition, Objects.requireNonNull(ttl), idempotencyKey, principal);
  }

  /**
   * A key naming this request, unique per request (a UUID, say). When a write with the same key is
   * sent again (a retry after a timeout, a failover, a lost connection), the partition answers with
   * the first attempt's outcome and writes nothing, as long as it still remembers the key ({@code
   * actorgrid.idempotency}: 1 h, and the 10,000 most recent keys of the partition). Every outcome
   * is remembered, also one that changed nothing (a failed precondition, an absent record): the
   * retry gets it again. The same key with a different request fails with {@link
   * IdempotencyKeyReusedException} when both concern the same partition; keys are remembered by the
   * partition of the record they wrote, so a key reused for a record of another partition is not
   * detected. Use a new key for every request.
   *
   * @throws InvalidRequestException unless the key is 1 to 255 visible ASCII characters
   */
  public WriteOptions withIdempotencyKey(String idempotencyKey) {
    return new WriteOptions(precondition, ttl, checkIdempotencyKey(idempotencyKey), principal);
  }

  /**
   * Who makes the write: a name recorded in the write's event, which the record's history shows as
   * {@link HistoryItem#by()} for as long as retention keeps it (the HTTP API passes the name of the
   * request's token). Not checked against anything and not part of the idempotency fingerprint: a
   * retry by another principal gets the first attempt's outcome.
   *
   * @throws InvalidRequestException unless the name is 1 to 128 visible ASCII characters
   */
  public WriteOptions withPrincipal(String principal) {
    if (principal == null
        || principal.isEmpty()
        || principal.length() > 128
        || !principal.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new InvalidRequestException("a principal is 1 to 128 visible ASCII characters");
    }
    return new WriteOptions(precondition, ttl, idempotencyKey, principal);
  }

  /**
   * The key, if it is 1 to 255 visible ASCII characters (such as a UUID).
   *
   * @throws InvalidRequestException otherwise
   */
  static String checkIdempotencyKey(String key) {
    if (key == null
        || key.isEmpty()
        || key.length() > 255
        || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new InvalidRequestException(
          "Idempotency-Key must be 1 to 255 visible ASCII characters, such as a UUID");
    }
    return key;
  }

  public Precondition precondition() {
    return precondition;
  }

  /** The explicit TTL, or null for the map's default. */
  public Duration ttl() {
    return ttl;
  }

  /** The idempotency key, or null. */
  public String idempotencyKey() {
    return idempotencyKey;
  }

  /** Who makes the write, or null. */
  public String principal() {
    return principal;
  }
}
