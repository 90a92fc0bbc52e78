package io.actorgrid.systemtest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A rolling restart under load, as an operator upgrades a cluster: each of three nodes in turn is
 * stopped with SIGTERM (it leaves the cluster and hands its partitions over), started again on the
 * same ports and data directory, and must be back, Up and ready, before the next one goes. Then a
 * fourth node joins and must take over a share of the partitions.
 *
 * <p>Clients write and read through all live nodes the whole time, and no acknowledged write may be
 * lost. The 503s and connection errors the clients see during each handover are printed, not
 * asserted: they are the price of a restart that the numbers should keep low.
 */
class ClusterRollingRestartTest extends OneClusterPerTest {

  private static final String MAP = "rolling-restart";
  private static final long ACKNOWLEDGED_BETWEEN_STEPS = 150;

  @Test
  @Timeout(value = 12, unit = TimeUnit.MINUTES)
  void noAcknowledgedWriteIsLostWhileEveryNodeRestartsInTurnAndAFourthJoins() throws Exception {
    cluster = GridCluster.start(workDir, 3);
    ClusterLoad load = ClusterLoad.start(cluster.clients(), MAP);
    load.awaitMoreAcknowledged(ACKNOWLEDGED_BETWEEN_STEPS);

    List<String> handovers = new ArrayList<>();
    for (NodeProcess node : cluster.nodes()) {
      handovers.add(restartInTurn(node, load));
    }

    NodeProcess fourth = cluster.addNode();
    Duration joined = cluster.awaitReadyAndUp(cluster.nodes());
    cluster.clients().add(fourth);
    Instant upAndReady = Instant.now();
    cluster.awaitHostsPartitions(fourth);
    System.out.printf(
        "%s was Up and ready %d ms after it started and hosted partitions %d ms later;"
            + " partitions by node: %s%n",
        fourth,
        joined.toMillis(),
        Duration.between(upAndReady, Instant.now()).toMillis(),
        cluster.state(cluster.node(1)).partitionCounts());
    load.awaitMoreAcknowledged(ACKNOWLEDGED_BETWEEN_STEPS);

    handovers.forEach(System.out::println);
    load.stopAndVerify();
  }

  /** SIGTERM, wait for the exit, start again, wait until it is back; returns what happened. */
  private String restartInTurn(NodeProcess node, ClusterLoad load) throws Exception {
    long unavailableBefore = load.unavailable();
    long connectionErrorsBefore = load.connectionErrors();
    long acknowledgedBefore = load.acknowledged();
    Instant signalled = Instant.now();
    // The node stays in the clients' rotation until it has exited, as behind a load balancer
    // that only notices a node is gone when it stops accepting connections.
    boolean exitedByItself = node.stop();
    Duration toExit = Duration.between(signalled, Instant.now());
    cluster.clients().remove(node);

    node.restart();
    cluster.awaitReadyAndUp(cluster.nodes().subList(0, 3));
    cluster.clients().add(node);
    Duration toBack = Duration.between(signalled, Instant.now());
    load.awaitMoreAcknowledged(ACKNOWLEDGED_BETWEEN_STEPS);

    String handover =
        String.format(
            "handover of %s: exited %d ms after SIGTERM (by itself: %s), back Up and ready %d ms"
                + " after SIGTERM; meanwhile %d answers were 503, %d requests failed to connect or"
                + " timed out, %d writes were acknowledged",
            node,
            toExit.toMillis(),
            exitedByItself,
            toBack.toMillis(),
            load.unavailable() - unavailableBefore,
            load.connectionErrors() - connectionErrorsBefore,
            load.acknowledged() - acknowledgedBefore);
    System.out.println(handover);
    return handover;
  }
}
