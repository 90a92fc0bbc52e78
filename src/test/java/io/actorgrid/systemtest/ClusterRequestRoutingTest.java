package io.actorgrid.systemtest;

import static io.actorgrid.systemtest.GridHttpClient.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.actorgrid.grid.internal.Partitioner;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Any node answers any request: a record written through one node is read, identical, through the
 * others, whichever node hosts its partition; that holds for a value at the size limit, which
 * crosses nodes inside one cluster message. One three-node cluster serves the whole class; each
 * test runs its own client load and map, so the tests do not depend on each other.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClusterRequestRoutingTest {

  private static final int ONE_MIB = 1024 * 1024;
  private static final int KEYS_PER_NODE = 10;
  private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path workDir;

  private static GridCluster cluster;

  @RegisterExtension
  static final NodeLogOnFailure NODE_LOGS =
      NodeLogOnFailure.forNodes(() -> cluster == null ? List.of() : cluster.nodes());

  @BeforeAll
  static void startCluster() throws Exception {
    // 32 partitions instead of 128: the nodes start faster, and routing a request to the node
    // that hosts its partition does not depend on the number.
    cluster = GridCluster.start(workDir, 3);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aWriteThroughOneNodeReadsTheSameThroughTheOthers() throws Exception {
    ClusterLoad load = ClusterLoad.start(cluster.clients(), "routing-load");
    GridHttpClient first = new GridHttpClient(cluster.node(1).baseUri());
    List<GridHttpClient> others =
        List.of(
            new GridHttpClient(cluster.node(2).baseUri()),
            new GridHttpClient(cluster.node(3).baseUri()));
    GridCluster.ClusterState state = cluster.state(cluster.node(1));

    // Keys of partitions on every node: local writes and reads, and both directions across nodes.
    int keys = 0;
    for (NodeProcess host : cluster.nodes()) {
      for (String key : keysHostedBy(state, host, "routing", KEYS_PER_NODE)) {
        String value = "{\"key\":\"" + key + "\"}";
        HttpResponse<String> written =
            putUntilAnswered(first, "routing", key, "application/json", value);
        OptionalLong version = GridHttpClient.version(written);
        for (GridHttpClient other : others) {
          HttpResponse<String> read = getUntilAnswered(other, "routing", key);
          assertEquals(200, read.statusCode(), () -> describe(read));
          assertEquals(value, read.body(), () -> describe(read));
          assertEquals(version, GridHttpClient.version(read), () -> describe(read));
          assertEquals("application/json", GridHttpClient.mediaType(read), () -> describe(read));
        }
        keys++;
      }
    }
    System.out.printf(
        "%d keys, %d on each node's partitions, written through node 1 and read back identical"
            + " through nodes 2 and 3%n",
        keys, KEYS_PER_NODE);

    load.stopAndVerify();
  }

  @Test
  void aValueAtTheSizeLimitCrossesNodesIntact() throws Exception {
    ClusterLoad load = ClusterLoad.start(cluster.clients(), "large-value-load");
    // A key whose partition lives on node 3: the write goes from node 1 to node 3 and the read's
    // answer from node 3 to node 2, each inside one cluster message.
    GridCluster.ClusterState state = cluster.state(cluster.node(1));
    String key = keysHostedBy(state, cluster.node(3), "large", 1).get(0);
    StringBuilder text = new StringBuilder(ONE_MIB);
    for (int i = 0; text.length() < ONE_MIB; i++) {
      text.append((char) ('a' + i % 26));
    }
    String value = text.toString();

    HttpResponse<String> written =
        putUntilAnswered(
            new GridHttpClient(cluster.node(1).baseUri()), "large", key, "text/plain", value);
    HttpResponse<String> read =
        getUntilAnswered(new GridHttpClient(cluster.node(2).baseUri()), "large", key);
    assertEquals(200, read.statusCode(), () -> describe(read));
    assertEquals(ONE_MIB, read.body().length(), "length of the value read back");
    assertTrue(value.equals(read.body()), "the value read back differs from the one written");
    assertEquals(GridHttpClient.version(written), GridHttpClient.version(read));

    HttpResponse<String> tooLarge =
        new GridHttpClient(cluster.node(1).baseUri()).put("large", key, "text/plain", value + "x");
    assertEquals(413, tooLarge.statusCode(), () -> describe(tooLarge));
    System.out.printf(
        "a %d-byte value written through node 1 to partition %d on node 3 read back intact"
            + " through node 2; one byte more: 413%n",
        ONE_MIB, new Partitioner(GridCluster.PARTITIONS).partitionOf("large", key));

    load.stopAndVerify();
  }

  /**
   * The data-grid semantics through any node: settings made through one node apply to writes
   * through the others (within about a second), batches span the partitions of all nodes, counters
   * incremented through all nodes at once lose nothing, a retry through another node is recognised
   * by its idempotency key, records expire wherever their partition lives, and clearing and
   * deleting a map reach every partition.
   */
  @Test
  void dataGridSemanticsWorkThroughAnyNode() throws Exception {
    List<GridHttpClient> nodes = new ArrayList<>();
    for (NodeProcess node : cluster.nodes()) {
      nodes.add(new GridHttpClient(node.baseUri()));
    }
    String map = "semantics";
    String mapPath = "/v1/maps/" + map;
    GridCluster.ClusterState state = cluster.state(cluster.node(1));

    HttpResponse<String> configured =
        untilAnswered(
            () ->
                nodes
                    .get(0)
                    .send(
                        "PUT",
                        mapPath,
                        "application/json",
                        "{\"defaultTtl\":\"1h\",\"maxValueBytes\":100}"));
    assertEquals(201, configured.statusCode(), () -> describe(configured));
    // The other nodes get the settings from the home partition's publication within about a
    // second, each on its own: wait for both, since the batch below goes through node 3 and its
    // records take the default TTL from node 3's copy.
    Instant settled = Instant.now().plus(ANSWER_TIMEOUT);
    for (GridHttpClient other : nodes.subList(1, nodes.size())) {
      HttpResponse<String> tooLarge;
      do {
        Thread.sleep(200);
        tooLarge = other.put(map, "big", "text/plain", "x".repeat(101));
      } while (tooLarge.statusCode() != 413 && Instant.now().isBefore(settled));
      assertEquals(413, tooLarge.statusCode(), describe(tooLarge));
    }

    // A batch through node 3 with keys of partitions on every node.
    List<String> keys = new ArrayList<>();
    for (NodeProcess host : cluster.nodes()) {
      keys.addAll(keysHostedBy(state, host, map, 20));
    }
    StringBuilder batch = new StringBuilder("{\"items\":[");
    for (int i = 0; i < keys.size(); i++) {
      batch
          .append(i == 0 ? "" : ",")
          .append("{\"op\":\"put\",\"key\":\"")
          .append(keys.get(i))
          .append("\",\"value\":{\"i\":")
          .append(i)
          .append("}}");
    }
    HttpResponse<String> batched =
        untilAnswered(
            () ->
                nodes
                    .get(2)
                    .send(
                        "POST",
                        mapPath + ":batch",
                        "application/json",
                        batch.append("]}").toString()));
    assertEquals(200, batched.statusCode(), () -> describe(batched));
    assertEquals(keys.size(), countOf(batched.body(), "\"status\":201"), batched.body());
    for (int i = 0; i < keys.size(); i++) {
      HttpResponse<String> read = getUntilAnswered(nodes.get(0), map, keys.get(i));
      assertEquals("{\"i\":" + i + "}", read.body());
      assertTrue(read.headers().firstValue("Grid-Expires-At").isPresent(), "the map's default TTL");
    }

    // Counters through all nodes at once; each increment carries its own idempotency key, so a
    // 503 may be retried without counting twice.
    String counter = keysHostedBy(state, cluster.node(2), map, 21).get(20);
    String counterPath = GridHttpClient.entryPath(map, counter) + ":increment";
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(6);
    List<java.util.concurrent.Future<HttpResponse<String>>> increments = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      GridHttpClient via = nodes.get(i % 3);
      String requestKey = "inc-" + i;
      increments.add(
          pool.submit(
              () ->
                  untilAnswered(
                      () ->
                          via.send(
                              "POST",
                              counterPath,
                              "application/json",
                              "{\"delta\":2}",
                              "Idempotency-Key",
                              requestKey))));
    }
    java.util.Set<String> values = new java.util.HashSet<>();
    for (var increment : increments) {
      HttpResponse<String> r = increment.get(2, TimeUnit.MINUTES);
      assertTrue(r.statusCode() == 200 || r.statusCode() == 201, () -> describe(r));
      values.add(r.body().replaceAll(".*\"value\":(-?[0-9]+).*", "$1"));
    }
    pool.shutdown();
    assertEquals(150, values.size(), "every increment saw a different total: none was lost");
    assertEquals("300", getUntilAnswered(nodes.get(2), map, counter).body());

    // A retry through another node gets the first outcome.
    String[] requestKey = {"Idempotency-Key", "retry-1"};
    HttpResponse<String> first =
        untilAnswered(() -> nodes.get(0).put(map, "retried", "text/plain", "once", requestKey));
    HttpResponse<String> retry =
        untilAnswered(() -> nodes.get(2).put(map, "retried", "text/plain", "once", requestKey));
    assertEquals(first.statusCode(), retry.statusCode());
    assertEquals(GridHttpClient.version(first), GridHttpClient.version(retry));

    // A merge patch through node 2 of a record written through node 1.
    HttpResponse<String> patched =
        untilAnswered(
            () ->
                nodes
                    .get(1)
                    .send(
                        "PATCH",
                        GridHttpClient.entryPath(map, keys.get(0)),
                        "application/merge-patch+json",
                        "{\"patched\":true}"));
    assertEquals(200, patched.statusCode(), () -> describe(patched));
    assertEquals(
        "{\"i\":0,\"patched\":true}", getUntilAnswered(nodes.get(2), map, keys.get(0)).body());

    // A record with a short TTL on node 3's partition, read through node 2 after it expired.
    String shortLived = keysHostedBy(state, cluster.node(3), map, 21).get(20);
    HttpResponse<String> written =
        untilAnswered(
            () ->
                nodes
                    .get(0)
                    .send(
                        "PUT",
                        GridHttpClient.entryPath(map, shortLived) + "?ttl=1s",
                        "text/plain",
                        "soon gone"));
    assertEquals(201, written.statusCode(), () -> describe(written));
    Thread.sleep(1500);
    assertEquals(404, getUntilAnswered(nodes.get(1), map, shortLived).statusCode());

    // Clear through node 2, count through node 3, delete through node 1.
    HttpResponse<String> cleared =
        untilAnswered(() -> nodes.get(1).send("POST", mapPath + ":clear", null, ""));
    assertEquals(200, cleared.statusCode(), () -> describe(cleared));
    HttpResponse<String> described = untilAnswered(() -> nodes.get(2).get(mapPath));
    assertTrue(described.body().contains("\"entries\":0"), described.body());
    assertEquals(
        204, untilAnswered(() -> nodes.get(0).send("DELETE", mapPath, null, "")).statusCode());
    assertEquals(404, untilAnswered(() -> nodes.get(1).get(mapPath)).statusCode());
    System.out.printf(
        "settings, a %d-item batch over 3 nodes, 150 concurrent increments through 3 nodes, an"
            + " idempotent retry, a merge patch, expiry, clear and delete all worked through any"
            + " node%n",
        keys.size());
  }

  private interface Request {
    HttpResponse<String> send() throws Exception;
  }

  /** Sends until the answer is not a 503 (a partition may be moving): idempotent requests only. */
  private static HttpResponse<String> untilAnswered(Request request) throws Exception {
    Instant deadline = Instant.now().plus(ANSWER_TIMEOUT);
    HttpResponse<String> response = request.send();
    while (response.statusCode() == 503 && Instant.now().isBefore(deadline)) {
      Thread.sleep(250);
      response = request.send();
    }
    return response;
  }

  private static int countOf(String text, String part) {
    int count = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      count++;
    }
    return count;
  }

  /**
   * PUT, again after a 503 (a partition may be moving while the shard coordinator rebalances);
   * fails unless the write is acknowledged. A write answered 503 may still land, so the
   * acknowledgement may be a 200 rather than a 201.
   */
  private static HttpResponse<String> putUntilAnswered(
      GridHttpClient client, String map, String key, String contentType, String value)
      throws Exception {
    Instant deadline = Instant.now().plus(ANSWER_TIMEOUT);
    HttpResponse<String> response = client.put(map, key, contentType, value);
    while (response.statusCode() == 503 && Instant.now().isBefore(deadline)) {
      Thread.sleep(250);
      response = client.put(map, key, contentType, value);
    }
    HttpResponse<String> written = response;
    assertTrue(written.statusCode() == 201 || written.statusCode() == 200, () -> describe(written));
    assertTrue(GridHttpClient.version(written).isPresent(), () -> "no ETag: " + describe(written));
    return written;
  }

  /** GET, again after a 503 or a connection error. */
  private static HttpResponse<String> getUntilAnswered(
      GridHttpClient client, String map, String key) throws Exception {
    return client.sendUntilAvailable(
        client.request(GridHttpClient.entryPath(map, key)).GET().build(),
        Instant.now().plus(ANSWER_TIMEOUT));
  }

  /** {@code count} keys of {@code map} whose partitions {@code host} hosts in {@code state}. */
  private static List<String> keysHostedBy(
      GridCluster.ClusterState state, NodeProcess host, String map, int count) {
    List<Integer> hosted = state.partitionsOf(host.clusterAddress());
    assertFalse(hosted.isEmpty(), host + " hosts no partition: " + state);
    Partitioner partitioner = new Partitioner(GridCluster.PARTITIONS);
    List<String> keys = new ArrayList<>();
    for (int i = 0; keys.size() < count; i++) {
      if (hosted.contains(partitioner.partitionOf(map, "key-" + i))) {
        keys.add("key-" + i);
      }
    }
    return keys;
  }
}
