package io.actorgrid.systemtest;

import io.actorgrid.grid.internal.Partitioner;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * One key per partition, found with the node's own {@link Partitioner}, to ask every partition
 * whether it serves: a GET of its key answers 200 or 404 only once the partition runs somewhere and
 * has recovered.
 *
 * <p>While a partition is unavailable its requests wait inside the cluster (for a node that is
 * gone, until the request times out), so the probe does not wait for an answer before asking again:
 * it sends a new GET for every partition that has not answered yet every {@value #INTERVAL_MILLIS}
 * ms, each abandoned after a few seconds. The time a partition first answered is therefore known to
 * within that interval plus the request's own latency.
 */
final class PartitionProbe {

  private static final long INTERVAL_MILLIS = 500;
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);

  private final String map;
  private final List<String> keys;

  PartitionProbe(String map, int partitions) {
    this.map = map;
    this.keys = keysByPartition(map, partitions);
  }

  /** One key of {@code map} in each partition, found with the node's own partitioner, in order. */
  static List<String> keysByPartition(String map, int partitions) {
    Partitioner partitioner = new Partitioner(partitions);
    String[] found = new String[partitions];
    int missing = partitions;
    for (int i = 0; missing > 0; i++) {
      String key = "probe-" + i;
      int p = partitioner.partitionOf(map, key);
      if (found[p] == null) {
        found[p] = key;
        missing--;
      }
    }
    return List.of(found);
  }

  /** The probe key of {@code partition}. */
  String keyOf(int partition) {
    return keys.get(partition);
  }

  String map() {
    return map;
  }

  /**
   * Probes every partition through {@code clients} until each has answered 200 or 404 once, and
   * returns when each first did, as time since {@code since}, by partition. Fails when some have
   * not answered after {@code timeout}, or when one answers anything but 200, 404 or 503.
   */
  Map<Integer, Duration> awaitEveryPartitionAnswers(
      Supplier<GridHttpClient> clients, Instant since, Duration timeout)
      throws InterruptedException {
    Map<Integer, Duration> answered = new ConcurrentSkipListMap<>();
    Queue<String> unexpected = new ConcurrentLinkedQueue<>();
    Instant deadline = Instant.now().plus(timeout);
    while (answered.size() < keys.size() && unexpected.isEmpty()) {
      if (Instant.now().isAfter(deadline)) {
        List<Integer> pending =
            IntStream.range(0, keys.size()).filter(p -> !answered.containsKey(p)).boxed().toList();
        throw new AssertionError(
            "partitions " + pending + " did not answer within " + timeout + " through the nodes");
      }
      for (int p = 0; p < keys.size(); p++) {
        if (answered.containsKey(p)) {
          continue;
        }
        int partition = p;
        GridHttpClient client = clients.get();
        HttpRequest request =
            client
                .request(GridHttpClient.entryPath(map, keys.get(p)))
                .timeout(REQUEST_TIMEOUT)
                .GET()
                .build();
        client
            .sendAsync(request)
            .whenComplete(
                (response, error) -> {
                  if (error != null) {
                    return; // a connection error or a timeout: not answered
                  }
                  int status = response.statusCode();
                  if (status == 200 || status == 404) {
                    answered.putIfAbsent(partition, Duration.between(since, Instant.now()));
                  } else if (status != 503) {
                    unexpected.add(GridHttpClient.describe(response));
                  }
                });
      }
      Thread.sleep(INTERVAL_MILLIS);
    }
    if (!unexpected.isEmpty()) {
      throw new AssertionError("a probe got an unexpected answer: " + new ArrayList<>(unexpected));
    }
    return new TreeMap<>(answered);
  }
}
