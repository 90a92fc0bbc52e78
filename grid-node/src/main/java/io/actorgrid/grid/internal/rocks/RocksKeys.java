package io.actorgrid.grid.internal.rocks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Keys of the store: a persistence id's prefix (its UTF-8 length as two bytes, then the bytes), and
 * for events and snapshots the sequence number after it as 8 big-endian bytes. The length makes one
 * id's keys a contiguous range that no other id's keys fall into ("a" + 0x00... never mixes with
 * "a\0"), and sequence numbers, never negative, sort numerically as unsigned bytes.
 */
final class RocksKeys {
  private RocksKeys() {}

  /** Longest persistence id, in bytes of UTF-8: the prefix holds its length in two bytes. */
  static final int MAX_ID_BYTES = 0xFFFF;

  static byte[] prefix(String persistenceId) {
    byte[] id = persistenceId.getBytes(StandardCharsets.UTF_8);
    if (id.length > MAX_ID_BYTES) {
      throw new IllegalArgumentException(
          "persistence id of "
              + id.length
              + " bytes is longer than the RocksDB journal's "
              + MAX_ID_BYTES);
    }
    return ByteBuffer.allocate(2 + id.length).putShort((short) id.length).put(id).array();
  }

  /** The key of a persistence id's event or snapshot at {@code sequenceNr}. */
  static byte[] key(byte[] prefix, long sequenceNr) {
    return ByteBuffer.allocate(prefix.length + 8).put(prefix).putLong(sequenceNr).array();
  }

  /**
   * The first key after every key of this prefix: the prefix with its sequence number part all ones
   * and one more byte (keys of a prefix are exactly prefix + 8 bytes long).
   */
  static byte[] end(byte[] prefix) {
    byte[] end = new byte[prefix.length + 9];
    System.arraycopy(prefix, 0, end, 0, prefix.length);
    java.util.Arrays.fill(end, prefix.length, end.length, (byte) 0xFF);
    return end;
  }

  /** Whether {@code key} is a key of {@code prefix}. */
  static boolean hasPrefix(byte[] key, byte[] prefix) {
    return key.length == prefix.length + 8
        && java.util.Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }

  static long sequenceNr(byte[] key) {
    return ByteBuffer.wrap(key, key.length - 8, 8).getLong();
  }

  static byte[] longValue(long value) {
    return ByteBuffer.allocate(8).putLong(value).array();
  }

  static long longOf(byte[] value) {
    return ByteBuffer.wrap(value).getLong();
  }
}
