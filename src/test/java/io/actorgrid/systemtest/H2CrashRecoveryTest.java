package io.actorgrid.systemtest;

import java.util.Map;

/**
 * {@link CrashRecoveryTest}, which runs on the shipped default journal (RocksDB, durability {@code
 * process}), on a node with the H2 journal ({@code GRID_JOURNAL=h2}, what data directories made by
 * older versions keep): SIGKILLed while clients write over HTTP, it must still hold every write it
 * acknowledged, and count idempotent increments once.
 */
class H2CrashRecoveryTest extends CrashRecoveryTest {
  @Override
  Map<String, String> nodeEnv() {
    return Map.of("GRID_JOURNAL", "h2");
  }
}
