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
