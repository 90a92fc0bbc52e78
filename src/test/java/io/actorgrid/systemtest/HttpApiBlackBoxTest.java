package io.actorgrid.systemtest;

import static io.actorgrid.systemtest.GridHttpClient.describe;
import static io.actorgrid.systemtest.GridHttpClient.encode;
import static io.actorgrid.systemtest.GridHttpClient.entriesPath;
import static io.actorgrid.systemtest.GridHttpClient.entryPath;
import static io.actorgrid.systemtest.GridHttpClient.etag;
import static io.actorgrid.systemtest.GridHttpClient.mediaType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's walk-through of HTTP API v1 as a user does it with curl, against one real node
 * process for the whole class. Each test uses its own map, so tests do not depend on each other or
 * on their order.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class HttpApiBlackBoxTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String APPLICATION_JSON = "application/json";
  private static final String PROBLEM_JSON = "application/problem+json";

  @TempDir static Path workDir;

  private static NodeProcess node;
  private static GridHttpClient http;

  @RegisterExtension static final NodeLogOnFailure NODE_LOG = NodeLogOnFailure.forNode(() -> node);

  @BeforeAll
  static void startNode() throws Exception {
    node = NodeProcess.start(workDir.resolve("node-data"), NodePorts.free(), Map.of());
    node.awaitReady(NodeProcess.READY_TIMEOUT);
    http = new GridHttpClient(node.baseUri());
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void putCreatesWith201ThenReplacesWith200() throws Exception {
    HttpResponse<String> created = http.put("users", "ada", APPLICATION_JSON, "{\"name\":\"Ada\"}");
    assertEquals(201, created.statusCode(), () -> describe(created));
    long first = assertWriteReply(created, "users", "ada");

    HttpResponse<String> replaced =
        http.put("users", "ada", APPLICATION_JSON, "{\"name\":\"Ada Lovelace\"}");
    assertEquals(200, replaced.statusCode(), () -> describe(replaced));
    long second = assertWriteReply(replaced, "users", "ada");
    assertTrue(second > first, "the version must increase on replace: " + first + ", " + second);
  }

  @Test
  void getReturnsTheStoredBodyContentTypeAndVersion() throws Exception {
    String json = "{\"name\":\"Grace\",\"languages\":[\"COBOL\",\"FLOW-MATIC\"]}";
    long version =
        assertWriteReply(http.put("people", "grace", APPLICATION_JSON, json), "people", "grace");

    HttpResponse<String> read = http.get("people", "grace");
    assertEquals(200, read.statusCode(), () -> describe(read));
    assertEquals(json, read.body());
    assertEquals(APPLICATION_JSON, mediaType(read), () -> describe(read));
    assertEquals(OptionalLong.of(version), GridHttpClient.version(read), () -> describe(read));

    String text = "héllo wörld";
    long textVersion =
        assertWriteReply(
            http.put("people", "note", "text/plain; charset=UTF-8", text), "people", "note");
    HttpResponse<String> readText = http.get("people", "note");
    assertEquals(200, readText.statusCode(), () -> describe(readText));
    assertEquals(text, readText.body());
    assertEquals("text/plain", mediaType(readText), () -> describe(readText));
    assertEquals(OptionalLong.of(textVersion), GridHttpClient.version(readText));
  }

  @Test
  void ifNoneMatchWithTheCurrentVersionIs304() throws Exception {
    long version =
        assertWriteReply(
            http.put("cache", "page", APPLICATION_JSON, "{\"title\":\"home\"}"), "cache", "page");

    HttpResponse<String> unchanged = http.get("cache", "page", "If-None-Match", etag(version));
    assertEquals(304, unchanged.statusCode(), () -> describe(unchanged));
    assertEquals("", unchanged.body());

    HttpResponse<String> changed = http.get("cache", "page", "If-None-Match", etag(version + 1000));
    assertEquals(200, changed.statusCode(), () -> describe(changed));
    assertEquals("{\"title\":\"home\"}", changed.body());
  }

  @Test
  void conditionalPutRejectsAStaleVersionAndAnExistingKey() throws Exception {
    long first =
        assertWriteReply(
            http.put("accounts", "linus", APPLICATION_JSON, "{\"v\":1}"), "accounts", "linus");
    long second =
        assertWriteReply(
            http.put("accounts", "linus", APPLICATION_JSON, "{\"v\":2}"), "accounts", "linus");

    HttpResponse<String> stale =
        http.put("accounts", "linus", APPLICATION_JSON, "{\"v\":3}", "If-Match", etag(first));
    assertProblem(stale, 412);
    assertTrue(
        JSON.readTree(stale.body()).path("detail").asText().contains(Long.toString(second)),
        () -> "the detail should name the current version " + second + ": " + describe(stale));
    HttpResponse<String> exists =
        http.put("accounts", "linus", APPLICATION_JSON, "{\"v\":3}", "If-None-Match", "*");
    assertProblem(exists, 412);
    HttpResponse<String> unchanged = http.get("accounts", "linus");
    assertEquals("{\"v\":2}", unchanged.body(), () -> describe(unchanged));
    assertEquals(OptionalLong.of(second), GridHttpClient.version(unchanged));

    HttpResponse<String> current =
        http.put("accounts", "linus", APPLICATION_JSON, "{\"v\":3}", "If-Match", etag(second));
    assertEquals(200, current.statusCode(), () -> describe(current));
    assertTrue(assertWriteReply(current, "accounts", "linus") > second);

    // If-Match: * writes only over an existing record.
    assertProblem(
        http.put("accounts", "nobody", APPLICATION_JSON, "{\"v\":1}", "If-Match", "*"), 412);
    assertProblem(http.get("accounts", "nobody"), 404);

    HttpResponse<String> createOnly =
        http.put("accounts", "margaret", APPLICATION_JSON, "{\"v\":1}", "If-None-Match", "*");
    assertEquals(201, createOnly.statusCode(), () -> describe(createOnly));
  }

  @Test
  void deleteAnswers204ThenTheEntryIsGone() throws Exception {
    long version =
        assertWriteReply(
            http.put("staff", "barbara", APPLICATION_JSON, "{\"name\":\"Barbara\"}"),
            "staff",
            "barbara");

    assertProblem(http.delete("staff", "barbara", "If-Match", etag(version + 1000)), 412);
    HttpResponse<String> deleted = http.delete("staff", "barbara");
    assertEquals(204, deleted.statusCode(), () -> describe(deleted));
    assertProblem(http.delete("staff", "barbara"), 404);
    assertProblem(http.get("staff", "barbara"), 404);
  }

  @Test
  void readingAnAbsentKeyIsA404Problem() throws Exception {
    assertProblem(http.get("staff", "nobody-ever-wrote-this"), 404);
  }

  @Test
  void listingPagesThroughExactlyTheKeysWithThePrefix() throws Exception {
    Map<String, Long> expected = new HashMap<>();
    for (int i = 0; i < 25; i++) {
      String key = String.format("item-%02d", i);
      expected.put(
          key, assertWriteReply(http.put("catalog", key, APPLICATION_JSON, "{}"), "catalog", key));
    }
    for (int i = 0; i < 3; i++) {
      assertWriteReply(
          http.put("catalog", "other-" + i, APPLICATION_JSON, "{}"), "catalog", "other-" + i);
    }

    List<Integer> pageSizes = new ArrayList<>();
    List<String> listed = new ArrayList<>();
    Map<String, Long> listedVersions = new HashMap<>();
    String cursor = null;
    // Bounded: a cursor that never ends must fail the test, not hang it.
    for (int page = 0; page < 10 && (page == 0 || cursor != null); page++) {
      String query =
          "?prefix="
              + encode("item-")
              + "&limit=10"
              + (cursor == null ? "" : "&cursor=" + encode(cursor));
      HttpResponse<String> response = http.get(entriesPath("catalog") + query);
      assertEquals(200, response.statusCode(), () -> describe(response));
      assertEquals(APPLICATION_JSON, mediaType(response), () -> describe(response));
      JsonNode body = JSON.readTree(response.body());
      JsonNode items = body.get("items");
      assertTrue(items != null && items.isArray(), () -> describe(response));
      pageSizes.add(items.size());
      for (JsonNode item : items) {
        listed.add(item.path("key").asText());
        listedVersions.put(item.path("key").asText(), item.path("version").asLong());
      }
      assertTrue(body.has("cursor"), () -> "no cursor field: " + describe(response));
      cursor = body.get("cursor").isNull() ? null : body.get("cursor").asText();
    }

    assertEquals(List.of(10, 10, 5), pageSizes, "page sizes; keys listed: " + listed);
    assertEquals(listed.stream().sorted().toList(), listed, "keys must come in key order");
    assertEquals(listed.size(), listedVersions.size(), "a key was listed twice: " + listed);
    assertEquals(expected, listedVersions);
  }

  @Test
  void listingWithValuesCarriesJsonInlineAndTextAsText() throws Exception {
    String json = "{\"title\":\"Dune\"}";
    assertWriteReply(http.put("shelf", "book-json", APPLICATION_JSON, json), "shelf", "book-json");
    assertWriteReply(
        http.put("shelf", "book-text", "text/plain; charset=UTF-8", "Dune"), "shelf", "book-text");

    HttpResponse<String> response = http.get(entriesPath("shelf") + "?prefix=book-&values=true");
    assertEquals(200, response.statusCode(), () -> describe(response));
    Map<String, JsonNode> items = new HashMap<>();
    JSON.readTree(response.body()).path("items").forEach(i -> items.put(i.path("key").asText(), i));
    assertEquals(Set.of("book-json", "book-text"), items.keySet(), () -> describe(response));
    assertEquals(
        JSON.readTree(json), items.get("book-json").get("value"), () -> describe(response));
    assertEquals(
        "Dune", items.get("book-text").path("valueText").asText(), () -> describe(response));
  }

  @Test
  void aKeyWithASpaceAndASlashRoundTrips() throws Exception {
    String key = "a b/c";
    HttpResponse<String> created = http.put("odd-keys", key, "text/plain; charset=UTF-8", "spaced");
    assertEquals(201, created.statusCode(), () -> describe(created));
    assertWriteReply(created, "odd-keys", key);

    HttpResponse<String> read = http.get("odd-keys", key);
    assertEquals(200, read.statusCode(), () -> describe(read));
    assertEquals("spaced", read.body());
    // The encoded slash is part of the key, not a path separator.
    assertProblem(http.get("odd-keys", "a b"), 404);

    HttpResponse<String> listed = http.get(entriesPath("odd-keys") + "?prefix=" + encode("a b/"));
    assertEquals(200, listed.statusCode(), () -> describe(listed));
    JsonNode items = JSON.readTree(listed.body()).path("items");
    assertEquals(1, items.size(), () -> describe(listed));
    assertEquals(key, items.get(0).path("key").asText());
  }

  @Test
  void aTwoMebibyteBodyIsA413Problem() throws Exception {
    byte[] body = new byte[2 * 1024 * 1024];
    Arrays.fill(body, (byte) 'x');
    // No Expect: 100-continue, although curl sends it for such a body: JDK 17's HttpClient hangs,
    // past its request timeout, when the server answers it with a final status instead of 100.
    HttpRequest request =
        http.request(entryPath("limits", "huge"))
            .header("Content-Type", "application/octet-stream")
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();

    assertProblem(sendRetryingConnectionErrors(request), 413);
    assertProblem(http.get("limits", "huge"), 404);
    assertNodeStillServes();
  }

  /**
   * The node answers 413 before reading the body, then closes the connection with the body unread;
   * about one time in a hundred the reset that follows reaches the client before it has read the
   * answer (the early-response race of HTTP/1.1), which the client sees as a connection error.
   */
  private static HttpResponse<String> sendRetryingConnectionErrors(HttpRequest request)
      throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return http.send(request);
      } catch (IOException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  @Test
  void invalidJsonDeclaredAsJsonIsA400Problem() throws Exception {
    assertProblem(http.put("limits", "broken", APPLICATION_JSON, "{\"name\": "), 400);
    assertProblem(http.get("limits", "broken"), 404);
    assertNodeStillServes();
  }

  @Test
  void anInvalidMapNameIsA400Problem() throws Exception {
    assertProblem(http.put("bad map!", "key", APPLICATION_JSON, "{}"), 400);
    assertNodeStillServes();
  }

  /** Checks a 200/201 write reply: body {"map","key","version"} agreeing with the ETag. */
  private static long assertWriteReply(HttpResponse<String> response, String map, String key)
      throws Exception {
    assertTrue(
        response.statusCode() == 200 || response.statusCode() == 201, () -> describe(response));
    JsonNode body = JSON.readTree(response.body());
    assertEquals(map, body.path("map").asText(), () -> describe(response));
    assertEquals(key, body.path("key").asText(), () -> describe(response));
    assertTrue(body.path("version").canConvertToLong(), () -> describe(response));
    long version = body.path("version").asLong();
    assertEquals(
        OptionalLong.of(version), GridHttpClient.version(response), () -> describe(response));
    return version;
  }

  /** Checks an RFC 9457 problem reply: its status matches, title and detail say something. */
  private static void assertProblem(HttpResponse<String> response, int status) throws Exception {
    assertEquals(status, response.statusCode(), () -> describe(response));
    assertEquals(PROBLEM_JSON, mediaType(response), () -> describe(response));
    JsonNode problem = JSON.readTree(response.body());
    assertEquals(status, problem.path("status").asInt(), () -> describe(response));
    assertTrue(problem.path("title").isTextual(), () -> "no title: " + describe(response));
    assertTrue(
        !problem.path("title").asText().isBlank(), () -> "blank title: " + describe(response));
    assertTrue(problem.path("detail").isTextual(), () -> "no detail: " + describe(response));
    assertTrue(
        !problem.path("detail").asText().isBlank(), () -> "blank detail: " + describe(response));
  }

  /** After bad input the node is still live, ready, and serves reads and writes. */
  private static void assertNodeStillServes() throws Exception {
    assertEquals(200, http.get("/health/live").statusCode());
    assertEquals(200, http.get("/health/ready").statusCode());
    HttpResponse<String> written = http.put("after-bad-input", "probe", APPLICATION_JSON, "{}");
    assertTrue(written.statusCode() == 200 || written.statusCode() == 201, () -> describe(written));
    HttpResponse<String> read = http.get("after-bad-input", "probe");
    assertEquals(200, read.statusCode(), () -> describe(read));
  }
}
