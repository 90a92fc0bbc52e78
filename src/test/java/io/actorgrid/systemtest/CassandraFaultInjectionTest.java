package io.actorgrid.systemtest;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The faults that matter most on Cassandra, with the workload and checks of {@link
 * FaultInjectionTest}: three nodes with the shipped defaults (128 partitions; on Cassandra the node
 * keeps {@code down-removal-margin} at {@code stable-after}, at least 4 s) on one real Cassandra 5
 * node (grid-node's test {@code CassandraServer}, its own JVM). Cassandra's journal has no unique
 * key on (partition, sequence number) to refuse a stale copy's write (docs/operations.md, "Two
 * writers anyway"), so a node that resumes after its partitions moved, or that a partition cut off,
 * may complete writes the new copies then discard on replay.
 *
 * <p>Runs are named {@code cassandra-...} in {@code target/fault-reports/summary.txt}. Cassandra
 * plus three nodes is heavy on 2 cores: about 4-5 minutes per test.
 */
@Tag("faults")
class CassandraFaultInjectionTest extends FaultRuns {

  @Override
  GridCluster startCluster(Map<Integer, Map<String, String>> envByNode) throws Exception {
    return GridCluster.startOnCassandra(workDir, 3, envByNode);
  }

  @Test
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void sigkillAndRestartOfANode() throws Exception {
    sigkillAndRestart("cassandra-sigkill");
  }

  /**
   * Longer than the whole failover: the survivors recover node 3's partitions from Cassandra and
   * write them while it is frozen. When it resumes, the writes it had queued or in flight may reach
   * Cassandra with sequence numbers the new copies used already.
   */
  @Test
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void sigstopLongerThanFailover() throws Exception {
    freezeFor("cassandra-sigstop-45s", 3, Duration.ofSeconds(45), Duration.ofSeconds(30));
  }

  /**
   * Node 3's cluster port cut off for 20 s with nftables while its HTTP port and its connection to
   * Cassandra stay open: it downs itself while the majority takes over its partitions. Fails
   * without nftables (never skips).
   */
  @Test
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void networkPartitionOfANode() throws Exception {
    isolateForTwentySeconds("cassandra-partition-20s");
  }
}
