import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An open-loop load: PUTs sent at a fixed rate whatever the answers, as many clients that do not
 * wait for each other send them, with a client timeout per request. Prints, per second, what was
 * sent, what was acknowledged (2xx) within the timeout and how fast, what was refused (503 and
 * other statuses), what timed out or failed to connect, and how many requests were in flight.
 *
 * <p>A closed loop (wrk: a fixed number of connections, each waiting for its answer) cannot show
 * what a node does when more arrives than it can do: its load falls as the node slows. This one
 * keeps sending, so a node that queues work it cannot finish in time shows it at once: its
 * acknowledgements within the timeout fall towards zero while it stays busy.
 *
 * <p>A second's row is printed once its requests have all been answered or timed out, so about a
 * timeout after it was sent; its "out now" column is the number of requests out when it is printed.
 *
 * <pre>
 * java benchmarks/overload/Overload.java URL PHASES [timeoutSeconds] [keys] [maxInFlight]
 *   URL          a node's base URL, e.g. http://127.0.0.1:8080
 *   PHASES       comma-separated rate:seconds, e.g. 500:20,3000:60,500:40
 *   maxInFlight  requests out at once (default 3,000); one due beyond it is not sent but counted
 *                as skipped, so that the client's own connections stay within its limits
 * </pre>
 */
public final class Overload {
  private static final byte[] VALUE = ("{\"v\":\"" + "x".repeat(100) + "\"}").getBytes();

  public static void main(String[] args) throws Exception {
    // HttpClient.sendAsync hands every response to CompletableFuture's default executor, which on
    // 2 cores (common pool parallelism 1) starts a thread per task: a real pool instead. Set before
    // anything uses the common pool.
    System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism", "4");
    if (java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() < 2) {
      System.err.println(
          "warning: the common pool has parallelism 1: run with"
              + " -Djava.util.concurrent.ForkJoinPool.common.parallelism=4");
    }
    if (args.length < 2) {
      System.err.println("usage: Overload URL rate:seconds[,rate:seconds...] [timeoutS] [keys]");
      System.exit(2);
    }
    String base = args[0].replaceAll("/$", "");
    List<int[]> phases = new ArrayList<>();
    for (String phase : args[1].split(",")) {
      String[] parts = phase.split(":");
      phases.add(new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])});
    }
    Duration timeout = Duration.ofSeconds(args.length > 2 ? Integer.parseInt(args[2]) : 10);
    int keys = args.length > 3 ? Integer.parseInt(args[3]) : 10_000;
    int maxInFlight = args.length > 4 ? Integer.parseInt(args[4]) : 3_000;

    // Several clients: one JDK client's selector thread serves all its connections.
    HttpClient[] clients = new HttpClient[4];
    for (int i = 0; i < clients.length; i++) {
      clients[i] =
          HttpClient.newBuilder()
              .connectTimeout(timeout)
              .executor(Executors.newFixedThreadPool(2))
              .build();
    }
    Second[] seconds = new Second[phases.stream().mapToInt(p -> p[1]).sum() + 120];
    for (int i = 0; i < seconds.length; i++) {
      seconds[i] = new Second();
    }
    AtomicInteger inFlight = new AtomicInteger();
    long start = System.nanoTime();
    System.out.printf(
        "%5s %6s %6s %7s %6s %6s %7s %6s %8s %8s %8s%n",
        "s",
        "rate",
        "sent",
        "skipped",
        "2xx",
        "503",
        "other",
        "tmout",
        "out now",
        "p50 ms",
        "p99 ms");

    int elapsed = 0;
    for (int[] phase : phases) {
      int rate = phase[0];
      for (int s = 0; s < phase[1]; s++, elapsed++) {
        Second second = seconds[elapsed];
        second.rate = rate;
        long secondStart = start + TimeUnit.SECONDS.toNanos(elapsed);
        for (int i = 0; i < rate; i++) {
          long due = secondStart + TimeUnit.SECONDS.toNanos(1) * i / rate;
          long wait = due - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
          if (inFlight.get() >= maxInFlight) {
            second.skipped.incrementAndGet();
          } else {
            send(clients[i % clients.length], base, keys, timeout, seconds, elapsed, inFlight);
          }
        }
        int shown = elapsed - (int) timeout.toSeconds() - 1;
        if (shown >= 0) {
          seconds[shown].print(shown, inFlight.get());
        }
      }
    }
    // Let the last requests finish or time out, then print the seconds not printed yet.
    TimeUnit.SECONDS.sleep(timeout.toSeconds() + 2);
    for (int s = Math.max(0, elapsed - (int) timeout.toSeconds() - 1); s < elapsed; s++) {
      seconds[s].print(s, inFlight.get());
    }
    long sent = 0, skipped = 0, ok = 0;
    for (int s = 0; s < elapsed; s++) {
      sent += seconds[s].sent.get();
      skipped += seconds[s].skipped.get();
      ok += seconds[s].ok.get();
    }
    System.out.printf(
        "total: sent %d, skipped %d, acknowledged %d (%.1f %% of those due)%n",
        sent, skipped, ok, 100.0 * ok / (sent + skipped));
    System.exit(0);
  }

  private static void send(
      HttpClient client,
      String base,
      int keys,
      Duration timeout,
      Second[] seconds,
      int second,
      AtomicInteger inFlight) {
    int key = java.util.concurrent.ThreadLocalRandom.current().nextInt(keys);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + "/v1/maps/overload/entries/k" + key))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofByteArray(VALUE))
            .build();
    long sentAt = System.nanoTime();
    Second s = seconds[second];
    s.sent.incrementAndGet();
    inFlight.incrementAndGet();
    client
        .sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (response, error) -> {
              inFlight.decrementAndGet();
              long micros = (System.nanoTime() - sentAt) / 1000;
              if (error != null) {
                Throwable cause = error.getCause() != null ? error.getCause() : error;
                if (cause instanceof HttpTimeoutException) {
                  s.timedOut.incrementAndGet();
                } else {
                  s.failed.incrementAndGet();
                }
              } else if (response.statusCode() / 100 == 2) {
                s.ok.incrementAndGet();
                s.record(micros);
              } else if (response.statusCode() == 503) {
                s.unavailable.incrementAndGet();
              } else {
                s.failed.incrementAndGet();
              }
            });
  }

  /** What happened to the requests sent in one second. */
  private static final class Second {
    volatile int rate;
    final AtomicLong sent = new AtomicLong();
    final AtomicLong skipped = new AtomicLong();
    final AtomicLong ok = new AtomicLong();
    final AtomicLong unavailable = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong timedOut = new AtomicLong();
    private long[] micros = new long[256];
    private int count;

    synchronized void record(long value) {
      if (count == micros.length) {
        micros = Arrays.copyOf(micros, count * 2);
      }
      micros[count++] = value;
    }

    synchronized void print(int second, int inFlight) {
      long[] sorted = Arrays.copyOf(micros, count);
      Arrays.sort(sorted);
      System.out.printf(
          "%5d %6d %6d %7d %6d %6d %7d %6d %8d %8s %8s%n",
          second,
          rate,
          sent.get(),
          skipped.get(),
          ok.get(),
          unavailable.get(),
          failed.get(),
          timedOut.get(),
          inFlight,
          count == 0 ? "-" : String.format("%.1f", sorted[count / 2] / 1000.0),
          count == 0 ? "-" : String.format("%.1f", sorted[(int) (count * 0.99)] / 1000.0));
    }
  }
}
