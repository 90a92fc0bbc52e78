package io.actorgrid.systemtest;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Writes one key in every partition, found with the node's own {@link Partitioner}, through the
 * live nodes, over and over: every {@value #INTERVAL_MILLIS} ms each partition gets a new PUT
 * (whether or not its earlier ones have answered, up to {@value #MAX_OUTSTANDING} at a time), and
 * every request's send time, completion time and outcome is recorded. From that record it tells,
 * for any moment, when each partition took writes again and which partitions ever refused one.
 *
 * <p>A write "failed" when it answered anything but 200/201, or did not answer within {@link
 * #REQUEST_TIMEOUT}; connection errors to a node the test has just killed are not counted (the
 * probe sends only through the clients the test considers live).
 */
final class WriteProbe implements AutoCloseable {

  private static final long INTERVAL_MILLIS = 500;
  private static final int MAX_OUTSTANDING = 24;
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(8);

  /** One PUT: times are System.nanoTime(). */
  record Attempt(int partition, long sentAt, long doneAt, boolean ok, String outcome) {
    /** " [+sent..+answered outcome]", in seconds after {@code since} (a System.nanoTime()). */
    String describe(long since) {
      return String.format(
          " [+%.2f..+%.2f %s]", (sentAt - since) / 1e9, (doneAt - since) / 1e9, outcome);
    }
  }

  private final String map;
  private final List<String> keys;
  private final RoundRobinClients clients;
  private final ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();
  private final AtomicIntegerArray outstanding;
  // Send times of the writes of each partition that have not completed yet.
  private final ConcurrentSkipListSet<Long>[] inFlight;
  private final Thread sender;
  private volatile boolean running = true;

  private WriteProbe(String map, int partitions, RoundRobinClients clients) {
    this.map = map;
    this.clients = clients;
    this.keys = PartitionProbe.keysByPartition(map, partitions);
    this.outstanding = new AtomicIntegerArray(partitions);
    @SuppressWarnings({"unchecked", "rawtypes"})
    ConcurrentSkipListSet<Long>[] sets = new ConcurrentSkipListSet[partitions];
    for (int p = 0; p < partitions; p++) {
      sets[p] = new ConcurrentSkipListSet<>();
    }
    this.inFlight = sets;
    this.sender = new Thread(this::run, "write-probe");
    sender.setDaemon(true);
  }

  static WriteProbe start(String map, int partitions, RoundRobinClients clients) {
    WriteProbe probe = new WriteProbe(map, partitions, clients);
    probe.sender.start();
    return probe;
  }

  private void run() {
    long sequence = 0;
    while (running) {
      long round = System.nanoTime();
      for (int p = 0; p < keys.size() && running; p++) {
        if (outstanding.get(p) >= MAX_OUTSTANDING) {
          continue;
        }
        send(p, sequence++);
      }
      long sleep = INTERVAL_MILLIS - (System.nanoTime() - round) / 1_000_000;
      if (sleep > 0) {
        try {
          Thread.sleep(sleep);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private void send(int partition, long sequence) {
    GridHttpClient client = clients.get();
    HttpRequest request =
        client
            .request(GridHttpClient.entryPath(map, keys.get(partition)))
            .timeout(REQUEST_TIMEOUT)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString("{\"n\":" + sequence + "}"))
            .build();
    long sentAt = System.nanoTime();
    outstanding.incrementAndGet(partition);
    inFlight[partition].add(sentAt);
    client
        .sendAsync(request)
        .whenComplete(
            (response, error) -> {
              outstanding.decrementAndGet(partition);
              inFlight[partition].remove(sentAt);
              long doneAt = System.nanoTime();
              if (error != null) {
                Throwable cause = error.getCause() != null ? error.getCause() : error;
                if (cause instanceof java.net.ConnectException) {
                  return; // a node that was just killed: not the partition's doing
                }
                attempts.add(
                    new Attempt(
                        partition, sentAt, doneAt, false, cause.getClass().getSimpleName()));
              } else {
                int status = response.statusCode();
                attempts.add(
                    new Attempt(
                        partition,
                        sentAt,
                        doneAt,
                        status == 200 || status == 201,
                        Integer.toString(status)));
              }
            });
  }

  /** Every partition's key in this probe's map. */
  String keyOf(int partition) {
    return keys.get(partition);
  }

  int partitions() {
    return keys.size();
  }

  /**
   * For each partition, how long after {@code since} (a System.nanoTime()) it took writes again:
   * the earliest completion of a successful write sent after its last failed one that was sent
   * after {@code since} (for a partition that never failed, of any successful write since). That is
   * when a client could write to it again: writes sent during the outage may still be answered
   * later, successfully or not, on a busy machine up to several seconds after newer writes were
   * acknowledged. A partition is present once such a write has succeeded; a write sent after it
   * that fails later moves its figure on.
   */
  Map<Integer, Duration> writableAgainAfter(long since) {
    return writableAgain(since, true);
  }

  /**
   * As {@link #writableAgainAfter}, but the completion of the first successful write <em>sent</em>
   * after the last failed one, however long it took to be answered: the figure this probe gave
   * until 2 December 2026, printed beside the other so that old and new runs compare. A partition
   * is present only once every write sent before that one has completed.
   */
  Map<Integer, Duration> firstSentWritableAgainAfter(long since) {
    return writableAgain(since, false);
  }

  private Map<Integer, Duration> writableAgain(long since, boolean earliestAnswer) {
    long[] lastFailure = new long[keys.size()];
    java.util.Arrays.fill(lastFailure, Long.MIN_VALUE);
    List<Attempt> after = new ArrayList<>();
    for (Attempt a : attempts) {
      if (a.sentAt() >= since) {
        after.add(a);
        if (!a.ok()) {
          lastFailure[a.partition()] = Math.max(lastFailure[a.partition()], a.sentAt());
        }
      }
    }
    // The chosen successful write of each partition: when it was sent and when it was answered.
    long[] okSent = new long[keys.size()];
    java.util.Arrays.fill(okSent, Long.MAX_VALUE);
    long[] okDone = new long[keys.size()];
    java.util.Arrays.fill(okDone, Long.MAX_VALUE);
    for (Attempt a : after) {
      int p = a.partition();
      if (a.ok() && a.sentAt() > lastFailure[p]) {
        boolean better = earliestAnswer ? a.doneAt() < okDone[p] : a.sentAt() < okSent[p];
        if (better) {
          okSent[p] = a.sentAt();
          okDone[p] = a.doneAt();
        }
      }
    }
    Map<Integer, Duration> out = new TreeMap<>();
    for (int p = 0; p < keys.size(); p++) {
      if (okSent[p] == Long.MAX_VALUE) {
        continue;
      }
      // By the first write sent, a write sent before it and still in flight may yet succeed and
      // be the first one. By the earliest answer nothing in flight can answer sooner, and a write
      // sent before the chosen one that fails leaves it after the last failure: it is final.
      // (ceiling, not isEmpty() then first(): the set changes under us; first() threw once.)
      Long oldestInFlight = inFlight[p].ceiling(Long.MIN_VALUE);
      if (!earliestAnswer && oldestInFlight != null && oldestInFlight < okSent[p]) {
        continue;
      }
      out.put(p, Duration.ofNanos(Math.max(0, okDone[p] - since)));
    }
    return out;
  }

  /**
   * Why partitions are not yet counted by {@link #writableAgainAfter}: for each of the first five
   * that are not, its writes sent since {@code since} (seconds after it, outcome) and the writes
   * still in flight.
   */
  String explainMissing(long since) {
    Set<Integer> counted = writableAgainAfter(since).keySet();
    StringBuilder out = new StringBuilder();
    int shown = 0;
    for (int p = 0; p < keys.size() && shown < 5; p++) {
      if (counted.contains(p)) {
        continue;
      }
      shown++;
      out.append("partition ").append(p).append(": last writes");
      List<Attempt> sent = attemptsSince(since, p);
      for (Attempt a : sent.subList(Math.max(0, sent.size() - 8), sent.size())) {
        out.append(a.describe(since));
      }
      out.append("; in flight, sent at:");
      for (long sentAt : inFlight[p]) {
        out.append(String.format(" +%.2f", (sentAt - since) / 1e9));
      }
      out.append('\n');
    }
    return out.toString();
  }

  /** The failed writes sent at or after {@code since} to the given partitions. */
  List<Attempt> failuresSince(long since, Set<Integer> partitions) {
    return sentSince(since, a -> !a.ok() && partitions.contains(a.partition()));
  }

  /** Every write sent at or after {@code since} to {@code partition}, in the order sent. */
  List<Attempt> attemptsSince(long since, int partition) {
    List<Attempt> out = sentSince(since, a -> a.partition() == partition);
    out.sort(java.util.Comparator.comparingLong(Attempt::sentAt));
    return out;
  }

  private List<Attempt> sentSince(long since, java.util.function.Predicate<Attempt> which) {
    List<Attempt> out = new ArrayList<>();
    for (Attempt a : attempts) {
      if (a.sentAt() >= since && which.test(a)) {
        out.add(a);
      }
    }
    return out;
  }

  /** Successful writes sent at or after {@code since} to each partition. */
  int[] successesSince(long since) {
    int[] out = new int[keys.size()];
    for (Attempt a : attempts) {
      if (a.sentAt() >= since && a.ok()) {
        out[a.partition()]++;
      }
    }
    return out;
  }

  @Override
  public void close() {
    running = false;
    sender.interrupt();
  }
}
