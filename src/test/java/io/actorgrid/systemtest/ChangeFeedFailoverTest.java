package io.actorgrid.systemtest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.actorgrid.grid.internal.Partitioner;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The change feed across a crash: three nodes on PostgreSQL under write load, a consumer reading
 * one map's Server-Sent Events through one node, and that node killed with SIGKILL mid-stream; its
 * partitions fail over to the others, then it restarts and partitions move back to it. The consumer
 * reconnects to another node with its last id (Last-Event-ID, as an EventSource does). In the end
 * it has seen every acknowledged write exactly once, nothing twice, and each key's changes in
 * version order, across the kill and the failover of the dead node's partitions.
 */
class ChangeFeedFailoverTest extends OneClusterPerTest {
  private static final String MAP = "feed";
  private static final int WRITERS = 4;
  private static final int KEYS_PER_WRITER = 8;
  private static final Duration TIMEOUT = Duration.ofMinutes(3);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** (key, version) of every acknowledged write. */
  private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();

  private final AtomicLong acknowledgedCount = new AtomicLong();

  /** Keys with a write sent after the kill and acknowledged. */
  private final Set<String> ackedAfterKill = ConcurrentHashMap.newKeySet();

  private volatile boolean killed;

  /** Every change the consumer received, in order, as "key version". */
  private final List<String> received = new CopyOnWriteArrayList<>();

  private final AtomicInteger connections = new AtomicInteger();
  private volatile String lastId;
  private volatile NodeProcess readingFrom;
  // The open stream, closed to stop the consumer: a blocked read ignores interrupts.
  private volatile InputStream stream;
  private final AtomicBoolean stop = new AtomicBoolean();

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void aConsumerThatResumesOnAnotherNodeSeesEveryAcknowledgedWriteOnce() throws Exception {
    // 32 partitions instead of 128: the nodes start and fail over faster; resuming exactly after
    // an id works the same for any number (ChangeFeedConcurrencyTest runs feeds on 128).
    cluster = GridCluster.start(workDir, 3);
    NodeProcess victim = cluster.node(2);
    readingFrom = victim;
    List<Thread> threads = new ArrayList<>();
    Thread consumer = new Thread(this::consume, "feed-consumer");
    consumer.start();
    threads.add(consumer);
    Await.until(
        "the consumer is connected to " + victim,
        TIMEOUT,
        () -> lastId != null,
        () -> "connections: " + connections.get());
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      Thread t = new Thread(() -> write(writer), "feed-writer-" + w);
      t.start();
      threads.add(t);
    }
    awaitAcknowledged(300);
    Await.until(
        "the consumer received changes through " + victim,
        TIMEOUT,
        () -> received.size() >= 100,
        () -> "received " + received.size());
    int before = received.size();
    List<Integer> victimPartitions =
        cluster.state(cluster.node(1)).partitionsOf(victim.clusterAddress());
    victim.kill();
    cluster.clients().remove(victim);
    killed = true;
    System.out.printf(
        "killed %s (partitions %s) after the consumer received %d changes through it%n",
        victim, victimPartitions, before);
    Partitioner partitioner = new Partitioner(GridCluster.PARTITIONS);
    Await.until(
        "a write to a partition of the killed node is acknowledged again (failover)",
        TIMEOUT,
        () ->
            ackedAfterKill.stream()
                .anyMatch(key -> victimPartitions.contains(partitioner.partitionOf(MAP, key))),
        () -> "acknowledged " + acknowledgedCount.get());
    System.out.printf("failover done: %d writes acknowledged%n", acknowledgedCount.get());

    // The killed node comes back: partitions move to it (a rebalance) under the same load.
    victim.restart();
    cluster.awaitReadyAndUp(cluster.nodes());
    cluster.awaitHostsPartitions(victim);
    cluster.clients().add(victim);
    awaitAcknowledged(acknowledgedCount.get() + 200);
    System.out.printf(
        "%s rejoined and hosts partitions %s%n",
        victim, cluster.state(cluster.node(1)).partitionsOf(victim.clusterAddress()));
    stop.set(true);
    for (Thread t : threads.subList(1, threads.size())) {
      t.join(GridHttpClient.REQUEST_TIMEOUT.plusSeconds(20).toMillis());
    }
    Await.until(
        "the consumer received every acknowledged write",
        TIMEOUT,
        () -> new HashSet<>(received).containsAll(acknowledged),
        () -> {
          Set<String> missing = new HashSet<>(acknowledged);
          missing.removeAll(new HashSet<>(received));
          return missing.size() + " missing, e.g. " + missing.stream().limit(10).toList();
        });
    readingFrom = null;
    consumer.interrupt();
    InputStream open = stream;
    if (open != null) {
      open.close();
    }
    consumer.join(TIMEOUT.toMillis());

    Set<String> distinct = new HashSet<>(received);
    assertEquals(received.size(), distinct.size(), "a change was delivered twice");
    Map<String, Long> lastVersion = new HashMap<>();
    for (String change : received) {
      String[] keyVersion = change.split(" ");
      long version = Long.parseLong(keyVersion[1]);
      long previous = lastVersion.getOrDefault(keyVersion[0], 0L);
      assertTrue(version > previous, () -> "out of version order: " + change);
      lastVersion.put(keyVersion[0], version);
    }
    assertTrue(connections.get() >= 2, "the consumer reconnected");
    System.out.printf(
        "%d acknowledged writes, %d changes received over %d connections, each once, in version"
            + " order per key%n",
        acknowledged.size(), received.size(), connections.get());
  }

  private void awaitAcknowledged(long count) throws InterruptedException {
    Await.until(
        count + " writes acknowledged",
        TIMEOUT,
        () -> acknowledgedCount.get() >= count,
        () -> "acknowledged " + acknowledgedCount.get());
  }

  /** PUTs to the writer's own keys through the live nodes in turn, recording acknowledgements. */
  private void write(int writer) {
    int n = 0;
    while (!stop.get()) {
      String key = "w" + writer + "-k" + (n % KEYS_PER_WRITER);
      // Only a write sent after the kill shows failover: one in flight may be the dead node's.
      boolean sentAfterKill = killed;
      try {
        HttpResponse<String> response =
            cluster.clients().get().put(MAP, key, "application/json", "{\"n\":" + n + "}");
        var version = GridHttpClient.version(response);
        if ((response.statusCode() == 200 || response.statusCode() == 201) && version.isPresent()) {
          acknowledged.add(key + " " + version.getAsLong());
          acknowledgedCount.incrementAndGet();
          if (sentAfterKill) {
            ackedAfterKill.add(key);
          }
        } else {
          Thread.sleep(20);
        }
      } catch (java.io.IOException e) {
        pause();
      } catch (InterruptedException e) {
        return;
      }
      n++;
    }
  }

  private static void pause() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Reads the map's feed as an EventSource would: from the beginning on the first connection, then
   * with Last-Event-ID; when a connection ends, it reconnects to a live node (the one it read from
   * if that is still live, else another).
   */
  private void consume() {
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(GridHttpClient.CONNECT_TIMEOUT)
            .build();
    int attempt = 0;
    while (readingFrom != null && !Thread.currentThread().isInterrupted()) {
      NodeProcess node = readingFrom;
      if (!node.isAlive()) {
        List<NodeProcess> live = cluster.clients().nodes();
        node = live.get(attempt++ % live.size());
      }
      URI uri = URI.create(node.baseUri() + "/v1/maps/" + MAP + "/changes?from=beginning");
      HttpRequest.Builder request =
          HttpRequest.newBuilder(uri).header("Accept", "text/event-stream");
      if (lastId != null) {
        request.header("Last-Event-ID", lastId);
      }
      try {
        HttpResponse<InputStream> response =
            http.send(request.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
          String body = new String(response.body().readAllBytes(), UTF_8);
          System.out.printf("feed through %s answered %d: %s%n", node, response.statusCode(), body);
          Thread.sleep(500);
          continue;
        }
        connections.incrementAndGet();
        stream = response.body();
        readEvents(response.body());
      } catch (java.io.IOException e) {
        // The node died or the connection broke: reconnect with the last id.
        try {
          Thread.sleep(200);
        } catch (InterruptedException interrupted) {
          return;
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Records each complete event; an event cut off by a crash is not complete and not recorded. */
  private void readEvents(InputStream body) throws java.io.IOException {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, UTF_8))) {
      String id = null;
      String data = null;
      String line;
      while ((line = lines.readLine()) != null) {
        if (Thread.currentThread().isInterrupted()) {
          return;
        }
        if (line.isEmpty()) {
          if (data != null) {
            JsonNode change = JSON.readTree(data);
            received.add(change.get("key").asText() + " " + change.get("version").asLong());
          }
          if (id != null) {
            lastId = id;
          }
          id = null;
          data = null;
        } else if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("data: ")) {
          data = line.substring(6);
        } else if (line.startsWith("event: error")) {
          throw new AssertionError("the feed ended with an error event");
        }
      }
    }
  }
}
