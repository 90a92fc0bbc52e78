package io.actorgrid.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorgrid.grid.Grid;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/*
 * The HTTP API of one in-JVM node, spoken to over real HTTP with java.net.http: the fixture and
 * helpers of the routes tests, one test class per resource. One node serves a whole class
 * (starting one takes seconds); every test uses its own map names, so tests do not see each
 * other's records and may run in any order. After the last test of a class, the node must still
 * serve. The node lives in static fields, so test classes run one after another (Surefire's
 * default), never in parallel.
 */
abstract class RouteTestSupport {
  // Two settings differ from the shipped ones: a value limit of 64 KiB instead of 1 MiB, so the
  // limit tests send small bodies, and 16 partitions instead of 128, so each of the nine route
  // classes starts its node faster; the routes' answers do not depend on either number.
  static final int MAX_VALUE_BYTES = 64 * 1024;
  static final int MAX_KEY_BYTES = 1024;
  static final int PARTITIONS = 16;
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern STRONG_ETAG = Pattern.compile("\"([0-9]+)\"");
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dataDir;

  static Grid grid;
  static HttpClient http;
  static String base;

  @BeforeAll
  static void startNode() throws Exception {
    Config config =
        ConfigFactory.parseString(
                "actorgrid.data-dir = \""
                    + dataDir.toString().replace("\\", "\\\\")
                    + "\"\n"
                    + "actorgrid.cluster.port = 0\n"
                    + "actorgrid.http.port = 0\n"
                    + "actorgrid.partitions = "
                    + PARTITIONS
                    + "\n"
                    + "actorgrid.limits.max-value-bytes = 64 KiB")
            .withFallback(ConfigFactory.load());
    grid = Grid.start(config, PrometheusMetrics.newRegistry());
    grid.awaitReady(Duration.ofSeconds(60));
    ServerBinding binding =
        GridHttpServer.start(grid, HttpSettings.from(config))
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
    http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(REQUEST_TIMEOUT)
            .build();
  }

  /** Checks, after everything a class sent, that its node still writes, reads and is ready. */
  @AfterAll
  static void stopNode() throws Exception {
    try {
      if (base != null) {
        var created = put("node-survived-the-class", "k", "yes", "text/plain");
        assertTrue(created.statusCode() == 201, () -> text(created));
        assertEquals("yes", text(get(entry("node-survived-the-class", "k"))));
        assertEquals(200, get(URI.create(base + "/health/ready")).statusCode());
      }
    } finally {
      base = null;
      if (grid != null) {
        grid.close();
        grid = null;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** Checks an error response: its status, its media type and its problem document. */
  static JsonNode assertProblem(HttpResponse<byte[]> reply, int status) throws IOException {
    assertEquals(status, reply.statusCode(), () -> "body: " + text(reply));
    assertEquals("application/problem+json", mediaType(reply), () -> "headers: " + reply.headers());
    JsonNode problem = JSON.readTree(reply.body());
    assertEquals(status, problem.path("status").asInt(), problem::toString);
    assertTrue(problem.path("title").isTextual(), problem::toString);
    assertFalse(problem.path("title").asText().isBlank(), problem::toString);
    assertTrue(problem.path("detail").isTextual(), problem::toString);
    assertFalse(problem.path("detail").asText().isBlank(), problem::toString);
    return problem;
  }

  static HttpRequest.Builder request(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT);
  }

  static HttpResponse<byte[]> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return http.send(request.build(), BodyHandlers.ofByteArray());
  }

  static CompletableFuture<HttpResponse<byte[]>> sendAsync(HttpRequest.Builder request) {
    return http.sendAsync(request.build(), BodyHandlers.ofByteArray());
  }

  static HttpResponse<byte[]> get(URI uri, String... headers)
      throws IOException, InterruptedException {
    return send(withHeaders(request(uri), headers).GET());
  }

  static HttpResponse<byte[]> delete(URI uri, String... headers)
      throws IOException, InterruptedException {
    return send(withHeaders(request(uri), headers).DELETE());
  }

  static HttpResponse<byte[]> put(
      String map, String key, String value, String contentType, String... headers)
      throws IOException, InterruptedException {
    return put(map, key, value.getBytes(UTF_8), contentType, headers);
  }

  static HttpResponse<byte[]> put(
      String map, String key, byte[] value, String contentType, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = withHeaders(request(entry(map, key)), headers);
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return send(request.PUT(BodyPublishers.ofByteArray(value)));
  }

  /** A PUT whose body goes chunked: an InputStream publisher sends no Content-Length. */
  static HttpResponse<byte[]> putChunked(String map, String key, byte[] value)
      throws IOException, InterruptedException {
    BodyPublisher body = BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(value));
    assertEquals(-1, body.contentLength());
    return send(
        request(entry(map, key)).header("Content-Type", "application/octet-stream").PUT(body));
  }

  static URI mapUri(String map) {
    return URI.create(base + "/v1/maps/" + encode(map));
  }

  static URI increment(String map, String key) {
    return URI.create(base + "/v1/maps/" + encode(map) + "/entries/" + encode(key) + ":increment");
  }

  static HttpRequest.Builder putRequest(
      String map, String key, String value, String contentType, String query) {
    return request(URI.create(entry(map, key) + query))
        .header("Content-Type", contentType)
        .PUT(BodyPublishers.ofString(value));
  }

  static HttpResponse<byte[]> putJson(URI uri, String body, String... headers)
      throws IOException, InterruptedException {
    return send(
        withHeaders(request(uri), headers)
            .header("Content-Type", "application/json")
            .PUT(BodyPublishers.ofString(body)));
  }

  static HttpResponse<byte[]> post(URI uri, String body, String contentType, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = withHeaders(request(uri), headers);
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return send(request.POST(BodyPublishers.ofString(body)));
  }

  static HttpResponse<byte[]> patch(URI uri, String body, String... headers)
      throws IOException, InterruptedException {
    return send(
        withHeaders(request(uri), headers)
            .header("Content-Type", "application/merge-patch+json")
            .method("PATCH", BodyPublishers.ofString(body)));
  }

  static HttpRequest.Builder batchRequest(String map, String body) {
    return request(URI.create(base + "/v1/maps/" + encode(map) + ":batch"))
        .header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString(body));
  }

  static HttpResponse<byte[]> batch(String map, String body)
      throws IOException, InterruptedException {
    return send(batchRequest(map, body));
  }

  static HttpRequest.Builder withHeaders(HttpRequest.Builder request, String... headers) {
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return request;
  }

  static URI entry(String map, String key) {
    return URI.create(base + "/v1/maps/" + encode(map) + "/entries/" + encode(key));
  }

  /** The listing URI; params are name, value pairs, a null value leaves the pair out. */
  static URI list(String map, String... params) {
    StringBuilder uri = new StringBuilder(base + "/v1/maps/" + encode(map) + "/entries");
    char separator = '?';
    for (int i = 0; i < params.length; i += 2) {
      if (params[i + 1] != null) {
        uri.append(separator).append(params[i]).append('=').append(encode(params[i + 1]));
        separator = '&';
      }
    }
    return URI.create(uri.toString());
  }

  static List<String> listKeys(String map, String... params) throws Exception {
    List<String> all = new ArrayList<>(Arrays.asList(params));
    all.add("limit");
    all.add("1000");
    var reply = get(list(map, all.toArray(String[]::new)));
    assertEquals(200, reply.statusCode(), () -> text(reply));
    JsonNode body = json(reply);
    assertTrue(body.get("cursor").isNull());
    return keysOf(body);
  }

  static List<String> keysOf(JsonNode listing) {
    List<String> keys = new ArrayList<>();
    listing.get("items").forEach(item -> keys.add(item.get("key").asText()));
    return keys;
  }

  static Map<String, JsonNode> itemsByKey(JsonNode listing) {
    Map<String, JsonNode> items = new LinkedHashMap<>();
    listing.get("items").forEach(item -> items.put(item.get("key").asText(), item));
    return items;
  }

  /** Percent-encodes every byte of the UTF-8 form except RFC 3986's unreserved characters. */
  static String encode(String segment) {
    StringBuilder out = new StringBuilder();
    for (byte b : segment.getBytes(UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(String.format("%02X", c));
      }
    }
    return out.toString();
  }

  static String header(HttpResponse<?> reply, String name) {
    return reply
        .headers()
        .firstValue(name)
        .orElseThrow(() -> new AssertionError("no " + name + " header in " + reply.headers()));
  }

  static String mediaType(HttpResponse<?> reply) {
    return reply.headers().firstValue("Content-Type").orElse("").split(";")[0].trim();
  }

  static Set<String> allowed(HttpResponse<?> reply) {
    return reply.headers().allValues("Allow").stream()
        .flatMap(v -> Arrays.stream(v.split(",")))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toSet());
  }

  /** The version in a strong ETag header, which the API always sends. */
  static long etagVersion(HttpResponse<byte[]> reply) {
    String etag = header(reply, "ETag");
    Matcher m = STRONG_ETAG.matcher(etag);
    assertTrue(m.matches(), "a strong ETag holding a version: " + etag);
    return Long.parseLong(m.group(1));
  }

  static JsonNode json(HttpResponse<byte[]> reply) throws IOException {
    return JSON.readTree(reply.body());
  }

  static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new HashSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  static String text(HttpResponse<byte[]> reply) {
    return new String(reply.body(), UTF_8);
  }

  /** Bytes that vary along the value, so that a shifted or cut copy does not compare equal. */
  static byte[] pattern(int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (i * 31 + (i >>> 8));
    }
    return bytes;
  }
}
