package io.actorgrid.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cluster secured as README's "Securing a cluster" sets it up: three nodes on PostgreSQL with
 * member TLS (Artery over TLS, mutual authentication, one CA) and HTTPS, certificates from {@code
 * bin/actorgrid certs}. A fourth process with a certificate from another CA, given the same seed
 * nodes, never becomes a member, and the cluster stays healthy.
 */
class ClusterTlsTest extends OneClusterPerTest {

  @AfterEach
  void plainClients() {
    TestTls.reset();
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void membersSpeakTlsAndAProcessWithAnotherCasCertificateCannotJoin() throws Exception {
    Path certs = TestTls.certificates(workDir.resolve("certs"));
    TestTls.trustOnly(certs.resolve("ca.crt"));
    // 32 partitions instead of 128: the nodes start faster, and encryption between them does not
    // depend on the number.
    cluster = GridCluster.start(workDir, 3, secured(certs));

    GridHttpClient client = new GridHttpClient(cluster.node(1).baseUri());
    assertEquals("https", cluster.node(1).baseUri().getScheme());
    HttpResponse<String> put = client.put("tls", "k", "text/plain", "over TLS");
    assertEquals(201, put.statusCode(), () -> GridHttpClient.describe(put));
    // Read through another node: the request crosses the cluster over member TLS.
    for (int i = 2; i <= 3; i++) {
      HttpResponse<String> read =
          new GridHttpClient(cluster.node(i).baseUri()).get(GridHttpClient.entryPath("tls", "k"));
      assertEquals(200, read.statusCode(), () -> GridHttpClient.describe(read));
      assertEquals("over TLS", read.body());
    }
    for (int i = 1; i <= 3; i++) {
      String log = cluster.node(i).log();
      assertTrue(
          log.contains("tls-tcp") || log.contains("RotatingKeys"), "member TLS in use:\n" + log);
    }

    // Same seeds, same journal, and it trusts the cluster's CA: only its own member certificate
    // comes from another CA, so the members alone refuse it.
    Path foreign = TestTls.certificates(workDir.resolve("foreign-certs"));
    Map<String, String> rogueEnv = secured(certs);
    rogueEnv.put("GRID_CLUSTER_TLS_CERT_FILE", foreign.resolve("node.crt").toString());
    rogueEnv.put("GRID_CLUSTER_TLS_KEY_FILE", foreign.resolve("node.key").toString());
    NodeProcess rogue = cluster.addNode(rogueEnv);
    // Wait until it has tried and been refused: its TLS handshakes with the seeds fail.
    Await.until(
        "the process with a foreign certificate has been refused by the members",
        Duration.ofMinutes(3),
        () -> {
          String log = rogue.log();
          return log.contains("SSLHandshakeException") || log.contains("SSLException");
        },
        rogue::logTailForMessage);

    Set<String> members =
        Set.of(
            cluster.node(1).clusterAddress(),
            cluster.node(2).clusterAddress(),
            cluster.node(3).clusterAddress());
    for (int i = 1; i <= 3; i++) {
      GridCluster.ClusterState state = cluster.state(cluster.node(i));
      assertFalse(state.lists(rogue.clusterAddress()), () -> "the rogue is listed: " + state);
      assertEquals(members, state.upAndReachable(), state::toString);
    }
    assertTrue(rogue.isAlive() || rogue.awaitExit(Duration.ofSeconds(1)) != 0);
    if (rogue.isAlive()) {
      try {
        HttpResponse<String> ready = new GridHttpClient(rogue.baseUri()).get("/health/ready");
        assertNotEquals(200, ready.statusCode(), () -> "the rogue is ready: " + ready.body());
      } catch (java.io.IOException notServingYet) {
        // A node that is in no cluster may not serve HTTP yet: not ready either.
      }
    }
    rogue.close();

    // The cluster stays healthy: every member ready, and writes and reads go on.
    cluster.awaitReadyAndUp(java.util.List.of(cluster.node(1), cluster.node(2), cluster.node(3)));
    HttpResponse<String> after = client.put("tls", "after", "text/plain", "still fine");
    assertEquals(201, after.statusCode(), () -> GridHttpClient.describe(after));
    System.out.println(
        "members after the rogue: "
            + cluster.state(cluster.node(1)).members().stream()
                .map(GridCluster.Member::address)
                .collect(Collectors.toList()));
  }

  /** Member TLS and HTTPS from {@code certs}, as the README sets them. */
  private static Map<String, String> secured(Path certs) {
    Map<String, String> env = new HashMap<>();
    env.put("GRID_CLUSTER_TLS_CERT_FILE", certs.resolve("node.crt").toString());
    env.put("GRID_CLUSTER_TLS_KEY_FILE", certs.resolve("node.key").toString());
    env.put("GRID_CLUSTER_TLS_CA_FILE", certs.resolve("ca.crt").toString());
    env.put("GRID_TLS_CERT_FILE", certs.resolve("node.crt").toString());
    env.put("GRID_TLS_KEY_FILE", certs.resolve("node.key").toString());
    return env;
  }
}
