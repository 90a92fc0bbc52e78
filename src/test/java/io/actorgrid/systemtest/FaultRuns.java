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
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;

/**
 * What every fault run shares, whatever the journal: a 3-node cluster with the shipped defaults
 * (128 partitions, started by {@link #startCluster}), a {@link RegisterWorkload} of 9 clients over
 * 64 keys through every node, faults marked on its clock, the cluster healed afterwards, every key
 * read through every node and the history checked by {@link LinearizabilityChecker}. {@link
 * FaultInjectionTest} runs it on PostgreSQL, {@link CassandraFaultInjectionTest} on Cassandra.
 *
 * <p>Each run writes one line (operations, faults, acknowledged writes lost, anomalies, longest
 * unavailability of a key) to stdout and {@code target/fault-reports/summary.txt}, and its details
 * and full history beside it. A run fails when the checker finds an anomaly, an acknowledged write
 * is lost, or a node gives an answer the API does not document; it never asserts a timing.
 */
abstract class FaultRuns extends OneClusterPerTest {

  static final int CLIENTS = 9;
  static final Duration WARM_UP = Duration.ofSeconds(15);
  static final Duration HEAL_TIMEOUT = Duration.ofMinutes(3);
  static final Path REPORTS = Path.of("target", "fault-reports");

  RegisterWorkload workload;
  final List<NodeProcess> inRotation = new CopyOnWriteArrayList<>();
  final List<String> faults = new CopyOnWriteArrayList<>();
  PostgresOutage postgres;
  NetworkPartition partition;
  NodeCgroup cgroup;
  String placement = "";
  String workloadMap;

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

  /** Starts the cluster of a run: 3 nodes, the shipped defaults, {@code envByNode} added. */
  abstract GridCluster startCluster(Map<Integer, Map<String, String>> envByNode) throws Exception;

  /** SIGKILL of node 2, restarted 30 s later. */
  void sigkillAndRestart(String name) throws Exception {
    begin(name);
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
    finish(name);
  }

  void freezeFor(String name, int number, Duration frozen, Duration after) throws Exception {
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
  void isolateForTwentySeconds(String name) throws Exception {
    requireNft();
    begin(name);
    partition = new NetworkPartition();
    NodeProcess victim = cluster.node(3);
    fault("partition: n3's cluster port cut off");
    partition.isolatePort(clusterPort(victim));
    sleep(Duration.ofSeconds(20));
    fault("partition healed");
    partition.heal();
    awaitBackOrRestart(victim);
    sleep(Duration.ofSeconds(45));
    finish(name);
  }

  List<String> keysHostedBy(NodeProcess node) throws Exception {
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

  static void requireNft() {
    assertTrue(
        NetworkPartition.available(),
        "needs nft and CAP_NET_ADMIN: run .ci/install-fault-tools as root");
  }

  static void requireCgroup() {
    assertTrue(
        NodeCgroup.available(),
        "needs a cgroup v2 hierarchy this user can make cgroups in (root), to match one node's"
            + " packets");
  }

  static int clusterPort(NodeProcess node) {
    String address = node.clusterAddress();
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  /**
   * Waits until {@code victim} is Up and ready again or has exited (downed); restarts it in the
   * latter case and puts it back in the rotation.
   */
  void awaitBackOrRestart(NodeProcess victim) throws Exception {
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

  boolean isUpEverywhere(NodeProcess node) {
    return cluster.nodes().stream()
        .filter(n -> n != node)
        .allMatch(
            via ->
                cluster
                    .tryState(via)
                    .map(s -> s.upAndReachable().contains(node.clusterAddress()))
                    .orElse(false));
  }

  static boolean answersReady(NodeProcess node) {
    try {
      return new GridHttpClient(node.baseUri()).get("/health/ready").statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  void begin(String name) throws Exception {
    begin(name, Map.of());
  }

  void begin(String name, Map<Integer, Map<String, String>> envByNode) throws Exception {
    cluster = startCluster(envByNode);
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
  void awaitBalancedPartitions() throws Exception {
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

  String names(NodeProcess node) {
    return "n" + (cluster.nodes().indexOf(node) + 1);
  }

  RegisterWorkload.Target target(NodeProcess node) {
    return new RegisterWorkload.Target(names(node), node.baseUri());
  }

  void fault(String what) {
    String event = String.format("%.1fs %s", workload.now() / 1e9, what);
    faults.add(event);
    System.out.println("fault suite: " + event);
  }

  static void sleep(Duration duration) throws InterruptedException {
    Thread.sleep(duration.toMillis());
  }

  /**
   * Stops the workload, waits until every node is ready and Up, reads every key through every node,
   * checks the history and reports; fails on anomalies, lost writes and unexpected answers.
   */
  void finish(String name) throws Exception {
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
  static String longestUnavailability(List<RegisterOp> history) {
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

  static String truncate(String text) {
    return text.length() <= 20_000 ? text : text.substring(0, 20_000) + "\n...";
  }
}
