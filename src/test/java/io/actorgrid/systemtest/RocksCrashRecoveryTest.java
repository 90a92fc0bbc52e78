package io.actorgrid.systemtest;

import java.util.Map;

/**
 * {@link CrashRecoveryTest} on a node with the RocksDB journal ({@code GRID_JOURNAL=rocksdb}, its
 * shipped durability {@code process}): SIGKILLed while clients write over HTTP, it must still hold
 * every write it acknowledged, and count idempotent increments once.
 */
class RocksCrashRecoveryTest extends CrashRecoveryTest {
  @Override
  Map<String, String> nodeEnv() {
    return Map.of("GRID_JOURNAL", "rocksdb");
  }
}
