package io.actorgrid.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A rebalance is latency, not errors (issue 11). Three nodes on PostgreSQL with the shipped
 * defaults (128 partitions); clients write through every node: counter increments, compare-and-set
 * puts ({@code If-Match}) and blind puts, each client on keys of its own. A fourth node joins (a
 * rebalance moves partitions to it), then every node in turn is taken out of the clients' rotation
 * as a load balancer drains it, stopped with SIGTERM (it hands its partitions over), started again
 * and put back.
 *
 * <p>Sharding drops the requests it buffered for a partition while the partition is handed off; the
 * node that asked sends them again, writes with the same internal write id. Asserted:
 *
 * <ul>
 *   <li>every write is applied at most once and no acknowledged write is lost: every counter holds
 *       its acknowledged increments, plus at most those whose outcome the client does not know; no
 *       compare-and-set of a client's own key fails while the client knows its version (a write
 *       applied twice would make the next one fail); every record holds its last acknowledged value
 *       or a later unknown one;
 *   <li>no request sent while a node leaves (from its drain to its exit: its partitions are handed
 *       to the running nodes) is answered 503 or times out.
 * </ul>
 *
 * <p>Printed, not asserted: the 503s while a node joins. Partitions handed to a node that has just
 * started recover there while its JVM is cold; on this 2-core machine shared with other suites that
 * took up to 6 s for a partition of 25 events (20 partitions move per rebalance round, 8 recover at
 * a time), longer than the 5 s request timeout within which requests are sent again
 * (docs/reliability.md, "Hand-offs").
 *
 * <p>In the fault profile ({@code mvn -B verify -Pfaults}): five minutes of the default build's 23
 * on a quiet 2-core machine, and it took the CI run past its 20-minute budget.
 */
@Tag("faults")
class HandOffWithoutErrorsTest extends OneClusterPerTest {

  private static final String MAP = "handoff";
  private static final int CLIENTS = 6;
  private static final int KEYS_PER_KIND = 8;
  private static final long WRITES_BETWEEN_STEPS = 400;
  private static final Duration PROGRESS_TIMEOUT = Duration.ofMinutes(2);
  private static final Pattern SENT_AGAIN =
      Pattern.compile("actorgrid_requests_sent_again_total\\{[^}]*kind=\"(\\w+)\"[^}]*} (\\S+)");

  @Test
  @Timeout(value = 20, unit = TimeUnit.MINUTES)
  void clientsSeeNeitherErrorsNorDoubleWritesWhileANodeJoinsAndEveryNodeRestartsInTurn()
      throws Exception {
    cluster = GridCluster.startWithDefaultPartitions(workDir, 3);
    Rotation rotation = new Rotation();
    cluster.nodes().forEach(rotation::add);
    Workload load = new Workload(rotation);
    load.start();
    List<String> steps = new ArrayList<>();
    Map<String, Double> sentAgain = new ConcurrentHashMap<>();
    try {
      load.awaitMoreWrites(WRITES_BETWEEN_STEPS);

      long before = load.writes();
      NodeProcess fourth = cluster.addNode();
      cluster.awaitReadyAndUp(cluster.nodes());
      rotation.add(fourth);
      cluster.awaitHostsPartitions(fourth);
      load.awaitMoreWrites(WRITES_BETWEEN_STEPS);
      steps.add(
          String.format(
              "%s joined: %d writes meanwhile; partitions by node %s",
              fourth, load.writes() - before, cluster.state(cluster.node(1)).partitionCounts()));

      for (NodeProcess node : List.copyOf(cluster.nodes())) {
        before = load.writes();
        load.leaving.set(true);
        rotation.drain(node);
        scrapeSentAgain(node, sentAgain);
        boolean exitedByItself = node.stop();
        load.leaving.set(false);
        node.restart();
        cluster.awaitReadyAndUp(cluster.nodes());
        rotation.add(node);
        load.awaitMoreWrites(WRITES_BETWEEN_STEPS);
        steps.add(
            String.format(
                "%s restarted (SIGTERM, exited by itself: %s): %d writes meanwhile",
                node, exitedByItself, load.writes() - before));
      }
    } finally {
      load.stop();
    }
    for (NodeProcess node : cluster.nodes()) {
      scrapeSentAgain(node, sentAgain);
    }
    long dropped =
        cluster.nodes().stream().mapToLong(n -> count(n.log(), "buffered messages to shard")).sum();
    steps.forEach(System.out::println);
    System.out.printf(
        "%s; requests sent again inside the nodes: %s; sharding logged %d drops of buffered"
            + " messages in hand-offs%n",
        load.summary(), sentAgain, dropped);

    List<String> wrong = load.verify(cluster.nodes().get(0));
    assertEquals(List.of(), load.anomalies, "anomalies: " + load.summary());
    assertEquals(List.of(), wrong, "final values: " + load.summary());
    assertEquals(
        0,
        load.failedWhileLeaving.get(),
        "requests sent while a node left were answered 503 or timed out, e.g. "
            + load.failures
            + "; "
            + load.summary());
  }

  private static long count(String text, String needle) {
    long n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  /** Adds the node's {@code actorgrid_requests_sent_again_total} by kind into {@code into}. */
  private static void scrapeSentAgain(NodeProcess node, Map<String, Double> into) {
    try {
      HttpResponse<String> metrics = new GridHttpClient(node.baseUri()).get("/metrics");
      Matcher m = SENT_AGAIN.matcher(metrics.body());
      while (m.find()) {
        into.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
      }
    } catch (IOException e) {
      // A node that does not answer has nothing to add.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The nodes clients send requests to, with the requests each has in flight. */
  private static final class Rotation {
    private record Target(NodeProcess node, GridHttpClient client, AtomicInteger inFlight) {}

    private final List<Target> targets = new CopyOnWriteArrayList<>();
    private final AtomicLong next = new AtomicLong();

    void add(NodeProcess node) {
      targets.removeIf(t -> t.node() == node);
      targets.add(new Target(node, new GridHttpClient(node.baseUri()), new AtomicInteger()));
    }

    /** Sends no new request to the node and waits until the ones in flight are answered. */
    void drain(NodeProcess node) throws InterruptedException {
      List<Target> removed = targets.stream().filter(t -> t.node() == node).toList();
      targets.removeAll(removed);
      Await.until(
          node + " has answered the requests it had",
          PROGRESS_TIMEOUT,
          () -> removed.stream().allMatch(t -> t.inFlight().get() == 0),
          () -> "");
    }

    Target next() {
      List<Target> now = List.copyOf(targets);
      return now.get((int) Math.floorMod(next.getAndIncrement(), (long) now.size()));
    }
  }

  /**
   * Each client writes keys of its own: counters it increments, records it compare-and-sets
   * (reading the version it got from its last write), records it puts. Every answer is recorded; a
   * 503, a timeout or a connection error is indeterminate (the write may have landed).
   */
  private static final class Workload {
    final Rotation rotation;
    final AtomicBoolean running = new AtomicBoolean(true);
    final List<Thread> threads = new ArrayList<>();
    final AtomicLong writes = new AtomicLong();
    final AtomicLong unavailable = new AtomicLong();
    final AtomicLong timeouts = new AtomicLong();
    // Whether a node is leaving (drained, stopping); 503s and timeouts of requests sent then.
    final AtomicBoolean leaving = new AtomicBoolean();
    final AtomicLong failedWhileLeaving = new AtomicLong();
    final List<String> failures = new CopyOnWriteArrayList<>();
    final List<String> anomalies = new CopyOnWriteArrayList<>();
    // Per counter key: increments acknowledged, and increments whose outcome is unknown.
    final Map<String, AtomicLong> acknowledged = new ConcurrentHashMap<>();
    final Map<String, AtomicLong> indeterminate = new ConcurrentHashMap<>();
    // Per compare-and-set or put key: the value last acknowledged, and later unknown ones.
    final Map<String, Long> lastValue = new ConcurrentHashMap<>();
    final Map<String, List<Long>> unknownValues = new ConcurrentHashMap<>();
    // Compare-and-set keys with a write of unknown outcome since their last acknowledged one.
    final java.util.Set<String> unsettled = ConcurrentHashMap.newKeySet();

    Workload(Rotation rotation) {
      this.rotation = rotation;
    }

    void start() {
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        Thread t = new Thread(() -> run(client), "handoff-client-" + c);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(Duration.ofSeconds(30).toMillis());
      }
    }

    long writes() {
      return writes.get();
    }

    void awaitMoreWrites(long more) throws InterruptedException {
      long target = writes.get() + more;
      Await.until(
          more + " more writes", PROGRESS_TIMEOUT, () -> writes.get() >= target, this::summary);
    }

    String summary() {
      return String.format(
          "%d writes acknowledged, %d answers 503 (%d of requests sent while a node left), %d"
              + " timeouts or connection errors, %d anomalies; failures: %s",
          writes.get(),
          unavailable.get(),
          failedWhileLeaving.get(),
          timeouts.get(),
          anomalies.size(),
          failures);
    }

    private void run(int client) {
      Map<String, Long> versions = new java.util.HashMap<>();
      long op = 0;
      while (running.get()) {
        int slot = (int) (op % KEYS_PER_KIND);
        switch ((int) (op++ % 3)) {
          case 0 -> increment("c" + client + "-" + slot);
          case 1 -> compareAndSet("cas" + client + "-" + slot, versions);
          default -> put("p" + client + "-" + slot, op);
        }
      }
    }

    private void increment(String key) {
      acknowledged.computeIfAbsent(key, k -> new AtomicLong());
      HttpResponse<String> r =
          send(
              "POST",
              GridHttpClient.entryPath(MAP, key) + ":increment",
              "application/json",
              "{\"delta\":1}",
              key);
      if (r == null) {
        indeterminate.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
      } else if (r.statusCode() == 200 || r.statusCode() == 201) {
        acknowledged.get(key).incrementAndGet();
        writes.incrementAndGet();
      } else {
        unexpected(key, r);
      }
    }

    private void compareAndSet(String key, Map<String, Long> versions) {
      if (unsettled.contains(key)) {
        resync(key, versions);
      }
      Long version = versions.get(key);
      long value = lastValue.getOrDefault(key, 0L) + 1;
      HttpResponse<String> r =
          send(
              "PUT",
              GridHttpClient.entryPath(MAP, key),
              "application/json",
              Long.toString(value),
              key,
              version == null ? "If-None-Match" : "If-Match",
              version == null ? "*" : GridHttpClient.etag(version));
      if (r == null) {
        // Unknown: it may still land later (its node sends it again until its timeout).
        unknownValues.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(value);
        unsettled.add(key);
      } else if (r.statusCode() == 200 || r.statusCode() == 201) {
        OptionalLong v = GridHttpClient.version(r);
        versions.put(key, v.orElseThrow());
        lastValue.put(key, value);
        unsettled.remove(key);
        writes.incrementAndGet();
      } else if (r.statusCode() == 412 && unsettled.contains(key)) {
        // An earlier write whose outcome was unknown landed after the client read the key.
        resync(key, versions);
      } else if (r.statusCode() == 412) {
        anomalies.add(
            "compare-and-set of "
                + key
                + " at version "
                + version
                + " failed although only its client writes it: a write was applied twice or"
                + " lost; "
                + GridHttpClient.describe(r));
        versions.remove(key);
        resync(key, versions);
      } else {
        unexpected(key, r);
      }
    }

    /** After an unknown outcome: the key's version and value as they are now. */
    private void resync(String key, Map<String, Long> versions) {
      versions.remove(key);
      while (running.get()) {
        HttpResponse<String> r =
            send("GET", GridHttpClient.entryPath(MAP, key), null, "", key + " (re-read)");
        if (r != null && r.statusCode() == 200) {
          versions.put(key, GridHttpClient.version(r).orElseThrow());
          lastValue.put(key, Long.parseLong(r.body().trim()));
          return;
        }
        if (r != null && r.statusCode() == 404) {
          return;
        }
      }
    }

    private void put(String key, long value) {
      HttpResponse<String> r =
          send(
              "PUT",
              GridHttpClient.entryPath(MAP, key),
              "application/json",
              Long.toString(value),
              key);
      if (r == null) {
        unknownValues.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(value);
      } else if (r.statusCode() == 200 || r.statusCode() == 201) {
        lastValue.put(key, value);
        unknownValues.remove(key);
        writes.incrementAndGet();
      } else {
        unexpected(key, r);
      }
    }

    private void unexpected(String key, HttpResponse<String> r) {
      anomalies.add(key + ": unexpected " + GridHttpClient.describe(r));
    }

    /**
     * One attempt through the next node of the rotation; null when the outcome is unknown (a 503, a
     * timeout, a connection error), which is counted and, for the first few, described.
     */
    private HttpResponse<String> send(
        String method,
        String path,
        String contentType,
        String body,
        String what,
        String... headers) {
      Rotation.Target target = rotation.next();
      boolean whileLeaving = leaving.get();
      target.inFlight().incrementAndGet();
      Instant sent = Instant.now();
      try {
        HttpResponse<String> r = target.client().send(method, path, contentType, body, headers);
        if (r.statusCode() == 503) {
          unavailable.incrementAndGet();
          if (whileLeaving) {
            failedWhileLeaving.incrementAndGet();
          }
          note(target, what, method, sent, GridHttpClient.describe(r));
          return null;
        }
        return r;
      } catch (IOException e) {
        timeouts.incrementAndGet();
        if (whileLeaving) {
          failedWhileLeaving.incrementAndGet();
        }
        note(target, what, method, sent, e.toString());
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      } finally {
        target.inFlight().decrementAndGet();
      }
    }

    private void note(
        Rotation.Target target, String what, String method, Instant sent, String why) {
      if (failures.size() < 20) {
        failures.add(
            String.format(
                "%s %s via %s at %s after %d ms: %s",
                method,
                what,
                target.node(),
                sent,
                Duration.between(sent, Instant.now()).toMillis(),
                why));
      }
    }

    /**
     * Reads every key once more and returns what is wrong: a counter that does not hold its
     * acknowledged increments (at least) and at most those plus the ones whose outcome is unknown,
     * a record that holds neither its last acknowledged value nor a later unknown one.
     */
    List<String> verify(NodeProcess via) throws Exception {
      GridHttpClient http = new GridHttpClient(via.baseUri());
      Instant deadline = Instant.now().plus(PROGRESS_TIMEOUT);
      List<String> wrong = new ArrayList<>();
      for (var e : acknowledged.entrySet()) {
        long value = read(http, e.getKey(), deadline);
        long acked = e.getValue().get();
        long unknown = indeterminate.getOrDefault(e.getKey(), new AtomicLong()).get();
        if (value < acked || value > acked + unknown) {
          wrong.add(
              String.format(
                  "counter %s is %d after %d acknowledged increments (%d unknown): %s",
                  e.getKey(),
                  value,
                  acked,
                  unknown,
                  value > acked + unknown ? "an increment was applied twice" : "one was lost"));
        }
      }
      for (var e : lastValue.entrySet()) {
        long value = read(http, e.getKey(), deadline);
        List<Long> unknown = unknownValues.getOrDefault(e.getKey(), List.of());
        if (value != e.getValue() && !unknown.contains(value)) {
          wrong.add(
              String.format(
                  "%s holds %d; last acknowledged %d, unknown outcomes %s",
                  e.getKey(), value, e.getValue(), unknown));
        }
      }
      return wrong;
    }

    private static long read(GridHttpClient http, String key, Instant deadline) throws Exception {
      HttpRequest get = http.request(GridHttpClient.entryPath(MAP, key)).GET().build();
      HttpResponse<String> r = http.sendUntilAvailable(get, deadline);
      assertTrue(r.statusCode() == 200, key + ": " + GridHttpClient.describe(r));
      return Long.parseLong(r.body().trim());
    }
  }
}
