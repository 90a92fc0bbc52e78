import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Change feed latency and its cost to writes, against a running node (JDK only; run with {@code
 * java ChangeFeedLatency.java <base-url> <subscribers> <writers> <warm-s> <measure-s>}).
 *
 * <p>Writers PUT small JSON values to their own keys of map "bench-feed" in a closed loop and note
 * when each write's acknowledgement arrived, by (key, version). Subscribers read the map's feed as
 * Server-Sent Events from now on and note when each change arrived; its latency is arrival minus
 * acknowledgement (0 when the change arrived before the writer saw its acknowledgement). One thread
 * reads every subscriber's connection (non-blocking sockets), so that the readers cost the shared
 * machine little beside the node. Prints one line: writes/s in the measured window, the delivery
 * latency's p50, p99 and max over every subscriber's deliveries in that window, and, after the
 * writers stop, whether the slowest subscriber got as many changes as there were acknowledged
 * writes and how long that took.
 */
public final class ChangeFeedLatency {
  private static final int BUCKETS = 100_000; // 0.1 ms each, up to 10 s
  private static final ConcurrentHashMap<String, Long> acked = new ConcurrentHashMap<>();
  private static final AtomicLongArray histogram = new AtomicLongArray(BUCKETS + 1);
  private static final LongAdder writes = new LongAdder();
  private static final LongAdder deliveries = new LongAdder();
  private static final LongAdder early = new LongAdder();
  private static final LongAdder allAcked = new LongAdder();
  private static java.util.concurrent.atomic.AtomicLongArray received;
  private static volatile boolean measuring;

  public static void main(String[] args) throws Exception {
    String base = args[0];
    int subscribers = Integer.parseInt(args[1]);
    int writers = Integer.parseInt(args[2]);
    int warm = Integer.parseInt(args[3]);
    int measure = Integer.parseInt(args[4]);
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicBoolean stopReading = new AtomicBoolean();
    received = new AtomicLongArray(Math.max(1, subscribers));
    List<Thread> threads = new ArrayList<>();
    if (subscribers > 0) {
      Thread t = new Thread(() -> subscribeAll(base, subscribers, stopReading), "subscribers");
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    Thread.sleep(2000 + subscribers * 20L); // let the feeds start (each starts with a checkpoint)
    for (int w = 0; w < writers; w++) {
      int writer = w;
      Thread t = new Thread(() -> write(http, base, writer, stop), "writer-" + w);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    Thread.sleep(warm * 1000L);
    writes.reset();
    measuring = true;
    long start = System.nanoTime();
    Thread.sleep(measure * 1000L);
    measuring = false;
    double seconds = (System.nanoTime() - start) / 1e9;
    long written = writes.sum();
    stop.set(true);
    // Every subscriber must get every acknowledged write: wait for the slowest (not timed).
    Thread.sleep(1000);
    long drainStart = System.nanoTime();
    long acknowledged = allAcked.sum();
    long slowest = 0;
    for (int i = 0; i < 600 && subscribers > 0; i++) {
      slowest = Long.MAX_VALUE;
      for (int s = 0; s < subscribers; s++) {
        slowest = Math.min(slowest, received.get(s));
      }
      if (slowest >= acknowledged) {
        break;
      }
      Thread.sleep(100);
    }
    stopReading.set(true);
    System.out.printf(
        "subscribers=%d writers=%d writes/s=%.0f deliveries=%d p50=%s p99=%s max=%s"
            + " delivered-before-ack=%d acknowledged=%d slowest-subscriber-got=%d drain=%.1fs%n",
        subscribers,
        writers,
        written / seconds,
        deliveries.sum(),
        percentile(0.50),
        percentile(0.99),
        percentile(1.0),
        early.sum(),
        acknowledged,
        subscribers > 0 ? slowest : 0,
        (System.nanoTime() - drainStart) / 1e9);
    System.exit(0);
  }

  private static void write(HttpClient http, String base, int writer, AtomicBoolean stop) {
    int n = 0;
    while (!stop.get()) {
      String key = "w" + writer + "-" + (n % 100);
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(base + "/v1/maps/bench-feed/entries/" + key))
              .timeout(Duration.ofSeconds(30))
              .header("Content-Type", "application/json")
              .PUT(HttpRequest.BodyPublishers.ofString("{\"n\":" + n + "}"))
              .build();
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        long now = System.nanoTime();
        String etag = response.headers().firstValue("ETag").orElse(null);
        if (response.statusCode() < 300 && etag != null) {
          acked.put(key + " " + etag.replace("\"", ""), now);
          allAcked.increment();
          if (measuring) {
            writes.increment();
          }
        }
      } catch (Exception e) {
        // counted as not written
      }
      n++;
    }
  }

  /**
   * Reads every subscriber's feed on this one thread (non-blocking sockets and a selector), so that
   * 100 subscribers cost the machine little CPU beside the node: HTTP/1.1 chunked decoding and a
   * scan of each {@code data:} line for its key and version, nothing more.
   */
  private static void subscribeAll(String base, int subscribers, AtomicBoolean stop) {
    try (Selector selector = Selector.open()) {
      URI uri = URI.create(base);
      for (int s = 0; s < subscribers; s++) {
        SocketChannel channel =
            SocketChannel.open(new InetSocketAddress(uri.getHost(), uri.getPort()));
        channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
        String request =
            "GET /v1/maps/bench-feed/changes HTTP/1.1\r\nHost: "
                + uri.getHost()
                + "\r\nAccept: text/event-stream\r\n\r\n";
        ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
        while (out.hasRemaining()) {
          channel.write(out);
        }
        channel.configureBlocking(false);
        channel.register(selector, SelectionKey.OP_READ, new SseReader(s));
      }
      ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
      byte[] bytes = new byte[256 * 1024];
      while (!stop.get()) {
        if (selector.select(200) == 0) {
          continue;
        }
        long now = System.nanoTime();
        for (SelectionKey key : selector.selectedKeys()) {
          SocketChannel channel = (SocketChannel) key.channel();
          SseReader reader = (SseReader) key.attachment();
          buffer.clear();
          int n = channel.read(buffer);
          if (n < 0) {
            System.err.println("subscriber " + reader.subscriber + " ended: connection closed");
            key.cancel();
            continue;
          }
          buffer.flip();
          buffer.get(bytes, 0, n);
          reader.accept(bytes, n, now);
        }
        selector.selectedKeys().clear();
      }
    } catch (Exception e) {
      System.err.println("subscribers ended: " + e);
    }
  }

  /** One subscriber's response: headers, then chunked SSE; counts and times each data line. */
  private static final class SseReader {
    final int subscriber;
    private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(1024);
    private boolean inBody;
    private long chunkLeft = -1; // -1: reading a chunk-size line
    private boolean skipCrLf;

    SseReader(int subscriber) {
      this.subscriber = subscriber;
    }

    void accept(byte[] bytes, int n, long now) {
      int i = 0;
      while (i < n) {
        if (!inBody) {
          byte b = bytes[i++];
          if (b == '\n') {
            String header = line.toString(StandardCharsets.US_ASCII).trim();
            line.reset();
            if (header.startsWith("HTTP/") && !header.startsWith("HTTP/1.1 200")) {
              System.err.println("subscriber " + subscriber + " got " + header);
            }
            if (header.isEmpty()) {
              inBody = true;
            }
          } else {
            line.write(b);
          }
          continue;
        }
        if (skipCrLf) {
          if (bytes[i] == '\r' || bytes[i] == '\n') {
            skipCrLf = bytes[i] == '\r';
            i++;
            continue;
          }
          skipCrLf = false;
        }
        if (chunkLeft < 0) {
          byte b = bytes[i++];
          if (b == '\n') {
            String size = line.toString(StandardCharsets.US_ASCII).trim();
            line.reset();
            if (!size.isEmpty()) {
              int semi = size.indexOf(';');
              chunkLeft = Long.parseLong(semi < 0 ? size : size.substring(0, semi), 16);
            }
          } else {
            line.write(b);
          }
          continue;
        }
        int take = (int) Math.min(chunkLeft, n - i);
        int lineStart = i;
        for (int j = i; j < i + take; j++) {
          if (bytes[j] != '\n') {
            continue;
          }
          if (line.size() == 0) {
            onLine(bytes, lineStart, j - lineStart, now);
          } else {
            line.write(bytes, lineStart, j - lineStart);
            byte[] whole = line.toByteArray();
            line.reset();
            onLine(whole, 0, whole.length, now);
          }
          lineStart = j + 1;
        }
        line.write(bytes, lineStart, i + take - lineStart);
        i += take;
        chunkLeft -= take;
        if (chunkLeft == 0) {
          chunkLeft = -1;
          skipCrLf = true;
        }
      }
    }

    private void onLine(byte[] text, int off, int len, long now) {
      if (len < 6 || text[off] != 'd' || text[off + 4] != ':') {
        return;
      }
      received.incrementAndGet(subscriber);
      String data = new String(text, off, len, StandardCharsets.ISO_8859_1);
      String change = field(data, "\"key\":\"", '"') + " " + field(data, "\"version\":", ',');
      if (!measuring) {
        return;
      }
      Long ack = acked.get(change);
      long micros = ack == null ? 0 : Math.max(0, (now - ack) / 1000);
      if (ack == null) {
        early.increment();
      }
      histogram.incrementAndGet((int) Math.min(BUCKETS, micros / 100));
      deliveries.increment();
    }
  }

  private static String field(String line, String prefix, char end) {
    int start = line.indexOf(prefix) + prefix.length();
    return line.substring(start, line.indexOf(end, start));
  }

  private static String percentile(double p) {
    long total = 0;
    for (int i = 0; i <= BUCKETS; i++) {
      total += histogram.get(i);
    }
    if (total == 0) {
      return "-";
    }
    long rank = (long) Math.ceil(p * total);
    long seen = 0;
    for (int i = 0; i <= BUCKETS; i++) {
      seen += histogram.get(i);
      if (seen >= rank) {
        return String.format("%.1fms", (i + 1) / 10.0);
      }
    }
    return ">10s";
  }
}
