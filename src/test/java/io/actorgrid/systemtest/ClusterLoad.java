package io.actorgrid.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The client side of every cluster scenario: writers that write and read their keys through all
 * live nodes round-robin for the whole scenario, recording every acknowledgement ({@link
 * WriteLoad}, {@link KeyHistory}), and the final check that every acknowledged write is still
 * there, read through the live nodes.
 */
final class ClusterLoad {

  private static final int WRITERS = 4;
  private static final int KEYS_PER_WRITER = 25;

  /** Longer than any scenario: the writers must not stop by themselves before the test ends. */
  private static final Duration MAX_RUN_TIME = Duration.ofMinutes(12);

  private static final Duration PROGRESS_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration VERIFY_TIMEOUT = Duration.ofMinutes(2);

  private final String map;
  private final RoundRobinClients clients;
  private final List<List<KeyHistory>> keysPerWriter;
  private final WriteLoad load;

  private ClusterLoad(
      String map, RoundRobinClients clients, List<List<KeyHistory>> keysPerWriter, WriteLoad load) {
    this.map = map;
    this.clients = clients;
    this.keysPerWriter = keysPerWriter;
    this.load = load;
  }

  /** Starts writers on their own keys of {@code map}, through {@code clients}. */
  static ClusterLoad start(RoundRobinClients clients, String map) {
    List<List<KeyHistory>> keysPerWriter = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      List<KeyHistory> keys = new ArrayList<>();
      for (int k = 0; k < KEYS_PER_WRITER; k++) {
        keys.add(new KeyHistory(String.format("w%d-k%02d", w, k)));
      }
      keysPerWriter.add(List.copyOf(keys));
    }
    WriteLoad load =
        WriteLoad.start(
            clients, map, keysPerWriter, 1, WriteLoad.Settings.writeAndReadBack(MAX_RUN_TIME));
    return new ClusterLoad(map, clients, List.copyOf(keysPerWriter), load);
  }

  /**
   * Waits until {@code more} writes have been acknowledged from now on: the cluster serves writes
   * again, and the next step happens under load.
   */
  void awaitMoreAcknowledged(long more) throws InterruptedException {
    long target = load.acknowledged() + more;
    Await.until(
        more + " more acknowledged writes",
        PROGRESS_TIMEOUT,
        () -> load.acknowledged() >= target,
        load::summary);
  }

  long acknowledged() {
    return load.acknowledged();
  }

  long unavailable() {
    return load.unavailable();
  }

  long connectionErrors() {
    return load.connectionErrors();
  }

  String summary() {
    return load.summary();
  }

  /**
   * Stops the writers, then reads every key through the live nodes round-robin and fails if an
   * acknowledged write is missing or changed, if the load saw an unexpected answer (a 500, a stale
   * read, a version that went backwards), or if nothing was acknowledged at all.
   */
  void stopAndVerify() throws Exception {
    boolean ranThroughout = load.allWritersRunning();
    load.stop();
    System.out.printf("load on map %s: %s%n", map, load.summary());
    assertTrue(ranThroughout, "a writer stopped before the end of the scenario: " + load.summary());
    assertEquals(List.of(), load.unexpectedOutcomes(), "unexpected outcomes: " + load.summary());
    assertTrue(load.acknowledged() > 0, "no write was acknowledged: " + load.summary());

    Instant deadline = Instant.now().plus(VERIFY_TIMEOUT);
    List<String> violations = new ArrayList<>();
    int keys = 0;
    int acknowledgedKeys = 0;
    int unacknowledgedLanded = 0;
    for (List<KeyHistory> writerKeys : keysPerWriter) {
      for (KeyHistory key : writerKeys) {
        GridHttpClient http = clients.get();
        HttpResponse<String> response =
            http.sendUntilAvailable(
                http.request(GridHttpClient.entryPath(map, key.key())).GET().build(), deadline);
        keys++;
        if (key.acknowledgedVersion() > 0) {
          acknowledgedKeys++;
        }
        if (GridHttpClient.version(response).orElse(0) > key.acknowledgedVersion()) {
          unacknowledgedLanded++;
        }
        key.checkRead(response.statusCode(), GridHttpClient.version(response), response.body())
            .ifPresent(violations::add);
      }
    }
    System.out.printf(
        "map %s: checked %d keys through %d nodes; %d acknowledged writes, the last of %d keys;"
            + " %d keys hold a later write that was never acknowledged; %d lost or corrupted%n",
        map,
        keys,
        clients.nodes().size(),
        load.acknowledged(),
        acknowledgedKeys,
        unacknowledgedLanded,
        violations.size());
    assertTrue(
        violations.isEmpty(),
        () ->
            violations.size()
                + " keys lost or corrupted acknowledged writes, e.g.\n  "
                + String.join("\n  ", violations.subList(0, Math.min(20, violations.size()))));
  }
}
