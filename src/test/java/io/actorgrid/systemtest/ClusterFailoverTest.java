package io.actorgrid.systemtest;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three nodes on one PostgreSQL journal; a node is killed with SIGKILL while clients write and read
 * through all nodes. The Split Brain Resolver must down it, its partitions must start on the
 * survivors and recover every acknowledged write, and every partition must answer through the
 * survivors again.
 *
 * <p>First a younger node is killed, so the cluster keeps its oldest node (which runs the shard
 * coordinator); then that node is restarted and the oldest node is killed, so the coordinator moves
 * as well. The time from the kill until every partition answers is printed, not asserted.
 */
class ClusterFailoverTest extends OneClusterPerTest {

  private static final String MAP = "failover";
  private static final Duration FAILOVER_TIMEOUT = Duration.ofMinutes(2);
  private static final long ACKNOWLEDGED_BEFORE_KILL = 200;
  private static final long ACKNOWLEDGED_AFTER_FAILOVER = 100;

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void everyPartitionAnswersThroughTheSurvivorsAfterANodeIsKilled() throws Exception {
    cluster = GridCluster.start(workDir, 3);
    PartitionProbe probe = new PartitionProbe("failover-probe", GridCluster.PARTITIONS);
    probe.awaitEveryPartitionAnswers(cluster.clients(), Instant.now(), FAILOVER_TIMEOUT);
    ClusterLoad load = ClusterLoad.start(cluster.clients(), MAP);
    load.awaitMoreAcknowledged(ACKNOWLEDGED_BEFORE_KILL);

    // Not the first seed node: the cluster keeps its oldest member and shard coordinator.
    NodeProcess younger = busiestOf(List.of(cluster.node(2), cluster.node(3)));
    killAndAwaitFailover(younger, "a younger node", probe, load);

    younger.restart();
    Duration rejoined = cluster.awaitReadyAndUp(cluster.nodes());
    cluster.clients().add(younger);
    System.out.printf("%s restarted and rejoined in %d ms%n", younger, rejoined.toMillis());
    load.awaitMoreAcknowledged(ACKNOWLEDGED_BEFORE_KILL);

    killAndAwaitFailover(cluster.node(1), "the oldest node (first seed)", probe, load);

    load.stopAndVerify();
  }

  /** Of {@code candidates}, the node that hosts the most partitions now. */
  private NodeProcess busiestOf(List<NodeProcess> candidates) throws Exception {
    GridCluster.ClusterState state = cluster.state(cluster.node(1));
    return candidates.stream()
        .max(Comparator.comparingInt(n -> state.partitionsOf(n.clusterAddress()).size()))
        .orElseThrow();
  }

  private void killAndAwaitFailover(
      NodeProcess victim, String which, PartitionProbe probe, ClusterLoad load) throws Exception {
    List<NodeProcess> survivors =
        cluster.clients().nodes().stream().filter(n -> n != victim).toList();
    List<Integer> hosted = cluster.state(survivors.get(0)).partitionsOf(victim.clusterAddress());
    assertFalse(hosted.isEmpty(), victim + " hosts no partition; nothing would fail over");
    long acknowledgedBefore = load.acknowledged();
    long unavailableBefore = load.unavailable();
    long connectionErrorsBefore = load.connectionErrors();

    Instant killedAt = Instant.now();
    victim.kill();
    cluster.clients().remove(victim);
    System.out.printf(
        "SIGKILL to %s, %s hosting partitions %s, after %d acknowledged writes%n",
        victim, which, hosted, acknowledgedBefore);

    Map<Integer, Duration> answered =
        probe.awaitEveryPartitionAnswers(cluster.clients(), killedAt, FAILOVER_TIMEOUT);
    Duration everyPartition = answered.values().stream().max(Duration::compareTo).orElseThrow();
    Map<Integer, Long> movedPartitions =
        hosted.stream()
            .collect(
                Collectors.toMap(
                    p -> p, p -> answered.get(p).toMillis(), (a, b) -> a, TreeMap::new));
    System.out.printf(
        "failover (%s): every partition answered %d ms after SIGKILL; the killed node's"
            + " partitions first answered after (ms): %s%n",
        which, everyPartition.toMillis(), movedPartitions);

    for (NodeProcess survivor : survivors) {
      Await.until(
          survivor + " no longer lists " + victim.clusterAddress() + " in /v1/cluster",
          FAILOVER_TIMEOUT,
          () ->
              cluster.tryState(survivor).map(s -> !s.lists(victim.clusterAddress())).orElse(false),
          () -> "last state: " + cluster.tryState(survivor).map(Object::toString).orElse("-"));
    }
    System.out.printf(
        "failover (%s): the killed node is gone from /v1/cluster of every survivor %d ms after"
            + " SIGKILL%n",
        which, Duration.between(killedAt, Instant.now()).toMillis());
    for (NodeProcess survivor : survivors) {
      // Printed, not asserted: the placement /v1/cluster reports is best-effort.
      System.out.printf(
          "failover (%s): %s reports partitions by node %s%n",
          which,
          survivor,
          cluster.tryState(survivor).map(s -> s.partitionCounts().toString()).orElse("-"));
    }

    load.awaitMoreAcknowledged(ACKNOWLEDGED_AFTER_FAILOVER);
    System.out.printf(
        "failover (%s): from the kill until %d more writes were acknowledged the clients saw %d"
            + " answers 503 and %d requests that failed to connect or timed out%n",
        which,
        ACKNOWLEDGED_AFTER_FAILOVER,
        load.unavailable() - unavailableBefore,
        load.connectionErrors() - connectionErrorsBefore);
  }
}
