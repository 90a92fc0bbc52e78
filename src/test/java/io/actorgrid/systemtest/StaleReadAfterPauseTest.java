package io.actorgrid.systemtest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.actorgrid.grid.internal.Partitioner;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node frozen (SIGSTOP) for longer than the whole failover, whose records the survivors overwrite
 * meanwhile, must not answer the reads that waited in its sockets with what it held before the
 * freeze. The reads are queued on purpose: their connections are accepted by the kernel while the
 * node is stopped, and their requests are in its socket buffers when it resumes, so it reads them
 * before it can learn that the others removed it. Without {@code PauseFence} the node answers them
 * from its stale partitions (found on this machine: most of 16 reads answered {@code 200} with the
 * old values).
 *
 * <p>{@code -Dfaults.pauseFenceThreshold=0} starts the nodes with the fence switched off, to see
 * the test fail. In the fault profile: {@code mvn -B verify -Pfaults -pl src/test -am
 * -Dtest=StaleReadAfterPauseTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("faults")
class StaleReadAfterPauseTest extends OneClusterPerTest {

  static final String MAP = "stale";
  static final int KEYS = 16;
  private static final Duration FAILOVER_TIMEOUT = Duration.ofMinutes(2);
  private static final int ANSWER_TIMEOUT_MILLIS = 60_000;

  private NodeProcess frozen;

  @AfterEach
  void resumeTheFrozenNode() throws Exception {
    if (frozen != null && frozen.isAlive()) {
      frozen.resume();
    }
  }

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void aResumedNodeDoesNotAnswerReadsFromStateTheOthersHaveSinceChanged() throws Exception {
    String threshold = System.getProperty("faults.pauseFenceThreshold");
    cluster =
        GridCluster.start(
            workDir,
            3,
            threshold == null ? Map.of() : Map.of("GRID_PAUSE_FENCE_THRESHOLD", threshold));
    NodeProcess survivor = cluster.node(1);
    NodeProcess victim = cluster.node(3);
    List<String> keys = keysHostedBy(cluster.state(survivor), victim, GridCluster.PARTITIONS);
    GridHttpClient viaVictim = new GridHttpClient(victim.baseUri());
    GridHttpClient viaSurvivor = new GridHttpClient(survivor.baseUri());
    Instant deadline = Instant.now().plus(FAILOVER_TIMEOUT);
    for (String key : keys) {
      HttpResponse<String> put =
          viaVictim.sendUntilAvailable(putRequest(viaVictim, key, "old-" + key), deadline);
      assertTrue(put.statusCode() / 100 == 2, "PUT " + key + " -> " + put.statusCode());
    }

    frozen = victim;
    victim.suspend();
    long frozenAt = System.nanoTime();
    // The survivors down the frozen node, take over its partitions and acknowledge new values.
    deadline = Instant.now().plus(FAILOVER_TIMEOUT);
    for (String key : keys) {
      HttpResponse<String> put =
          viaSurvivor.sendUntilAvailable(putRequest(viaSurvivor, key, "new-" + key), deadline);
      assertTrue(put.statusCode() / 100 == 2, "PUT " + key + " -> " + put.statusCode());
      assertEquals("new-" + key, viaSurvivor.get(MAP, key).body());
    }
    System.out.printf(
        "stale reads: every key rewritten through the survivors %.1f s into the freeze%n",
        (System.nanoTime() - frozenAt) / 1e9);

    // Reads that wait in the frozen node's sockets.
    List<Socket> queued = new ArrayList<>();
    try {
      for (String key : keys) {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", victim.baseUri().getPort()), 5_000);
        OutputStream out = socket.getOutputStream();
        out.write(
            ("GET "
                    + GridHttpClient.entryPath(MAP, key)
                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                .getBytes(UTF_8));
        out.flush();
        queued.add(socket);
      }
      System.out.printf(
          "stale reads: %d reads queued at the frozen node; SIGCONT %.1f s after SIGSTOP%n",
          queued.size(), (System.nanoTime() - frozenAt) / 1e9);
      victim.resume();
      frozen = null;

      List<String> stale = new ArrayList<>();
      List<String> answers = new ArrayList<>();
      String answer0 = "";
      for (int i = 0; i < queued.size(); i++) {
        String answer = answer(queued.get(i));
        if (i == 0) {
          answer0 = answer;
        }
        String key = keys.get(i);
        answers.add(key + ": " + answer.lines().findFirst().orElse("(nothing)"));
        if (answer.startsWith("HTTP/1.1 200") && answer.contains("old-" + key)) {
          stale.add(key + " -> " + answer.replaceAll("\\s+", " "));
        }
      }
      System.out.println("stale reads: answers of the resumed node: " + answers);
      System.out.println(
          "stale reads: the first answer in full: " + answer0.replaceAll("\\s+", " "));
      assertTrue(
          stale.isEmpty(),
          "the resumed node answered "
              + stale.size()
              + " read(s) with values the survivors had overwritten: "
              + stale);
    } finally {
      for (Socket socket : queued) {
        socket.close();
      }
    }
  }

  /** The status line and body the node answered, or what happened instead. */
  static String answer(Socket socket) {
    try {
      socket.setSoTimeout(ANSWER_TIMEOUT_MILLIS);
      InputStream in = socket.getInputStream();
      String text = new String(in.readAllBytes(), UTF_8);
      return text.isEmpty() ? "(closed without an answer)" : text;
    } catch (SocketTimeoutException e) {
      return "(no answer within " + ANSWER_TIMEOUT_MILLIS / 1000 + " s)";
    } catch (IOException e) {
      return "(" + e.getMessage() + ")";
    }
  }

  static java.net.http.HttpRequest putRequest(GridHttpClient client, String key, String value) {
    return client
        .request(GridHttpClient.entryPath(MAP, key))
        .header("Content-Type", "text/plain")
        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(value, UTF_8))
        .build();
  }

  static List<String> keysHostedBy(
      GridCluster.ClusterState state, NodeProcess host, int partitions) {
    Partitioner partitioner = new Partitioner(partitions);
    List<Integer> hosted = state.partitionsOf(host.clusterAddress());
    assertFalse(hosted.isEmpty(), host + " hosts no partition");
    List<String> keys = new ArrayList<>();
    for (int i = 0; keys.size() < KEYS; i++) {
      if (hosted.contains(partitioner.partitionOf(MAP, "k" + i))) {
        keys.add("k" + i);
      }
    }
    return keys;
  }
}
