package io.actorgrid.systemtest;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fault suite: three nodes on PostgreSQL with the shipped defaults (128 partitions), a {@link
 * RegisterWorkload} of reads, puts, compare-and-set puts, increments and deletes over 64 keys
 * through every node, and one fault per test while it runs: SIGKILL and restart, SIGSTOP for 5, 20
 * and 45 s (and of the oldest node), a network partition of one node, PostgreSQL stopped for 30 s.
 * After the fault the cluster is healed, every key is read through every node, and {@link
 * LinearizabilityChecker} checks the whole history.
 *
 * <p>Each run writes one line (operations, faults, acknowledged writes lost, anomalies, longest
 * unavailability of a key) to stdout and {@code target/fault-reports/summary.txt}, and its details
 * and full history beside it. A test fails when the checker finds an anomaly, an acknowledged write
 * is lost, or a node gives an answer the API does not document; it never asserts a timing.
 *
 * <p>Not part of the default build: {@code mvn -B verify -Pfaults} runs it (tag {@code faults}). It
 * needs about three minutes per test on a 2-core machine.
 */
@Tag("faults")
class FaultInjectionTest extends OneClusterPerTest {

  private static final int CLIENTS = 9;
  private static final Duration WARM_UP = Duration.ofSeconds(15);
  private static final Duration HEAL_TIMEOUT = Duration.ofMinutes(3);
  private static final Path REPORTS = Path.of("target", "fault-reports");

  private RegisterWorkload workload;
  private final List<NodeProcess> inRotation = new CopyOnWriteArrayList<>();
  private final List<String> faults = new CopyOnWriteArrayList<>();
  private PostgresOutage postgres;
  private NetworkPartition partition;
  private NodeCgroup cgroup;
  private String placement = "";
  private String workloadMap;

  @AfterEach
  void stopEverythingTheTestStarted() throws InterruptedException {
    if (partition != null) {
      partition.close();
    }
    if (workload != null) {
      workload.stop();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (postgres != null) {
      postgres.close();
    }
    if (cgroup != null) {
      cgroup.close();
    }
  }

  @Test
  @Timeout(value = 12, unit = TimeUnit.MINUTES)
  void sigkillAndRestartOfANode() throws Exception {
    begin("sigkill");
    NodeProcess victim = cluster.node(2);
    fault("SIGKILL n2");
    victim.kill();
    inRotation.remove(victim);
    sleep(Duration.ofSeconds(30));
    fault("restart n2");
    victim.restart();
    victim.awaitReady(NodeProcess.READY_TIMEOUT);
    inRotation.add(victim);
    fault("n2 ready and back in rotation");
    sleep(Duration.ofSeconds(25));
    finish("sigkill");
  }

  @Test
  @Timeout(value = 12, unit = TimeUnit.MINUTES)
  void sigstopForFiveSeconds() throws Exception {
    freezeFor("sigstop-5s", 3, Duration.ofSeconds(5), Duration.ofSeconds(45));
  }

  /**
   * Longer than the Split Brain Resolver's stable-after (5 s): the other two down the frozen node
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

  private void freezeFor(String name, int number, Duration frozen, Duration after)
      throws Exception {
    begin(name);
    NodeProcess victim = cluster.node(number);
    // A frozen node stays in the rotation: a load balancer only sees its requests time out.
    fault("SIGSTOP " + names(victim));
    victim.suspend();
    sleep(frozen);
    fault("SIGCONT " + names(victim));
    victim.resume();
    awaitBackOrRestart(victim);
    sleep(after);
    finish(name);
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
    assertTrue(
        NetworkPartition.available(),
        "needs nft and CAP_NET_ADMIN: run .ci/install-fault-tools as root");
    begin("partition-20s");
    partition = new NetworkPartition();
    NodeProcess victim = cluster.node(3);
    fault("partition: n3's cluster port cut off");
    partition.isolatePort(clusterPort(victim));
    sleep(Duration.ofSeconds(20));
    fault("partition healed");
    partition.heal();
    awaitBackOrRestart(victim);
    sleep(Duration.ofSeconds(45));
    finish("partition-20s");
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
    begin(name, Map.of(3, FakeClock.nodeEnv(library, clockFile)));
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

  private List<String> keysHostedBy(NodeProcess node) throws Exception {
    io.actorgrid.grid.internal.Partitioner partitioner =
        new io.actorgrid.grid.internal.Partitioner(128);
    List<Integer> hosted = cluster.state(cluster.node(1)).partitionsOf(node.clusterAddress());
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < RegisterWorkload.KEYS; i++) {
      if (hosted.contains(partitioner.partitionOf(workloadMap, RegisterWorkload.key(i)))) {
        keys.add(RegisterWorkload.key(i));
      }
    }
    return keys;
  }

  private static void requireNft() {
    assertTrue(
        NetworkPartition.available(),
        "needs nft and CAP_NET_ADMIN: run .ci/install-fault-tools as root");
  }

  private static void requireCgroup() {
    assertTrue(
        NodeCgroup.available(),
        "needs a cgroup v2 hierarchy this user can make cgroups in (root), to match one node's"
            + " packets");
  }

  private static int clusterPort(NodeProcess node) {
    String address = node.clusterAddress();
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  /**
   * Waits until {@code victim} is Up and ready again or has exited (downed); restarts it in the
   * latter case and puts it back in the rotation.
   */
  private void awaitBackOrRestart(NodeProcess victim) throws Exception {
    Await.until(
        names(victim) + " is Up and ready again, or has exited",
        HEAL_TIMEOUT,
        () -> !victim.isAlive() || (isUpEverywhere(victim) && answersReady(victim)),
        () -> names(victim) + " alive: " + victim.isAlive());
    if (!victim.isAlive()) {
      inRotation.remove(victim);
      fault(names(victim) + " exited by itself (downed)");
      victim.restart();
      victim.awaitReady(NodeProcess.READY_TIMEOUT);
      inRotation.add(victim);
      fault(names(victim) + " restarted, ready and back in rotation");
    } else {
      fault(names(victim) + " Up and ready without a restart");
    }
  }

  private boolean isUpEverywhere(NodeProcess node) {
    return cluster.nodes().stream()
        .filter(n -> n != node)
        .allMatch(
            via ->
                cluster
                    .tryState(via)
                    .map(s -> s.upAndReachable().contains(node.clusterAddress()))
                    .orElse(false));
  }

  private static boolean answersReady(NodeProcess node) {
    try {
      return new GridHttpClient(node.baseUri()).get("/health/ready").statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void begin(String name) throws Exception {
    begin(name, Map.of());
  }

  private void begin(String name, Map<Integer, Map<String, String>> envByNode) throws Exception {
    cluster = GridCluster.startWithDefaultPartitions(workDir, 3, envByNode);
    awaitBalancedPartitions();
    inRotation.addAll(cluster.nodes());
    workloadMap = "faults-" + name;
    workload =
        RegisterWorkload.start(
            workloadMap, CLIENTS, () -> inRotation.stream().map(n -> target(n)).toList());
    sleep(WARM_UP);
  }

  /**
   * Waits, for at most {@link #HEAL_TIMEOUT}, until every node hosts at least three quarters of its
   * share of the partitions: the node that forms the cluster starts nearly all of them and the
   * coordinator hands the others theirs a few at a time, and a fault on a node with few partitions
   * would test little. Not reaching it is printed, not failed: placement is the coordinator's.
   */
  private void awaitBalancedPartitions() throws Exception {
    int fairShare = 128 / 3;
    long deadline = System.nanoTime() + HEAL_TIMEOUT.toNanos();
    String counts = "";
    while (System.nanoTime() < deadline) {
      GridCluster.ClusterState state = cluster.state(cluster.node(1));
      counts =
          cluster.nodes().stream()
              .map(n -> names(n) + "=" + state.partitionsOf(n.clusterAddress()).size())
              .collect(Collectors.joining(" "));
      if (cluster.nodes().stream()
          .allMatch(n -> state.partitionsOf(n.clusterAddress()).size() >= fairShare * 3 / 4)) {
        break;
      }
      sleep(Duration.ofSeconds(2));
    }
    placement = "partitions by node at start: " + counts;
    System.out.println("fault suite: " + placement);
  }

  private String names(NodeProcess node) {
    return "n" + (cluster.nodes().indexOf(node) + 1);
  }

  private RegisterWorkload.Target target(NodeProcess node) {
    return new RegisterWorkload.Target(names(node), node.baseUri());
  }

  private void fault(String what) {
    String event = String.format("%.1fs %s", workload.now() / 1e9, what);
    faults.add(event);
    System.out.println("fault suite: " + event);
  }

  private static void sleep(Duration duration) throws InterruptedException {
    Thread.sleep(duration.toMillis());
  }

  /**
   * Stops the workload, waits until every node is ready and Up, reads every key through every node,
   * checks the history and reports; fails on anomalies, lost writes and unexpected answers.
   */
  private void finish(String name) throws Exception {
    workload.stop();
    fault("workload stopped");
    // A fault may down more nodes than its victim (a one-way partition makes the Split Brain
    // Resolver down every node it finds indirectly connected): they exited, and start again.
    for (NodeProcess node : cluster.nodes()) {
      if (!node.isAlive()) {
        inRotation.remove(node);
        fault(names(node) + " had exited by itself (downed); restart");
        node.restart();
        node.awaitReady(NodeProcess.READY_TIMEOUT);
        inRotation.add(node);
      }
    }
    cluster.awaitReadyAndUp(cluster.nodes());
    long deadline = workload.now() + HEAL_TIMEOUT.toNanos();
    for (NodeProcess node : cluster.nodes()) {
      workload.finalReads(target(node), deadline);
    }
    fault("final reads done");

    List<RegisterOp> history = workload.history();
    LinearizabilityChecker.Report report = new LinearizabilityChecker().check(history);
    List<RegisterOp> lost = LinearizabilityChecker.lostAcknowledgedWrites(history);
    List<String> unexpected = workload.unexpected();
    long answered = history.stream().filter(op -> !op.indeterminate()).count();
    long acknowledged = history.stream().filter(RegisterOp::acknowledgedWrite).count();
    String line =
        String.format(
            "fault run %s: %d operations (%d answered, %d indeterminate, %d acknowledged writes),"
                + " %s, faults [%s], acknowledged writes lost %d, anomalies %d%s, undecided keys %d,"
                + " unexpected answers %d, longest unavailability %s",
            name,
            history.size(),
            answered,
            history.size() - answered,
            acknowledged,
            placement,
            String.join("; ", faults),
            lost.size(),
            report.anomalies().size(),
            report.anomalies().isEmpty()
                ? ""
                : report.anomalies().stream()
                    .map(LinearizabilityChecker.KeyVerdict::key)
                    .collect(Collectors.joining(",", " (keys ", ")")),
            report.undecided().size(),
            unexpected.size(),
            longestUnavailability(history));
    System.out.println(line);
    StringBuilder details = new StringBuilder(line).append("\n\n");
    if (!report.linearizable()) {
      details.append(report.describe()).append("\n\n");
    }
    lost.forEach(op -> details.append("lost acknowledged write: ").append(op).append('\n'));
    unexpected.forEach(u -> details.append("unexpected answer: ").append(u).append('\n'));
    Files.createDirectories(REPORTS);
    Files.writeString(
        REPORTS.resolve("summary.txt"),
        line + "\n",
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    Files.writeString(REPORTS.resolve(name + ".txt"), details);
    Files.write(
        REPORTS.resolve(name + "-history.txt"),
        history.stream().map(RegisterOp::toString).toList());
    // The nodes' logs, with the test's signals marked in them, outlive the work directory.
    for (int n = 1; n <= cluster.nodes().size(); n++) {
      Path log = workDir.resolve("node-" + n + ".log");
      if (Files.exists(log)) {
        Files.copy(
            log,
            REPORTS.resolve(name + "-node-" + n + ".log"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }

    if (!report.linearizable() || !lost.isEmpty() || !unexpected.isEmpty()) {
      fail(
          "the fault run "
              + name
              + " found what the grid promises never happens (details and full history in "
              + REPORTS.toAbsolutePath()
              + "):\n"
              + truncate(details.toString()));
    }
  }

  /**
   * The longest time one key went without an answered operation while the workload ran (its final
   * reads excluded): from the last answer before the gap to the first after it.
   */
  private static String longestUnavailability(List<RegisterOp> history) {
    Map<String, List<Long>> answers = new TreeMap<>();
    for (RegisterOp op : history) {
      if (!op.indeterminate() && !op.client().startsWith("final")) {
        answers.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op.completed());
      }
    }
    String worst = "none";
    long longest = -1;
    for (Map.Entry<String, List<Long>> e : answers.entrySet()) {
      List<Long> times = e.getValue();
      times.sort(Comparator.naturalOrder());
      for (int i = 1; i < times.size(); i++) {
        long gap = times.get(i) - times.get(i - 1);
        if (gap > longest) {
          longest = gap;
          worst =
              String.format(
                  "%.1f s (key %s, %.1f-%.1f s)",
                  gap / 1e9, e.getKey(), times.get(i - 1) / 1e9, times.get(i) / 1e9);
        }
      }
    }
    return worst;
  }

  private static String truncate(String text) {
    return text.length() <= 20_000 ? text : text.substring(0, 20_000) + "\n...";
  }
}
