package io.actorgrid.grid;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorgrid.testing.PostgresServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes form one cluster by Pekko Management cluster bootstrap with config discovery: no seed
 * nodes, each knows only the management endpoints of both.
 */
class ClusterBootstrapTest {
  @TempDir Path dir;

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private Config node(PostgresServer postgres, int managementPort, String endpoints) {
    return ConfigFactory.parseString(
            postgres.nodeConfig()
                // 8 partitions: the test is about forming the cluster, not placement, and two
                // nodes start faster.
                + "actorgrid.partitions = 8\n"
                + "actorgrid.data-dir = \""
                + dir.resolve("node-" + managementPort)
                + "\"\nactorgrid.cluster.bootstrap.enabled = on\n"
                + "actorgrid.cluster.bootstrap.endpoints = \""
                + endpoints
                + "\"\nactorgrid.cluster.bootstrap.required-contact-points = 2\n"
                + "actorgrid.management.port = "
                + managementPort
                + "\n")
        .withFallback(ConfigFactory.load());
  }

  @Test
  void nodesFindEachOtherThroughTheirManagementEndpoints() throws Exception {
    int m1 = freePort();
    int m2 = freePort();
    String endpoints = "127.0.0.1:" + m1 + ",127.0.0.1:" + m2;
    try (PostgresServer postgres = PostgresServer.start(dir)) {
      // Started together, as an orchestrator would: each waits for the other's contact point.
      CompletableFuture<Grid> first =
          CompletableFuture.supplyAsync(() -> Grid.start(node(postgres, m1, endpoints)));
      CompletableFuture<Grid> second =
          CompletableFuture.supplyAsync(() -> Grid.start(node(postgres, m2, endpoints)));
      try (Grid a = first.join();
          Grid b = second.join()) {
        a.awaitReady(Duration.ofSeconds(120));
        b.awaitReady(Duration.ofSeconds(120));
        ClusterView view = a.cluster().toCompletableFuture().join();
        assertEquals(2, view.members().size(), view.toString());
        assertTrue(view.members().stream().allMatch(m -> m.status().equals("Up")), view::toString);

        a.map("boot").put("k", "v".getBytes(UTF_8), "text/plain").toCompletableFuture().join();
        assertArrayEquals(
            "v".getBytes(UTF_8),
            b.map("boot").get("k").toCompletableFuture().join().orElseThrow().value());
      }
    }
  }
}
