package io.actorgrid.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The start-up rule of issue 10: on loopback a node runs as it always did; an HTTP or cluster
 * address beyond loopback without TLS (and, for HTTP, an admin token) stops the node with a message
 * that names the settings; GRID_INSECURE=true starts it anyway, with a warning; HTTPS and a token
 * satisfy the rule. 0.0.0.0 (every interface) stands for "not loopback": every 127.x address is.
 */
class ExposureRuleTest extends OneNodePerTest {
  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(90);

  @AfterEach
  void plainClients() {
    TestTls.reset();
  }

  @Test
  void anHttpAddressBeyondLoopbackWithoutTlsAndTokenStopsTheNode() throws Exception {
    node =
        NodeProcess.start(
            workDir.resolve("node"), NodePorts.free(), Map.of("GRID_HTTP_HOST", "0.0.0.0"));
    assertNotEquals(0, node.awaitExit(EXIT_TIMEOUT));
    String log = node.log();
    for (String named :
        List.of("GRID_TLS_CERT_FILE", "GRID_TLS_KEY_FILE", "GRID_ADMIN_TOKEN", "GRID_INSECURE")) {
      assertTrue(log.contains(named), () -> "the refusal names " + named + ":\n" + log);
    }
  }

  @Test
  void aClusterAddressBeyondLoopbackWithoutMemberTlsStopsTheNode() throws Exception {
    node =
        NodeProcess.start(
            workDir.resolve("node"), NodePorts.free(), Map.of("GRID_CLUSTER_HOST", "0.0.0.0"));
    assertNotEquals(0, node.awaitExit(EXIT_TIMEOUT));
    String log = node.log();
    assertTrue(log.contains("GRID_CLUSTER_TLS_CERT_FILE"), log);
    assertTrue(log.contains("GRID_INSECURE"), log);
  }

  @Test
  void httpsAloneIsNotEnoughWithoutAToken() throws Exception {
    Path certs = TestTls.certificates(workDir.resolve("certs"));
    node =
        NodeProcess.start(
            workDir.resolve("node"),
            NodePorts.free(),
            Map.of(
                "GRID_HTTP_HOST", "0.0.0.0",
                "GRID_TLS_CERT_FILE", certs.resolve("node.crt").toString(),
                "GRID_TLS_KEY_FILE", certs.resolve("node.key").toString()));
    assertNotEquals(0, node.awaitExit(EXIT_TIMEOUT));
    assertTrue(node.log().contains("GRID_ADMIN_TOKEN"), node::log);
  }

  @Test
  void grid_insecureStartsTheNodeWithAWarning() throws Exception {
    node =
        NodeProcess.start(
            workDir.resolve("node"),
            NodePorts.free(),
            Map.of("GRID_HTTP_HOST", "0.0.0.0", "GRID_INSECURE", "true"));
    node.awaitReady(NodeProcess.READY_TIMEOUT);
    String log = node.log();
    assertTrue(
        log.contains("WARN") && log.contains("INSECURE: the HTTP API listens on 0.0.0.0"), log);
  }

  @Test
  void httpsAndATokenFileSatisfyTheRule() throws Exception {
    Path certs = TestTls.certificates(workDir.resolve("certs"));
    Path token = workDir.resolve("admin-token");
    java.nio.file.Files.writeString(token, "s3cret-token\n");
    TestTls.trustOnly(certs.resolve("ca.crt"));
    node =
        NodeProcess.start(
            workDir.resolve("node"),
            NodePorts.free(),
            Map.of(
                "GRID_HTTP_HOST", "0.0.0.0",
                "GRID_TLS_CERT_FILE", certs.resolve("node.crt").toString(),
                "GRID_TLS_KEY_FILE", certs.resolve("node.key").toString(),
                "GRID_ADMIN_TOKEN_FILE", token.toString()));
    node.awaitReady(NodeProcess.READY_TIMEOUT);
    assertEquals("https", node.baseUri().getScheme());
    // Tokens are checked now (AuthRoutesTest, AuthClusterTest): no warning that they are not.
    assertFalse(node.log().contains("does not check tokens"), node::log);
  }
}
