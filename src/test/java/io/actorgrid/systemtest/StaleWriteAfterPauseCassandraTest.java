package io.actorgrid.systemtest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
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
 * On Cassandra, a node frozen (SIGSTOP) for longer than the whole failover must not write the
 * writes that waited in its sockets: the survivors have taken its partitions and used the next
 * sequence numbers, and Cassandra's journal, which has no unique key on them, would take the stale
 * copy's events as well (docs/operations.md, "Two writers anyway"). Such a write answered {@code
 * 200} is lost: the survivors never show it, and a replay keeps one copy's events only. The writes
 * are queued as in {@link StaleReadAfterPauseTest}: the kernel accepts their connections while the
 * node is stopped.
 *
 * <p>After the resumed node has exited, the whole cluster is killed and started again, so that
 * every partition recovers from the journal; the test passes when every key then holds its last
 * acknowledged value. {@code -Dfaults.pauseFenceThreshold=0} switches {@code PauseFence} off, to
 * see it fail: {@code mvn -B -o verify -Pfaults -pl src/test -am
 * -Dtest=StaleWriteAfterPauseCassandraTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("faults")
class StaleWriteAfterPauseCassandraTest extends OneClusterPerTest {

  private static final String MAP = StaleReadAfterPauseTest.MAP;
  private static final Duration FAILOVER_TIMEOUT = Duration.ofMinutes(2);

  private NodeProcess frozen;

  @AfterEach
  void resumeTheFrozenNode() throws Exception {
    if (frozen != null && frozen.isAlive()) {
      frozen.resume();
    }
  }

  @Test
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void aResumedNodeDoesNotWriteOverTheSequenceNumbersOfTheNewCopies() throws Exception {
    String threshold = System.getProperty("faults.pauseFenceThreshold");
    Map<String, String> env =
        threshold == null ? Map.of() : Map.of("GRID_PAUSE_FENCE_THRESHOLD", threshold);
    cluster = GridCluster.startOnCassandra(workDir, 3, Map.of(1, env, 2, env, 3, env));
    NodeProcess survivor = cluster.node(1);
    NodeProcess victim = cluster.node(3);
    List<String> keys =
        StaleReadAfterPauseTest.keysHostedBy(
            cluster.state(survivor), victim, GridCluster.DEFAULT_PARTITIONS);
    GridHttpClient viaVictim = new GridHttpClient(victim.baseUri());
    GridHttpClient viaSurvivor = new GridHttpClient(survivor.baseUri());
    Instant deadline = Instant.now().plus(FAILOVER_TIMEOUT);
    for (String key : keys) {
      HttpResponse<String> put =
          viaVictim.sendUntilAvailable(
              StaleReadAfterPauseTest.putRequest(viaVictim, key, "old-" + key), deadline);
      assertTrue(put.statusCode() / 100 == 2, "PUT " + key + " -> " + put.statusCode());
    }

    frozen = victim;
    victim.suspend();
    long frozenAt = System.nanoTime();
    deadline = Instant.now().plus(FAILOVER_TIMEOUT);
    for (String key : keys) {
      HttpResponse<String> put =
          viaSurvivor.sendUntilAvailable(
              StaleReadAfterPauseTest.putRequest(viaSurvivor, key, "new-" + key), deadline);
      assertTrue(put.statusCode() / 100 == 2, "PUT " + key + " -> " + put.statusCode());
      assertEquals("new-" + key, viaSurvivor.get(MAP, key).body());
    }
    System.out.printf(
        "stale writes: every key rewritten through the survivors %.1f s into the freeze%n",
        (System.nanoTime() - frozenAt) / 1e9);

    List<Socket> queued = new ArrayList<>();
    List<String> acknowledged = new ArrayList<>();
    List<String> answers = new ArrayList<>();
    try {
      for (String key : keys) {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", victim.baseUri().getPort()), 5_000);
        OutputStream out = socket.getOutputStream();
        byte[] body = ("stale-" + key).getBytes(UTF_8);
        out.write(
            ("PUT "
                    + GridHttpClient.entryPath(MAP, key)
                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + "Content-Type: text/plain\r\nContent-Length: "
                    + body.length
                    + "\r\n\r\n")
                .getBytes(UTF_8));
        out.write(body);
        out.flush();
        queued.add(socket);
      }
      System.out.printf(
          "stale writes: %d writes queued at the frozen node; SIGCONT %.1f s after SIGSTOP%n",
          queued.size(), (System.nanoTime() - frozenAt) / 1e9);
      victim.resume();
      frozen = null;
      for (int i = 0; i < queued.size(); i++) {
        String answer = StaleReadAfterPauseTest.answer(queued.get(i));
        answers.add(keys.get(i) + ": " + answer.lines().findFirst().orElse("(nothing)"));
        if (answer.startsWith("HTTP/1.1 2")) {
          acknowledged.add(keys.get(i));
        }
      }
    } finally {
      for (Socket socket : queued) {
        socket.close();
      }
    }
    System.out.println("stale writes: answers of the resumed node: " + answers);

    // Every partition recovers from Cassandra: the whole cluster is killed and started again, so
    // a stale event in the journal shows in the replay (which keeps one writer's events only).
    victim.awaitExit(FAILOVER_TIMEOUT);
    cluster.node(1).kill();
    cluster.node(2).kill();
    for (NodeProcess node : cluster.nodes()) {
      node.restart();
    }
    cluster.awaitReadyAndUp(cluster.nodes());
    // A write the resumed node acknowledged came after the survivors' write of its key: a read
    // must show it; any other key must still hold the survivors' acknowledged value.
    List<String> lost = new ArrayList<>();
    deadline = Instant.now().plus(FAILOVER_TIMEOUT);
    for (String key : keys) {
      HttpResponse<String> get =
          viaSurvivor.sendUntilAvailable(
              viaSurvivor.request(GridHttpClient.entryPath(MAP, key)).GET().build(), deadline);
      String expected = (acknowledged.contains(key) ? "stale-" : "new-") + key;
      if (!get.body().equals(expected)) {
        lost.add(key + " reads " + get.statusCode() + " " + get.body() + ", not " + expected);
      }
    }
    System.out.println("stale writes: after every partition recovered, lost: " + lost);
    assertTrue(
        lost.isEmpty(),
        "after the resumed node acknowledged "
            + acknowledged.size()
            + " write(s) queued while it was frozen and every partition recovered, "
            + lost.size()
            + " acknowledged write(s) are gone: "
            + lost);
  }
}
