package io.actorgrid.grid.internal;

import io.actorgrid.grid.InvalidRequestException;
import java.util.Arrays;
import java.util.Base64;

/*
 * A position in a change feed: for every partition, the sequence number of the last event of its
 * journal the consumer has seen (0: none). One event can stand for several changes (a clear that
 * names its keys), so one partition may be inside an event: `partial` is that partition (or -1)
 * and `skip` how many changes of its next event (sequence number seqs[partial] + 1) were already
 * delivered. Only the partition of the last delivered change can be inside an event.
 *
 * Encoded as base64url (no padding) of unsigned varints: a format byte (1), the partition count,
 * the lowest sequence number, each partition's sequence number less that one (partitions grow at
 * similar rates, so these stay short), then partial + 1 (0: none) and, when there is one, skip.
 * Decoding checks every part, so a garbled or foreign id is refused, never misread.
 */
public final class ChangePosition {
  private static final int FORMAT = 1;

  private final long[] seqs;
  private final int partial;
  private final int skip;

  private ChangePosition(long[] seqs, int partial, int skip) {
    this.seqs = seqs;
    this.partial = partial;
    this.skip = skip;
  }

  /** Every partition at {@code seqs}, no event half-delivered. */
  public static ChangePosition of(long[] seqs) {
    return new ChangePosition(seqs.clone(), -1, 0);
  }

  public int partitions() {
    return seqs.length;
  }

  /** The last event of partition {@code p} wholly delivered. */
  public long seq(int p) {
    return seqs[p];
  }

  /** Changes of partition {@code p}'s next event already delivered (0 but inside an event). */
  public int skip(int p) {
    return p == partial ? skip : 0;
  }

  /** This position with partition {@code p} at {@code seq}, and {@code skip} changes of seq + 1. */
  public ChangePosition with(int p, long seq, int skip) {
    long[] next = seqs.clone();
    next[p] = seq;
    return new ChangePosition(next, skip > 0 ? p : -1, skip);
  }

  public String encode() {
    return encode(seqs, partial, skip);
  }

  /**
   * The id of the position with every partition at {@code seqs}, and {@code skip} changes of
   * partition {@code partial}'s next event delivered ({@code partial} -1: none).
   */
  public static String encode(long[] seqs, int partial, int skip) {
    // Called for every change delivered to every feed: a plain array, no stream, no per-byte call.
    byte[] out = new byte[(seqs.length + 6) * 10];
    long base = Long.MAX_VALUE;
    for (long seq : seqs) {
      base = Math.min(base, seq);
    }
    int at = varint(out, 0, FORMAT);
    at = varint(out, at, seqs.length);
    at = varint(out, at, base);
    for (long seq : seqs) {
      at = varint(out, at, seq - base);
    }
    at = varint(out, at, partial + 1L);
    if (partial >= 0) {
      at = varint(out, at, skip);
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(out, at));
  }

  /**
   * The position an id names.
   *
   * @throws InvalidRequestException when it is not an id of a grid of {@code partitions} partitions
   */
  public static ChangePosition decode(String id, int partitions) {
    if (id == null || id.isEmpty()) {
      throw invalid(id, "it is empty");
    }
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(id);
    } catch (IllegalArgumentException e) {
      throw invalid(id, "it is not base64url");
    }
    int[] at = {0};
    if (read(bytes, at, id) != FORMAT) {
      throw invalid(id, "its format is unknown");
    }
    long count = read(bytes, at, id);
    if (count != partitions) {
      throw invalid(
          id,
          "it was issued by a grid of "
              + count
              + " partitions, and this grid has "
              + partitions
              + " (actorgrid.partitions)");
    }
    long base = read(bytes, at, id);
    long[] seqs = new long[partitions];
    for (int p = 0; p < partitions; p++) {
      seqs[p] = base + read(bytes, at, id);
      if (seqs[p] < base) {
        throw invalid(id, "a position in it is out of range");
      }
    }
    long partial = read(bytes, at, id) - 1;
    if (partial >= partitions) {
      throw invalid(id, "it names partition " + partial);
    }
    long skip = partial >= 0 ? read(bytes, at, id) : 0;
    if (partial >= 0 && (skip < 1 || skip > Integer.MAX_VALUE)) {
      throw invalid(id, "its position inside an event is out of range");
    }
    if (at[0] != bytes.length) {
      throw invalid(id, "it has trailing bytes");
    }
    return new ChangePosition(seqs, (int) partial, (int) skip);
  }

  /** Writes {@code value} as an unsigned varint at {@code at}; returns the index after it. */
  private static int varint(byte[] out, int at, long value) {
    while ((value & ~0x7FL) != 0) {
      out[at++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out[at++] = (byte) value;
    return at;
  }

  private static long read(byte[] bytes, int[] at, String id) {
    long value = 0;
    for (int shift = 0; shift < 63; shift += 7) {
      if (at[0] >= bytes.length) {
        throw invalid(id, "it is truncated");
      }
      byte b = bytes[at[0]++];
      value |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw invalid(id, "a number in it is too long");
  }

  private static InvalidRequestException invalid(String id, String why) {
    String shown = id == null ? "null" : id.length() > 40 ? id.substring(0, 40) + "..." : id;
    return new InvalidRequestException(
        "change feed id '"
            + shown
            + "' is not valid: "
            + why
            + ". Use an id the feed sent (its last one), or start with from=now or"
            + " from=beginning");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChangePosition other
        && Arrays.equals(seqs, other.seqs)
        && partial == other.partial
        && skip == other.skip;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(seqs) * 31 + partial * 7 + skip;
  }

  @Override
  public String toString() {
    return Arrays.toString(seqs) + (partial >= 0 ? " in " + partial + " +" + skip : "");
  }
}
