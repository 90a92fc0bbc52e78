package io.actorgrid.systemtest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fault suite: three nodes on PostgreSQL with the shipped defaults (128 partitions), a {@link
 * RegisterWorkload} of reads, puts, compare-and-set puts, increments and deletes over 64 keys
 * through every node, and one fault per test while it runs: SIGKILL and restart, SIGSTOP for 5, 20
 * and 45 s (and of the oldest node), a network partition of one node, PostgreSQL stopped for 30 s.
 * After the fault the cluster is healed, every key is read through every node, and {@link
 * LinearizabilityChecker} checks the whole history ({@link FaultRuns}, which {@link
 * CassandraFaultInjectionTest} shares).
 *
 * <p>Not part of the default build: {@code mvn -B verify -Pfaults} runs it (tag {@code faults}). It
 * needs about three minutes per test on a 2-core machine.
 */
@Tag("faults")
class FaultInjectionTest extends FaultRuns {

  @Override
  GridCluster startCluster(Map<Integer, Map<String, String>> envByNode) throws Exception {
    return GridCluster.startWithDefaultPartitions(workDir, 3, envByNode);
  }

  @Test
  @Timeout(value = 12, unit = TimeUnit.MINUTES)
  void sigkillAndRestartOfANode() throws Exception {
    sigkillAndRestart("sigkill");
  }

  @Test
  @Timeout(value = 12, unit = TimeUnit.MINUTES)
  void sigstopForFiveSeconds() throws Exception {
    freezeFor("sigstop-5s", 3, Duration.ofSeconds(5), Duration.ofSeconds(45));
  }

  /**
   * Longer than the Split Brain Resolver's stable-after (3 s): the other two down the frozen node
   * and take over its partitions while it is stopped. After SIGCONT it must learn that it was
   * removed, stop serving and exit; the test then restarts it.
   */
  @Test
  @Timeout(value = 12, unit = TimeUnit.MINUTES)
  void sigstopLongerThanStableAfter() throws Exception {
    freezeFor("sigstop-20s", 3, Duration.ofSeconds(20), Duration.ofSeconds(45));
  }

  /**
   * Longer than the whole failover (downing, removal, down-removal-margin, recovery: about 20-30 s
   * here): the survivors serve and change the frozen node's partitions before it resumes. Requests
   * that reached it while it was frozen are then answered from what it held when it stopped, until
   * it learns that it was removed.
   */
  @Test
  @Timeout(value = 12, unit = TimeUnit.MINUTES)
  void sigstopLongerThanFailover() throws Exception {
    freezeFor("sigstop-45s", 3, Duration.ofSeconds(45), Duration.ofSeconds(30));
  }

  @Test
  @Timeout(value = 12, unit = TimeUnit.MINUTES)
  void postgresStoppedForThirtySeconds() throws Exception {
    begin("postgres-30s");
    postgres = new PostgresOutage(cluster.postgresDataDir());
    fault("PostgreSQL fast shutdown");
    postgres.stop();
    fault("PostgreSQL stopped");
    sleep(Duration.ofSeconds(30));
    fault("PostgreSQL start");
    postgres.start();
    long restarted = workload.now();
    fault("PostgreSQL listens");
    // The grid must recover by itself: writes sent after the restart are acknowledged again.
    Await.until(
        "writes sent after PostgreSQL's restart are acknowledged",
        HEAL_TIMEOUT,
        () -> workload.acknowledgedWritesSince(restarted) >= 100,
        () -> "acknowledged since: " + workload.acknowledgedWritesSince(restarted));
    fault("100 writes acknowledged after the restart");
    sleep(Duration.ofSeconds(20));
    finish("postgres-30s");
  }

  /**
   * The oldest node (node 1) runs the shard coordinator and the cluster singleton: frozen for 20 s,
   * it is downed like any other, and the coordinator must start again on a survivor before the
   * frozen node's partitions can be placed there.
   */
  @Test
  @Timeout(value = 12, unit = TimeUnit.MINUTES)
  void sigstopOfTheOldestNode() throws Exception {
    freezeFor("sigstop-20s-oldest", 1, Duration.ofSeconds(20), Duration.ofSeconds(45));
  }

  /**
   * A node cut off from the others by the network for 20 s (longer than stable-after) while its
   * HTTP port still takes clients' requests: the Split Brain Resolver (keep-majority) makes it down
   * itself and the others take over its partitions. Fails without nftables (never skips):
   * .ci/install-fault-tools installs it.
   */
  @Test
  @Timeout(value = 12, unit = TimeUnit.MINUTES)
  void networkPartitionOfANode() throws Exception {
    isolateForTwentySeconds("partition-20s");
  }

  /**
   * One direction only: nothing reaches node 3's cluster port for 20 s (the others' messages to it
   * are lost), while what node 3 sends on its own connections still arrives. Node 3 hears no
   * heartbeat answers and the others get no answers to theirs either, so both sides see the other
   * unreachable; the majority downs node 3 and node 3 downs itself.
   */
  @Test
  @Timeout(value = 12, unit = TimeUnit.MINUTES)
  void oneWayPartitionNothingReachesANode() throws Exception {
    requireNft();
    begin("partition-in-20s");
    partition = new NetworkPartition();
    NodeProcess victim = cluster.node(3);
    fault("one-way partition: nothing reaches n3's cluster port");
    partition.dropTo(clusterPort(victim));
    sleep(Duration.ofSeconds(20));
    fault("partition healed");
    partition.heal();
    awaitBackOrRestart(victim);
    sleep(Duration.ofSeconds(45));
    finish("partition-in-20s");
  }

  /**
   * The other direction: node 3 (in a cgroup of its own) cannot send to the others' cluster ports
   * for 20 s, while they still reach it.
   */
  @Test
  @Timeout(value = 12, unit = TimeUnit.MINUTES)
  void oneWayPartitionANodeSendsNothing() throws Exception {
    requireNft();
    requireCgroup();
    cgroup = NodeCgroup.create("actorgrid-faults-n3");
    begin("partition-out-20s", Map.of(3, cgroup.nodeEnv()));
    partition = new NetworkPartition();
    NodeProcess victim = cluster.node(3);
    fault("one-way partition: n3 sends nothing to n1's and n2's cluster ports");
    partition.dropFrom(cgroup, List.of(clusterPort(cluster.node(1)), clusterPort(cluster.node(2))));
    sleep(Duration.ofSeconds(20));
    fault("partition healed");
    partition.heal();
    awaitBackOrRestart(victim);
    sleep(Duration.ofSeconds(45));
    finish("partition-out-20s");
  }

  /**
   * Node 3 (in a cgroup of its own) cannot reach PostgreSQL for 30 s; the cluster is whole. Its
   * partitions must refuse writes (503) and keep answering reads, and take writes again by
   * themselves once the database is reachable; nothing acknowledged may be lost.
   */
  @Test
  @Timeout(value = 12, unit = TimeUnit.MINUTES)
  void aNodeCutOffFromPostgres() throws Exception {
    requireNft();
    requireCgroup();
    cgroup = NodeCgroup.create("actorgrid-faults-n3");
    begin("pg-isolated-30s", Map.of(3, cgroup.nodeEnv()));
    partition = new NetworkPartition();
    NodeProcess victim = cluster.node(3);
    List<String> victimKeys = keysHostedBy(victim);
    fault("n3 cut off from PostgreSQL (" + victimKeys.size() + " of the keys on n3)");
    partition.dropFrom(cgroup, List.of(cluster.postgresPort()));
    sleep(Duration.ofSeconds(30));
    fault("n3 reaches PostgreSQL again");
    partition.heal();
    long healed = workload.now();
    Await.until(
        "every key whose partition is on n3 takes a write again",
        HEAL_TIMEOUT,
        () -> victimKeys.stream().allMatch(k -> workload.acknowledgedWritesSince(healed, k) > 0),
        () ->
            "keys without a write since: "
                + victimKeys.stream()
                    .filter(k -> workload.acknowledgedWritesSince(healed, k) == 0)
                    .toList());
    fault("every key on n3 took a write again");
    awaitBackOrRestart(victim);
    sleep(Duration.ofSeconds(20));
    finish("pg-isolated-30s");
  }

  /**
   * Two faults at once: PostgreSQL down for 30 s, and 5 s into it node 3 frozen for 20 s, so the
   * others down it and must start its partitions while the journal cannot recover them.
   */
  @Test
  @Timeout(value = 12, unit = TimeUnit.MINUTES)
  void sigstopDuringAPostgresOutage() throws Exception {
    begin("postgres-30s-sigstop-20s");
    postgres = new PostgresOutage(cluster.postgresDataDir());
    NodeProcess victim = cluster.node(3);
    fault("PostgreSQL fast shutdown");
    postgres.stop();
    fault("PostgreSQL stopped");
    sleep(Duration.ofSeconds(5));
    fault("SIGSTOP n3");
    victim.suspend();
    sleep(Duration.ofSeconds(20));
    fault("SIGCONT n3");
    victim.resume();
    sleep(Duration.ofSeconds(5));
    fault("PostgreSQL start");
    postgres.start();
    long restarted = workload.now();
    fault("PostgreSQL listens");
    awaitBackOrRestart(victim);
    Await.until(
        "writes sent after PostgreSQL's restart are acknowledged",
        HEAL_TIMEOUT,
        () -> workload.acknowledgedWritesSince(restarted) >= 100,
        () -> "acknowledged since: " + workload.acknowledgedWritesSince(restarted));
    fault("100 writes acknowledged after the restart");
    sleep(Duration.ofSeconds(20));
    finish("postgres-30s-sigstop-20s");
  }

  /** Node 3's wall clock jumps 5 minutes ahead while the workload runs (libfaketime). */
  @Test
  @Timeout(value = 12, unit = TimeUnit.MINUTES)
  void clockOfANodeFiveMinutesAhead() throws Exception {
    skewClock("clock-plus-5m", "+300");
  }

  /** Node 3's wall clock jumps 5 minutes back while the workload runs (libfaketime). */
  @Test
  @Timeout(value = 12, unit = TimeUnit.MINUTES)
  void clockOfANodeFiveMinutesBehind() throws Exception {
    skewClock("clock-minus-5m", "-300");
  }

  /**
   * Starts node 3 under libfaketime with no offset, then sets its wall clock {@code offset} seconds
   * off (CLOCK_REALTIME only: the monotonic clock Pekko's failure detector and timers use stays
   * true, as with an NTP step). Besides the workload, which uses no time to live, it writes a
   * record with a 10-minute TTL into a partition on each node and reports how far that record's
   * expiry and its history time are from the test's clock.
   */
  private void skewClock(String name, String offset) throws Exception {
    Path library = FakeClock.library();
    Path clockFile = workDir.resolve("n3-faketime");
    Files.writeString(clockFile, "+0\n");
    begin(
        name,
        Map.of(
            1,
            FakeClock.otherNodeEnv(),
            2,
            FakeClock.otherNodeEnv(),
            3,
            FakeClock.nodeEnv(library, clockFile)));
    fault("n3's wall clock " + offset + " s");
    Files.writeString(clockFile, offset + "\n");
    sleep(Duration.ofSeconds(5));
    clockProbe();
    sleep(Duration.ofSeconds(40));
    fault("n3's wall clock true again");
    Files.writeString(clockFile, "+0\n");
    sleep(Duration.ofSeconds(15));
    finish(name);
  }

  /** Per node: a 10-minute TTL written into one of its partitions, read back through node 1. */
  private void clockProbe() throws Exception {
    GridHttpClient client = new GridHttpClient(cluster.node(1).baseUri());
    GridCluster.ClusterState state = cluster.state(cluster.node(1));
    io.actorgrid.grid.internal.Partitioner partitioner =
        new io.actorgrid.grid.internal.Partitioner(128);
    for (NodeProcess node : cluster.nodes()) {
      List<Integer> hosted = state.partitionsOf(node.clusterAddress());
      String key = null;
      for (int i = 0; key == null && i < 10_000; i++) {
        if (hosted.contains(partitioner.partitionOf("clock", "c" + i))) {
          key = "c" + i;
        }
      }
      if (key == null) {
        continue;
      }
      long before = System.currentTimeMillis();
      var put =
          client.send(
              "PUT", GridHttpClient.entryPath("clock", key) + "?ttl=10m", "text/plain", "probe");
      var get = client.get("clock", key);
      var history = client.get(GridHttpClient.entryPath("clock", key) + "/history");
      String expires = get.headers().firstValue("Grid-Expires-At").orElse("");
      java.util.regex.Matcher time =
          java.util.regex.Pattern.compile("\"time\"\\s*:\\s*\"([^\"]+)\"").matcher(history.body());
      String report =
          String.format(
              "clock probe, partition on %s: PUT ttl=10m %d, expires %s s off the test's clock,"
                  + " history time %s s off",
              names(node),
              put.statusCode(),
              expires.isEmpty()
                  ? "?"
                  : String.format(
                      "%+.1f",
                      (java.time.Instant.parse(expires).toEpochMilli() - before - 600_000) / 1e3),
              time.find()
                  ? String.format(
                      "%+.1f",
                      (java.time.Instant.parse(time.group(1)).toEpochMilli() - before) / 1e3)
                  : "?");
      fault(report);
    }
  }
}
