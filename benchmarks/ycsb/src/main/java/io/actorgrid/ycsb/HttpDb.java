package io.actorgrid.ycsb;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.Status;

/**
 * What both bindings share: one {@link HttpClient} per JVM (YCSB creates one {@link DB} per client
 * thread, and each thread's blocking request holds one pooled HTTP/1.1 connection, so 64 threads
 * use 64 keep-alive connections), request timeouts, the mapping of transport failures to YCSB
 * statuses and a bounded log of failures.
 */
abstract class HttpDb extends DB {
  /** How many failures each JVM prints to stderr before it goes quiet. */
  private static final int MAX_LOGGED_FAILURES = 20;

  private static final AtomicInteger LOGGED_FAILURES = new AtomicInteger();

  private static final class Shared {
    static final HttpClient CLIENT =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  Duration timeout = Duration.ofSeconds(10);

  /** Fields per record (YCSB's fieldcount): an update with this many rewrites the whole record. */
  private int fieldCount = 10;

  /**
   * Reads the settings both bindings share.
   *
   * @param timeoutProperty the binding's request timeout in milliseconds (default 10000); a
   *     timed-out request counts as SERVICE_UNAVAILABLE
   */
  void configure(Properties props, String timeoutProperty) {
    timeout = Duration.ofMillis(Long.parseLong(props.getProperty(timeoutProperty, "10000")));
    fieldCount = Integer.parseInt(props.getProperty("fieldcount", "10"));
  }

  /**
   * YCSB's update replaces the given fields and keeps the others, like Redis's HMSET. When the
   * update carries every field of the record ({@code writeallfields=true}, or one-field records)
   * this is a plain overwrite, one request; otherwise the binding merges with a conditional write
   * (read, merge, write only if the record is unchanged, retry on conflict), which costs a read.
   */
  final boolean coversWholeRecord(Map<String, ByteIterator> values) {
    return values.size() >= fieldCount;
  }

  static HttpResponse<byte[]> send(HttpRequest request) throws IOException, InterruptedException {
    return Shared.CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The status for a request that got no HTTP answer. */
  static Status failed(String what, Exception e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    log(what + ": " + e);
    return e instanceof HttpTimeoutException ? Status.SERVICE_UNAVAILABLE : Status.ERROR;
  }

  /** The status for an HTTP answer the operation did not expect. */
  static Status unexpected(String what, HttpResponse<byte[]> response) {
    int code = response.statusCode();
    String body = new String(response.body(), StandardCharsets.UTF_8);
    log(what + ": HTTP " + code + " " + body.substring(0, Math.min(200, body.length())));
    return switch (code) {
      case 429, 503, 504 -> Status.SERVICE_UNAVAILABLE;
      case 400, 413 -> Status.BAD_REQUEST;
      default -> Status.ERROR;
    };
  }

  static void log(String message) {
    int n = LOGGED_FAILURES.incrementAndGet();
    if (n <= MAX_LOGGED_FAILURES) {
      System.err.println("[" + Thread.currentThread().getName() + "] " + message);
      if (n == MAX_LOGGED_FAILURES) {
        System.err.println("(further failures are counted by YCSB, not printed)");
      }
    }
  }
}
