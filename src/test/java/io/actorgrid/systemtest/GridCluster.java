package io.actorgrid.systemtest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.actorgrid.testing.CassandraServer;
import io.actorgrid.testing.PostgresServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * Node processes that form one cluster on one real PostgreSQL journal, as an operator runs them:
 * every node gets the same seed nodes (the cluster ports of the first two nodes), {@code
 * GRID_JOURNAL=postgres} and the same number of partitions. {@link #startOnCassandra} puts them on
 * one real Cassandra node instead ({@code GRID_JOURNAL=cassandra}).
 *
 * <p>The cluster runs {@value #PARTITIONS} partitions instead of the default 128 unless a test asks
 * for the default ({@link #startWithDefaultPartitions}): nodes start and recover faster on a small
 * CI machine, and nothing in those tests depends on the number.
 *
 * <p>{@link #clients()} is the round-robin "load balancer" the tests' clients send through; a node
 * is in it while the test considers it live.
 */
final class GridCluster implements AutoCloseable {

  static final int PARTITIONS = 32;

  /** The shipped default, which nodes get when the test sets nothing. */
  static final int DEFAULT_PARTITIONS = 128;

  /** Generous: several nodes start at once on a 2-core machine that other builds share. */
  static final Duration FORMATION_TIMEOUT = Duration.ofMinutes(3);

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** A member as {@code GET /v1/cluster} lists it. */
  record Member(String address, String status, boolean reachable) {}

  /** The reply of {@code GET /v1/cluster}: members, and partitions by hosting node's address. */
  record ClusterState(
      String self, String leader, List<Member> members, Map<String, List<Integer>> partitions) {

    Set<String> upAndReachable() {
      return members.stream()
          .filter(m -> m.status().equals("Up") && m.reachable())
          .map(Member::address)
          .collect(Collectors.toSet());
    }

    boolean lists(String address) {
      return members.stream().anyMatch(m -> m.address().equals(address))
          || partitions.containsKey(address);
    }

    List<Integer> partitionsOf(String address) {
      return partitions.getOrDefault(address, List.of());
    }

    /** Partition counts by node address, for printing. */
    Map<String, Integer> partitionCounts() {
      return partitions.entrySet().stream()
          .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().size()));
    }
  }

  private final Path workDir;
  private final PostgresServer postgres;
  private final CassandraServer cassandra;
  private final List<NodeProcess> nodes = new CopyOnWriteArrayList<>();
  private final RoundRobinClients clients = new RoundRobinClients();
  private final Set<Integer> usedPorts = new HashSet<>();
  private final int partitions;
  private final Map<String, String> extraEnv;
  private String seedNodes;
  private Map<Integer, Map<String, String>> envByNode = Map.of();

  private GridCluster(
      Path workDir,
      PostgresServer postgres,
      CassandraServer cassandra,
      int partitions,
      Map<String, String> extraEnv) {
    this.workDir = workDir;
    this.postgres = postgres;
    this.cassandra = cassandra;
    this.partitions = partitions;
    this.extraEnv = Map.copyOf(extraEnv);
  }

  /**
   * Starts PostgreSQL and {@code size} nodes at once, waits until every node is ready, sees all of
   * them Up and hosts at least one partition, and puts them all in {@link #clients()}.
   *
   * <p>The last condition matters because partitions are placed when first asked for: a node that
   * forms the cluster before the others have joined starts every partition itself, and the others
   * only get theirs as the shard coordinator rebalances, a few partitions at a time.
   */
  static GridCluster start(Path workDir, int size) throws Exception {
    return start(workDir, size, PARTITIONS, Map.of());
  }

  /** As {@link #start(Path, int)}, with the shipped defaults, 128 partitions included. */
  static GridCluster startWithDefaultPartitions(Path workDir, int size) throws Exception {
    return start(workDir, size, DEFAULT_PARTITIONS, Map.of());
  }

  /**
   * As {@link #startWithDefaultPartitions(Path, int)}, with {@code envByNode} (by node number,
   * counting from 1) added to those nodes' environment, at every start: a fault that one node
   * carries from its start, such as a skewed clock or its own cgroup.
   */
  static GridCluster startWithDefaultPartitions(
      Path workDir, int size, Map<Integer, Map<String, String>> envByNode) throws Exception {
    return start(workDir, size, DEFAULT_PARTITIONS, Map.of(), envByNode);
  }

  /**
   * As {@link #startWithDefaultPartitions(Path, int, Map)}, on a Cassandra node started for the
   * cluster (grid-node's test {@link CassandraServer}, a JVM of its own with a 1 GiB heap) instead
   * of PostgreSQL.
   */
  static GridCluster startOnCassandra(
      Path workDir, int size, Map<Integer, Map<String, String>> envByNode) throws Exception {
    Instant started = Instant.now();
    CassandraServer cassandra = CassandraServer.start(workDir.resolve("cassandra"));
    System.out.printf(
        "Cassandra listened %d ms after its start%n",
        Duration.between(started, Instant.now()).toMillis());
    GridCluster cluster = new GridCluster(workDir, null, cassandra, DEFAULT_PARTITIONS, Map.of());
    return cluster.form(size, envByNode, started);
  }

  /**
   * As {@link #start(Path, int)}, with {@code extraEnv} added to every node's environment (for
   * example member TLS, or GRID_ADMIN_TOKEN, which the cluster then sends on its own requests);
   * {@link #addNode(Map)} may give a later node other values.
   */
  static GridCluster start(Path workDir, int size, Map<String, String> extraEnv) throws Exception {
    return start(workDir, size, PARTITIONS, extraEnv);
  }

  private static GridCluster start(Path workDir, int size, int partitions) throws Exception {
    return start(workDir, size, partitions, Map.of());
  }

  private static GridCluster start(
      Path workDir, int size, int partitions, Map<String, String> extraEnv) throws Exception {
    return start(workDir, size, partitions, extraEnv, Map.of());
  }

  private static GridCluster start(
      Path workDir,
      int size,
      int partitions,
      Map<String, String> extraEnv,
      Map<Integer, Map<String, String>> envByNode)
      throws Exception {
    Instant started = Instant.now();
    GridCluster cluster =
        new GridCluster(
            workDir, PostgresServer.start(workDir.resolve("pg")), null, partitions, extraEnv);
    return cluster.form(size, envByNode, started);
  }

  /**
   * Starts {@code size} nodes on this cluster's journal server and waits as {@link #start} says.
   */
  private GridCluster form(int size, Map<Integer, Map<String, String>> envByNode, Instant started)
      throws Exception {
    GridCluster cluster = this;
    cluster.envByNode = Map.copyOf(envByNode);
    try {
      List<NodePorts> ports = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        ports.add(cluster.freePorts());
      }
      cluster.seedNodes =
          ports.stream()
              .limit(2)
              .map(p -> "127.0.0.1:" + p.cluster())
              .collect(Collectors.joining(","));
      for (NodePorts p : ports) {
        cluster.launch(p);
      }
      cluster.awaitReadyAndUp(cluster.nodes());
      Instant formed = Instant.now();
      Map<String, Integer> placedAtFormation = cluster.state(cluster.node(1)).partitionCounts();
      for (NodeProcess node : cluster.nodes()) {
        cluster.awaitHostsPartitions(node);
      }
      System.out.printf(
          "cluster of %d nodes formed %d ms after start (journal server included), partitions by"
              + " node: %s; every node hosted partitions %d ms later: %s%n",
          size,
          Duration.between(started, formed).toMillis(),
          placedAtFormation,
          Duration.between(formed, Instant.now()).toMillis(),
          cluster.state(cluster.node(1)).partitionCounts());
      cluster.nodes().forEach(cluster.clients::add);
    } catch (Exception | AssertionError e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /**
   * Waits until {@code node} hosts at least one partition, as another node (node 1, or node 2 for
   * node 1; node 1 itself when alone) sees it; the default allocation strategy gives a joining node
   * its share gradually.
   */
  void awaitHostsPartitions(NodeProcess node) throws InterruptedException {
    NodeProcess via = node == node(1) && nodes.size() > 1 ? node(2) : node(1);
    Await.until(
        node + " hosts at least one partition",
        FORMATION_TIMEOUT,
        () ->
            tryState(via).map(s -> !s.partitionsOf(node.clusterAddress()).isEmpty()).orElse(false),
        () -> "last state: " + tryState(via).map(Object::toString).orElse("(no answer)"));
  }

  /**
   * Waits until, as {@code via} sees it, every partition is placed, the nodes of {@code members}
   * host them evenly (counts differ by one at most), and the placement has not changed for longer
   * than the shard coordinator's rebalance interval (10 s): it has no rebalance to start. A
   * rebalance under way when a node crashes holds the partitions it moves, wherever they are, until
   * the crashed node is removed; tests that check what a crash does to the partitions of the other
   * nodes start from a balanced cluster.
   */
  void awaitBalanced(NodeProcess via, List<NodeProcess> members) throws InterruptedException {
    List<Map<String, List<Integer>>> last = new ArrayList<>(List.of(Map.of()));
    List<Instant> since = new ArrayList<>(List.of(Instant.now()));
    Await.until(
        "the partitions are spread evenly over " + members + " and stay so for 11 s",
        FORMATION_TIMEOUT,
        () -> {
          Optional<ClusterState> state = tryState(via);
          if (state.isEmpty() || !balanced(state.get(), members)) {
            last.set(0, Map.of());
            return false;
          }
          if (!state.get().partitions().equals(last.get(0))) {
            last.set(0, state.get().partitions());
            since.set(0, Instant.now());
            return false;
          }
          return Duration.between(since.get(0), Instant.now()).toSeconds() >= 11;
        },
        () -> "last state: " + tryState(via).map(Object::toString).orElse("(no answer)"));
  }

  private boolean balanced(ClusterState s, List<NodeProcess> members) {
    List<Integer> counts =
        members.stream().map(n -> s.partitionsOf(n.clusterAddress()).size()).toList();
    int total = counts.stream().mapToInt(Integer::intValue).sum();
    return total == partitions
        && java.util.Collections.max(counts) - java.util.Collections.min(counts) <= 1;
  }

  /** Starts one more node with the same seed nodes; it is not in {@link #clients()} yet. */
  NodeProcess addNode() throws IOException {
    return launch(freePorts(), extraEnv);
  }

  /** As {@link #addNode()}, with {@code env} instead of the cluster's extra environment. */
  NodeProcess addNode(Map<String, String> env) throws IOException {
    return launch(freePorts(), env);
  }

  private NodeProcess launch(NodePorts ports) throws IOException {
    return launch(ports, extraEnv);
  }

  private NodeProcess launch(NodePorts ports, Map<String, String> env) throws IOException {
    int number = nodes.size() + 1;
    Map<String, String> nodeEnv = new java.util.HashMap<>(env);
    nodeEnv.putAll(envByNode.getOrDefault(number, Map.of()));
    if (cassandra != null) {
      nodeEnv.put("GRID_JOURNAL", "cassandra");
      nodeEnv.put("GRID_CASSANDRA_CONTACT_POINTS", cassandra.contactPoint());
    } else {
      nodeEnv.put("GRID_JOURNAL", "postgres");
      nodeEnv.put("GRID_JDBC_URL", postgres.jdbcUrl());
      nodeEnv.put("GRID_JDBC_USER", postgres.user());
    }
    nodeEnv.put("GRID_SEED_NODES", seedNodes);
    NodeProcess node =
        NodeProcess.start(
            workDir.resolve("node-" + number),
            ports,
            nodeEnv,
            partitions == DEFAULT_PARTITIONS
                ? List.of()
                : List.of("-Dactorgrid.partitions=" + partitions));
    nodes.add(node);
    return node;
  }

  /** NodePorts.free() twice may return the same port; a cluster needs them all distinct. */
  private NodePorts freePorts() throws IOException {
    while (true) {
      NodePorts ports = NodePorts.free();
      if (!usedPorts.contains(ports.http()) && !usedPorts.contains(ports.cluster())) {
        usedPorts.add(ports.http());
        usedPorts.add(ports.cluster());
        return ports;
      }
    }
  }

  /** Node {@code number}, counting from 1 in the order they were started. */
  NodeProcess node(int number) {
    return nodes.get(number - 1);
  }

  /** Every node ever started, live or not (for their logs). */
  List<NodeProcess> nodes() {
    return List.copyOf(nodes);
  }

  int partitions() {
    return partitions;
  }

  /** The port the journal's PostgreSQL server listens on. */
  int postgresPort() {
    return postgres.port();
  }

  /** The PostgreSQL data directory, for tests that stop and start the journal's server. */
  Path postgresDataDir() {
    return workDir.resolve("pg").resolve("pgdata");
  }

  RoundRobinClients clients() {
    return clients;
  }

  /**
   * Waits until every node of {@code members} answers ready and every one of them sees exactly
   * {@code members} as Up and reachable members; returns how long that took.
   */
  Duration awaitReadyAndUp(List<NodeProcess> members) throws InterruptedException {
    Instant started = Instant.now();
    for (NodeProcess node : members) {
      node.awaitReady(FORMATION_TIMEOUT);
    }
    Set<String> expected =
        members.stream().map(NodeProcess::clusterAddress).collect(Collectors.toSet());
    for (NodeProcess via : members) {
      Await.until(
          via + " sees " + expected + " Up and reachable",
          FORMATION_TIMEOUT,
          () -> tryState(via).map(s -> s.upAndReachable().equals(expected)).orElse(false),
          () -> "last state: " + tryState(via).map(Object::toString).orElse("(no answer)"));
    }
    return Duration.between(started, Instant.now());
  }

  /** {@code GET /v1/cluster} through {@code via}. */
  ClusterState state(NodeProcess via) throws IOException, InterruptedException {
    String token = extraEnv.get("GRID_ADMIN_TOKEN");
    HttpResponse<String> response =
        token == null
            ? new GridHttpClient(via.baseUri()).get("/v1/cluster")
            : new GridHttpClient(via.baseUri())
                .send("GET", "/v1/cluster", null, "", "Authorization", "Bearer " + token);
    if (response.statusCode() != 200) {
      throw new IOException("unexpected answer: " + GridHttpClient.describe(response));
    }
    return JSON.readValue(response.body(), ClusterState.class);
  }

  /**
   * {@link #state}, asked again until {@code via} answers it within {@code timeout}: on a starved
   * 2-core machine (four node JVMs, PostgreSQL and the test's clients) one {@code GET /v1/cluster}
   * has waited more than the client's 10 s, right after a join, while the same node answered the
   * next ones.
   */
  ClusterState awaitState(NodeProcess via, Duration timeout) throws InterruptedException {
    java.util.concurrent.atomic.AtomicReference<ClusterState> got =
        new java.util.concurrent.atomic.AtomicReference<>();
    Await.until(
        via + " answers GET /v1/cluster",
        timeout,
        () -> {
          tryState(via).ifPresent(got::set);
          return got.get() != null;
        },
        () -> "");
    return got.get();
  }

  /** {@link #state}, or empty when the node does not answer it now. */
  Optional<ClusterState> tryState(NodeProcess via) {
    try {
      return Optional.of(state(via));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Kills every node still running, then stops the journal's server. */
  @Override
  public void close() {
    nodes.forEach(NodeProcess::close);
    if (postgres != null) {
      postgres.close();
    }
    if (cassandra != null) {
      cassandra.close();
    }
  }
}
