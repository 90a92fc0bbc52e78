package io.actorgrid.grid.internal;

import java.nio.charset.StandardCharsets;

/**
 * Maps (map, key) to a partition. The function is part of the on-disk format: a journal written
 * with one function cannot be read with another, so it never changes.
 *
 * <p>partition = floorMod(murmur3_x86_32(utf8(map) ++ 0x00 ++ utf8(key), seed 0), partitions). The
 * zero byte cannot occur in a map name, so ("a", "bc") and ("ab", "c") differ.
 */
public final class Partitioner {
  private final int partitions;

  public Partitioner(int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
    }
    this.partitions = partitions;
  }

  public int partitions() {
    return partitions;
  }

  /**
   * The home partition of a map, which holds its settings: the partition of the empty key, which no
   * record can have.
   */
  public int homeOf(String map) {
    return partitionOf(map, "");
  }

  public int partitionOf(String map, String key) {
    byte[] m = map.getBytes(StandardCharsets.UTF_8);
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    byte[] data = new byte[m.length + 1 + k.length];
    System.arraycopy(m, 0, data, 0, m.length);
    System.arraycopy(k, 0, data, m.length + 1, k.length);
    return Math.floorMod(murmur3x86_32(data, 0), partitions);
  }

  /** MurmurHash3, x86 32-bit variant, as published by its author (public domain). */
  @SuppressWarnings("fallthrough")
  static int murmur3x86_32(byte[] data, int seed) {
    final int c1 = 0xcc9e2d51;
    final int c2 = 0x1b873593;
    int h = seed;
    int blocks = data.length / 4;
    for (int i = 0; i < blocks; i++) {
      int o = i * 4;
      int k =
          (data[o] & 0xff)
              | (data[o + 1] & 0xff) << 8
              | (data[o + 2] & 0xff) << 16
              | (data[o + 3] & 0xff) << 24;
      k *= c1;
      k = Integer.rotateLeft(k, 15);
      k *= c2;
      h ^= k;
      h = Integer.rotateLeft(h, 13);
      h = h * 5 + 0xe6546b64;
    }
    int tail = blocks * 4;
    int k = 0;
    switch (data.length & 3) {
      case 3:
        k ^= (data[tail + 2] & 0xff) << 16;
      // fall through
      case 2:
        k ^= (data[tail + 1] & 0xff) << 8;
      // fall through
      case 1:
        k ^= data[tail] & 0xff;
        k *= c1;
        k = Integer.rotateLeft(k, 15);
        k *= c2;
        h ^= k;
        break;
      default:
        break;
    }
    h ^= data.length;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
