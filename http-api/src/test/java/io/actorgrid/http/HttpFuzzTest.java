package io.actorgrid.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorgrid.grid.Grid;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * Random requests against every route of a real node over real sockets: random methods, paths
 * (valid and broken percent-encoding, actions, long segments, queries), headers (content types,
 * conditions, idempotency keys, content encodings), bodies (JSON shaped like each route's, random
 * bytes, gzip) and framing (Content-Length or chunked). A try passes when the node answers within
 * 30 s with a status other than 500; after all tries the node must still be ready and serve.
 *
 * <p>The default run is {@code jqwik.tries.default} tries (1000, in junit-platform.properties;
 * about 10 s); a longer one: {@code mvn -B -pl http-api -am verify -Dtest=HttpFuzzTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Djqwik.tries.default=50000}.
 *
 * <p>It found one bug at once: an empty map segment ({@code GET /v1/maps//entries}) made the
 * request metrics throw, which Pekko answered with a plain-text 500 (see GridRoutesTest).
 */
class HttpFuzzTest {
  private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);

  private static Grid grid;
  private static String base;
  private static Path dataDir;

  @BeforeContainer
  static void startNode() throws Exception {
    Path dir = Files.createTempDirectory("actorgrid-fuzz");
    dataDir = dir;
    Config config =
        ConfigFactory.parseString(
                "actorgrid.data-dir = \""
                    + dir
                    + "\"\nactorgrid.cluster.port = 0\nactorgrid.http.port = 0\n"
                    // Fewer partitions than the shipped 128 so the node starts faster; the
                    // routes' answers do not depend on the number.
                    + "actorgrid.partitions = 16")
            .withFallback(ConfigFactory.load());
    grid = Grid.start(config, PrometheusMetrics.newRegistry());
    grid.awaitReady(Duration.ofSeconds(60));
    ServerBinding binding =
        GridHttpServer.start(grid, HttpSettings.from(config))
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  @AfterContainer
  static void nodeStillServes() throws Exception {
    try {
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<String> ready =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, ready.statusCode(), ready.body());
      HttpResponse<String> put =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/v1/maps/after-fuzz/entries/k"))
                  .header("Content-Type", "text/plain")
                  .PUT(HttpRequest.BodyPublishers.ofString("ok"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(201, put.statusCode(), put.body());
    } finally {
      grid.close();
      try (var files = Files.walk(dataDir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** One request as the fuzzer sends it. */
  record Fuzz(String method, String target, List<String> headers, byte[] body, Framing framing) {
    @Override
    public String toString() {
      return method
          + " "
          + target
          + " "
          + headers
          + " "
          + framing
          + " body("
          + body.length
          + "): "
          + new String(body, 0, Math.min(body.length, 200), ISO_8859_1);
    }
  }

  enum Framing {
    CONTENT_LENGTH,
    CHUNKED,
    NONE
  }

  @Property
  void noRequestGetsA500OrHangs(@ForAll("requests") Fuzz fuzz) throws Exception {
    RawHttp.Response reply = RawHttp.exchange(base, bytes(fuzz), ANSWER_TIMEOUT);
    // Every request gets an answer: a connection closed without one hides a crash.
    assertNotEquals(-1, reply.status(), () -> "no answer to " + fuzz);
    assertNotEquals(500, reply.status(), () -> fuzz + "\n-> " + reply.text());
    assertTrue(reply.status() >= 200 && reply.status() < 600, () -> fuzz + " -> " + reply.status());
  }

  private static byte[] bytes(Fuzz fuzz) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringBuilder head = new StringBuilder();
    head.append(fuzz.method()).append(' ').append(fuzz.target()).append(" HTTP/1.1\r\n");
    head.append("Host: localhost\r\nConnection: close\r\n");
    for (String header : fuzz.headers()) {
      head.append(header).append("\r\n");
    }
    switch (fuzz.framing()) {
      case CONTENT_LENGTH ->
          head.append("Content-Length: ").append(fuzz.body().length).append("\r\n");
      case CHUNKED -> head.append("Transfer-Encoding: chunked\r\n");
      case NONE -> {}
    }
    head.append("\r\n");
    out.write(head.toString().getBytes(UTF_8));
    switch (fuzz.framing()) {
      case CONTENT_LENGTH -> out.write(fuzz.body());
      case CHUNKED -> {
        int half = fuzz.body().length / 2;
        for (int[] part : new int[][] {{0, half}, {half, fuzz.body().length}}) {
          int length = part[1] - part[0];
          if (length > 0) {
            out.write((Integer.toHexString(length) + "\r\n").getBytes(ISO_8859_1));
            out.write(fuzz.body(), part[0], length);
            out.write("\r\n".getBytes(ISO_8859_1));
          }
        }
        out.write("0\r\n\r\n".getBytes(ISO_8859_1));
      }
      case NONE -> {}
    }
    return out.toByteArray();
  }

  @Provide
  Arbitrary<Fuzz> requests() {
    return Combinators.combine(
            method(), target(), Arbitraries.oneOf(headers()).list().ofMaxSize(5), body(), framing())
        .as(
            (method, target, headers, body, framing) -> {
              List<String> all = new java.util.ArrayList<>(headers);
              byte[] sent = body;
              if (all.stream().anyMatch(h -> h.equals("Content-Encoding: gzip"))) {
                sent = gzip(body);
              }
              return new Fuzz(method, target, all, sent, framing);
            });
  }

  private static Arbitrary<String> method() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(10, Arbitraries.of("GET", "HEAD", "PUT", "POST", "DELETE", "PATCH")),
        net.jqwik.api.Tuple.of(2, Arbitraries.of("OPTIONS", "TRACE", "CONNECT", "PROPFIND")),
        net.jqwik.api.Tuple.of(
            1, Arbitraries.strings().withCharRange('A', 'Z').ofMinLength(1).ofMaxLength(12)),
        net.jqwik.api.Tuple.of(1, Arbitraries.strings().ofMinLength(1).ofMaxLength(8)));
  }

  private static Arbitrary<String> target() {
    Arbitrary<String> map = segment();
    Arbitrary<String> key = segment();
    Arbitrary<String> path =
        Arbitraries.oneOf(
            Arbitraries.of(
                "/v1/maps",
                "/v1/maps/",
                "/v1/cluster",
                "/v1/openapi.json",
                "/health/live",
                "/health/ready",
                "/metrics",
                "/",
                "/v1",
                "/v2/maps"),
            map.map(m -> "/v1/maps/" + m),
            map.map(m -> "/v1/maps/" + m + "/entries"),
            Combinators.combine(map, key).as((m, k) -> "/v1/maps/" + m + "/entries/" + k),
            Combinators.combine(map, key)
                .as((m, k) -> "/v1/maps/" + m + "/entries/" + k + ":increment"),
            Combinators.combine(map, Arbitraries.of("batch", "clear", "export", "", ":"))
                .as((m, a) -> "/v1/maps/" + m + ":" + a),
            Combinators.combine(map, key, key)
                .as((m, a, b) -> "/v1/maps/" + m + "/entries/" + a + "/" + b));
    Arbitrary<String> query =
        Combinators.combine(
                Arbitraries.of("ttl", "limit", "cursor", "prefix", "values", "x", ""),
                Arbitraries.oneOf(
                    Arbitraries.of("1s", "0s", "-5m", "3651d", "10", "0", "-1", "true", "abc"),
                    segment()))
            .as((name, value) -> name + "=" + value)
            .list()
            .ofMaxSize(3)
            .map(pairs -> pairs.isEmpty() ? "" : "?" + String.join("&", pairs));
    return Combinators.combine(path, query).as((p, q) -> p + q);
  }

  /** A path segment: plain, percent-encoded UTF-8, broken encodings, odd characters, long. */
  private static Arbitrary<String> segment() {
    return Arbitraries.oneOf(
        Arbitraries.strings()
            .alpha()
            .numeric()
            .withChars('-', '_', '.')
            .ofMinLength(1)
            .ofMaxLength(20),
        Arbitraries.strings().ofMinLength(0).ofMaxLength(20).map(s -> RouteTestSupport.encode(s)),
        Arbitraries.of("%", "%2", "%zz", "%00", "%2F", "%C3%28", "..", ".", "%2e%2e", "a%20b", "é"),
        Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(12),
        Arbitraries.integers().between(1000, 4000).map("k"::repeat));
  }

  private static Arbitrary<String> headers() {
    Arbitrary<String> contentType =
        Arbitraries.of(
                "application/json",
                "application/merge-patch+json",
                "text/plain",
                "text/plain; charset=UTF-16",
                "application/octet-stream",
                "application/vnd.x+json",
                "application/json; charset=latin1",
                "multipart/form-data; boundary=x",
                "garbage",
                "",
                "application/")
            .map(t -> "Content-Type: " + t);
    Arbitrary<String> condition =
        Combinators.combine(
                Arbitraries.of("If-Match", "If-None-Match"),
                Arbitraries.of(
                    "\"1\"", "*", "W/\"1\"", "\"x\"", "\"99999999999999999999\"", "", "1"))
            .as((name, value) -> name + ": " + value);
    Arbitrary<String> idempotency =
        Arbitraries.strings()
            .withCharRange(' ', '~')
            .ofMaxLength(300)
            .map(k -> "Idempotency-Key: " + k);
    Arbitrary<String> encoding =
        Arbitraries.of("gzip", "deflate", "br", "identity", "x-unknown")
            .map(e -> "Content-Encoding: " + e);
    Arbitrary<String> other =
        Arbitraries.of(
            "Accept: application/json",
            "Accept: */*",
            "Accept-Encoding: gzip",
            "Expect: 100-continue",
            "Expect: something-else",
            "X-Forwarded-For: 10.0.0.1",
            "Authorization: Bearer abc",
            "Range: bytes=0-1");
    Arbitrary<String> random =
        Combinators.combine(
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(10),
                Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(100))
            .as((n, v) -> "X-" + n + ": " + v);
    return Arbitraries.oneOf(contentType, condition, idempotency, encoding, other, random);
  }

  private static Arbitrary<byte[]> body() {
    Arbitrary<String> json =
        Arbitraries.oneOf(
            Arbitraries.of(
                "{}",
                "[]",
                "null",
                "1",
                "\"x\"",
                "{\"delta\":5}",
                "{\"delta\":9223372036854775807}",
                "{\"delta\":1.5}",
                "{\"defaultTtl\":\"30s\",\"maxValueBytes\":10}",
                "{\"defaultTtl\":5}",
                "{\"maxValueBytes\":-1}",
                "{\"items\":[]}",
                "{\"items\":[{\"op\":\"put\",\"key\":\"a\",\"value\":{\"x\":1}}]}",
                "{\"items\":[{\"op\":\"get\",\"key\":\"a\"},{\"op\":\"delete\",\"key\":\"a\",\"ifVersion\":1}]}",
                "{\"items\":[{\"op\":\"nope\"}]}",
                "{\"items\":[{\"op\":\"put\",\"key\":\"a\",\"value\":\"x\",\"ttl\":\"-1s\"}]}",
                "{\"items\":{}}",
                "{\"a\":",
                "{\"a\":1}{\"b\":2}"),
            Arbitraries.strings()
                .ofMaxLength(200)
                .map(s -> "{\"x\":\"" + s.replace("\"", "") + "\"}"));
    return Arbitraries.oneOf(
        json.map(s -> s.getBytes(UTF_8)),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(2048),
        Arbitraries.just(new byte[0]));
  }

  private static Arbitrary<Framing> framing() {
    return Arbitraries.of(Framing.class);
  }

  private static byte[] gzip(byte[] body) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
        zip.write(body);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
