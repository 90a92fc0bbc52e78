package io.actorgrid.grid.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PartitionerTest {

  private static int hash(String s, int seed) {
    return Partitioner.murmur3x86_32(s.getBytes(StandardCharsets.UTF_8), seed);
  }

  @Test
  void murmur3MatchesPublishedTestVectors() {
    assertEquals(0x00000000, hash("", 0));
    assertEquals(0x514E28B7, hash("", 1));
    assertEquals(0x81F16F39, hash("", 0xffffffff));
    assertEquals(0x2362F9DE, Partitioner.murmur3x86_32(new byte[4], 0));
    assertEquals(0x5A97808A, hash("aaaa", 0x9747b28c));
    assertEquals(0x283E0130, hash("aaa", 0x9747b28c));
    assertEquals(0x5D211726, hash("aa", 0x9747b28c));
    assertEquals(0x7FA09EA6, hash("a", 0x9747b28c));
    assertEquals(0x24884CBA, hash("Hello, world!", 0x9747b28c));
    assertEquals(0x2FA826CD, hash("The quick brown fox jumps over the lazy dog", 0x9747b28c));
  }

  @Test
  void partitionsAreStableAndSeparateMapFromKey() {
    Partitioner p = new Partitioner(128);
    // Pinned: the placement of keys is part of the journal's format and must never change.
    assertEquals(Math.floorMod(hash("users\0alice", 0), 128), p.partitionOf("users", "alice"));
    assertEquals(
        p.partitionOf("users", "alice"), new Partitioner(128).partitionOf("users", "alice"));
    assertNotEquals(hash("a\0bc", 0), hash("ab\0c", 0));
  }

  @Test
  void keysSpreadOverAllPartitions() {
    Partitioner p = new Partitioner(16);
    int[] counts = new int[16];
    for (int i = 0; i < 16_000; i++) {
      counts[p.partitionOf("m", "key-" + i)]++;
    }
    for (int count : counts) {
      assertTrue(
          count > 700 && count < 1300, "uneven spread: " + java.util.Arrays.toString(counts));
    }
  }
}
