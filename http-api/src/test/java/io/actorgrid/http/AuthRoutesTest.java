package io.actorgrid.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorgrid.grid.Grid;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/*
 * Tokens over real HTTP on one in-JVM node started with a bootstrap admin token: the access matrix
 * (no token, a bad, an expired and a revoked one, read, write, admin on some maps, and the
 * bootstrap admin) on every kind of route, the token routes' answers, history naming the writer,
 * and tokens surviving a restart. The shipped settings but for the admin token (authentication is
 * off without one) and, as in RouteTestSupport, 16 partitions so the node starts faster.
 */
class AuthRoutesTest {
  static final String ADMIN = "bootstrap-admin-token-for-tests-0123456789";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dataDir;
  static Grid grid;
  static String base;
  static HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(30))
          .build();
  static final AtomicInteger names = new AtomicInteger();

  @BeforeAll
  static void startNode() throws Exception {
    Config config =
        ConfigFactory.parseString(
                "actorgrid.data-dir = \""
                    + dataDir.toString().replace("\\", "\\\\")
                    + "\"\n"
                    + "actorgrid.cluster.port = 0\n"
                    + "actorgrid.http.port = 0\n"
                    // 16 partitions, as the other route tests (RouteTestSupport): the node starts
                    // faster, and who may do what does not depend on the number.
                    + "actorgrid.partitions = 16\n"
                    + "actorgrid.auth.admin-token = \""
                    + ADMIN
                    + "\"")
            .withFallback(ConfigFactory.load());
    grid = Grid.start(config, PrometheusMetrics.newRegistry());
    grid.awaitReady(Duration.ofSeconds(60));
    ServerBinding binding =
        GridHttpServer.start(grid, HttpSettings.from(config))
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  @AfterAll
  static void stopNode() {
    if (grid != null) {
      grid.close();
      grid = null;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The access matrix

  /** The least a route needs. */
  enum Need {
    NOTHING,
    ANY_TOKEN,
    READ,
    WRITE,
    ADMIN_ON_MAP,
    /** Read on every map (a grant on "*") or more: here, only the bootstrap admin has one. */
    ON_EVERY_MAP
  }

  record Call(String name, String method, String path, String body, Need need) {}

  /** One call of every kind of route, on map {@code map} (which the scoped tokens' globs match). */
  static List<Call> calls(String map) {
    String e = "/v1/maps/" + map + "/entries/k";
    String json = "{\"a\":1}";
    return List.of(
        new Call("GET entry", "GET", e, null, Need.READ),
        new Call("HEAD entry", "HEAD", e, null, Need.READ),
        new Call("GET entry ?version=", "GET", e + "?version=1", null, Need.READ),
        new Call("GET entry ?asOf=", "GET", e + "?asOf=2020-01-01T00:00:00Z", null, Need.READ),
        new Call("GET history", "GET", e + "/history", null, Need.READ),
        new Call("GET list", "GET", "/v1/maps/" + map + "/entries", null, Need.READ),
        new Call("GET map changes", "GET", "/v1/maps/" + map + "/changes", null, Need.READ),
        new Call("GET map", "GET", "/v1/maps/" + map, null, Need.READ),
        new Call("PUT entry", "PUT", e, json, Need.WRITE),
        new Call("PATCH entry", "PATCH", e, "{\"b\":2}", Need.WRITE),
        new Call(
            "POST increment", "POST", "/v1/maps/" + map + "/entries/n:increment", "", Need.WRITE),
        new Call(
            "POST batch",
            "POST",
            "/v1/maps/" + map + ":batch",
            "{\"items\":[{\"op\":\"get\",\"key\":\"k\"}]}",
            Need.WRITE),
        new Call("DELETE entry", "DELETE", e, null, Need.WRITE),
        new Call(
            "PUT map settings",
            "PUT",
            "/v1/maps/" + map,
            "{\"maxValueBytes\":1024}",
            Need.ADMIN_ON_MAP),
        new Call("POST clear", "POST", "/v1/maps/" + map + ":clear", "", Need.ADMIN_ON_MAP),
        new Call("DELETE map", "DELETE", "/v1/maps/" + map, null, Need.ADMIN_ON_MAP),
        new Call("GET maps", "GET", "/v1/maps", null, Need.ANY_TOKEN),
        new Call("GET changes", "GET", "/v1/changes", null, Need.ON_EVERY_MAP),
        new Call("GET tokens", "GET", "/v1/auth/tokens", null, Need.ON_EVERY_MAP),
        new Call(
            "POST tokens",
            "POST",
            "/v1/auth/tokens",
            "{\"name\":\"" + uniqueName("made") + "\",\"grants\":[]}",
            Need.ON_EVERY_MAP),
        new Call("DELETE token", "DELETE", "/v1/auth/tokens/nosuchtoken", null, Need.ON_EVERY_MAP),
        new Call("GET cluster", "GET", "/v1/cluster", null, Need.ANY_TOKEN),
        new Call("GET metrics", "GET", "/metrics", null, Need.ANY_TOKEN),
        new Call("GET openapi", "GET", "/v1/openapi.json", null, Need.NOTHING),
        new Call("GET health live", "GET", "/health/live", null, Need.NOTHING),
        new Call("GET health ready", "GET", "/health/ready", null, Need.NOTHING));
  }

  /** What a token reaches: the highest Need it satisfies on the test's maps. */
  enum Holder {
    NONE,
    BAD,
    EXPIRED,
    REVOKED,
    READ,
    WRITE,
    ADMIN_ON_MAPS,
    ADMIN
  }

  static boolean allowed(Holder holder, Need need) {
    if (need == Need.NOTHING) {
      return true;
    }
    return switch (holder) {
      case NONE, BAD, EXPIRED, REVOKED -> false;
      case READ -> need == Need.ANY_TOKEN || need == Need.READ;
      case WRITE -> need == Need.ANY_TOKEN || need == Need.READ || need == Need.WRITE;
      case ADMIN_ON_MAPS -> need != Need.ON_EVERY_MAP;
      case ADMIN -> true;
    };
  }

  @Test
  void everyRouteAnswersEachKindOfTokenAsItsAccessAllows() throws Exception {
    String prefix = uniqueName("matrix");
    Map<Holder, String> tokens = new LinkedHashMap<>();
    tokens.put(Holder.NONE, null);
    tokens.put(Holder.BAD, "agt.nobody.c2VjcmV0LXRoYXQtd2FzLW5ldmVyLW1hZGUtYnktdGhlLWdyaWQ");
    tokens.put(Holder.EXPIRED, expiredToken(prefix + "*"));
    tokens.put(Holder.REVOKED, revokedToken(prefix + "*"));
    tokens.put(Holder.READ, createToken(grant(prefix + "*", "read")));
    tokens.put(Holder.WRITE, createToken(grant(prefix + "*", "write")));
    tokens.put(Holder.ADMIN_ON_MAPS, createToken(grant(prefix + "*", "admin")));
    tokens.put(Holder.ADMIN, ADMIN);

    List<String> wrong = new ArrayList<>();
    for (var holder : tokens.entrySet()) {
      String map = prefix + "-" + holder.getKey().name().toLowerCase();
      // Give the map a record first (as the admin), so reads of an existing map are refused too.
      assertStatus(201, send("PUT", "/v1/maps/" + map + "/entries/k", "{\"a\":0}", ADMIN));
      for (Call call : calls(map)) {
        HttpResponse<byte[]> reply =
            send(call.method(), call.path(), call.body(), holder.getValue());
        int status = reply.statusCode();
        boolean expectAllowed = allowed(holder.getKey(), call.need());
        int expected = holder.getKey().ordinal() <= Holder.REVOKED.ordinal() ? 401 : 403;
        if (expectAllowed ? status == 401 || status == 403 : status != expected) {
          wrong.add(
              holder.getKey()
                  + " "
                  + call.name()
                  + ": "
                  + status
                  + (expectAllowed ? " (should pass)" : " (should be " + expected + ")"));
        } else if (!expectAllowed && !call.method().equals("HEAD")) {
          assertRefusal(reply, expected);
        }
      }
    }
    assertEquals(List.of(), wrong);
  }

  @Test
  void aTokenScopedToSomeMapsIsRefusedOnOthersWhetherTheyExistOrNot() throws Exception {
    String mine = uniqueName("scoped");
    String token = createToken(grant(mine, "write"));
    String existing = uniqueName("others");
    assertStatus(201, send("PUT", "/v1/maps/" + existing + "/entries/k", "1", ADMIN));
    HttpResponse<byte[]> onExisting =
        send("GET", "/v1/maps/" + existing + "/entries/k", null, token);
    HttpResponse<byte[]> onMissing =
        send("GET", "/v1/maps/" + uniqueName("missing") + "/entries/k", null, token);
    assertRefusal(onExisting, 403);
    assertRefusal(onMissing, 403);
    HttpResponse<byte[]> noTokenExisting =
        send("GET", "/v1/maps/" + existing + "/entries/k", null, null);
    HttpResponse<byte[]> noTokenMissing =
        send("GET", "/v1/maps/" + uniqueName("missing") + "/entries/k", null, null);
    assertEquals(
        new String(noTokenExisting.body(), UTF_8), new String(noTokenMissing.body(), UTF_8));
    // A glob without '*' names exactly one map.
    assertStatus(201, send("PUT", "/v1/maps/" + mine + "/entries/k", "1", token));
    assertRefusal(send("PUT", "/v1/maps/" + mine + "x/entries/k", "1", token), 403);
    // Percent-encoding does not get around the check: the map is the decoded name.
    String encoded = "%" + Integer.toHexString(existing.charAt(0)) + existing.substring(1);
    assertRefusal(send("GET", "/v1/maps/" + encoded + "/entries/k", null, token), 403);
  }

  @Test
  void onlyABearerTokenAuthenticatesAndTheSchemeIsCaseInsensitive() throws Exception {
    String token = createToken(grant("*", "read"));
    for (String header : List.of("bearer " + token, "BEARER " + token, "Bearer  " + token)) {
      var reply =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/v1/maps"))
                  .header("Authorization", header)
                  .build(),
              BodyHandlers.ofByteArray());
      assertEquals(200, reply.statusCode(), header);
    }
    for (String header :
        List.of("Basic " + token, token, "Bearer", "Bearer " + token + "x", "Bearer agt..x")) {
      var reply =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/v1/maps"))
                  .header("Authorization", header)
                  .build(),
              BodyHandlers.ofByteArray());
      assertRefusal(reply, 401);
    }
  }

  @Test
  void theListOfMapsShowsOnlyTheMapsATokenMayRead() throws Exception {
    String prefix = uniqueName("listed");
    assertStatus(201, send("PUT", "/v1/maps/" + prefix + "-a/entries/k", "1", ADMIN));
    assertStatus(201, send("PUT", "/v1/maps/other-" + prefix + "/entries/k", "1", ADMIN));
    String token = createToken(grant(prefix + "*", "read"));
    List<String> seen = new ArrayList<>();
    json(send("GET", "/v1/maps", null, token))
        .get("maps")
        .forEach(m -> seen.add(m.get("name").asText()));
    assertEquals(List.of(prefix + "-a"), seen);
    List<String> all = new ArrayList<>();
    json(send("GET", "/v1/maps", null, ADMIN))
        .get("maps")
        .forEach(m -> all.add(m.get("name").asText()));
    assertTrue(all.contains("other-" + prefix), all::toString);
    assertFalse(
        all.stream().anyMatch(n -> n.startsWith("_")), "the token map is not listed: " + all);
  }

  // ---------------------------------------------------------------------------------------------
  // The token routes

  @Test
  void aTokenIsShownOnceAndListedWithoutItsSecret() throws Exception {
    String name = uniqueName("listed-token");
    HttpResponse<byte[]> created =
        send(
            "POST",
            "/v1/auth/tokens",
            "{\"name\":\""
                + name
                + "\",\"grants\":[{\"maps\":\"users*\",\"access\":\"read\"},"
                + "{\"maps\":\"orders\",\"access\":\"write\"}],\"ttl\":\"30d\"}",
            ADMIN);
    assertStatus(201, created);
    JsonNode body = json(created);
    assertEquals(name, body.get("name").asText());
    String token = body.get("token").asText();
    assertTrue(token.startsWith("agt." + name + "."), token);
    assertNotNull(body.get("expiresAt").textValue());
    assertEquals("no-store", created.headers().firstValue("Cache-Control").orElse(null));

    HttpResponse<byte[]> listed = send("GET", "/v1/auth/tokens", null, ADMIN);
    assertStatus(200, listed);
    String listing = new String(listed.body(), UTF_8);
    assertFalse(listing.contains(token.substring(token.lastIndexOf('.') + 1)), listing);
    assertFalse(listing.contains("sha256"), listing);
    JsonNode item = null;
    for (JsonNode t : json(listed).get("tokens")) {
      if (t.get("name").asText().equals(name)) {
        item = t;
      }
    }
    assertNotNull(item, listing);
    assertEquals(
        JSON.readTree(
            "[{\"maps\":\"users*\",\"access\":\"read\"},{\"maps\":\"orders\",\"access\":\"write\"}]"),
        item.get("grants"));
    assertEquals(body.get("expiresAt"), item.get("expiresAt"));
    assertEquals("admin", item.get("createdBy").asText());

    HttpResponse<byte[]> noTtl =
        send(
            "POST",
            "/v1/auth/tokens",
            "{\"name\":\"" + uniqueName("forever") + "\",\"grants\":[]}",
            ADMIN);
    assertStatus(201, noTtl);
    assertTrue(json(noTtl).get("expiresAt").isNull());
  }

  @Test
  void aDuplicateNameIsAConflict() throws Exception {
    String name = uniqueName("dup");
    String body = "{\"name\":\"" + name + "\",\"grants\":[]}";
    assertStatus(201, send("POST", "/v1/auth/tokens", body, ADMIN));
    assertRefusalOrProblem(send("POST", "/v1/auth/tokens", body, ADMIN), 409);
    assertRefusalOrProblem(
        send("POST", "/v1/auth/tokens", "{\"name\":\"admin\",\"grants\":[]}", ADMIN), 409);
  }

  @Test
  void badRequestsForTokensAre400() throws Exception {
    String n = uniqueName("bad");
    List<String> bodies =
        List.of(
            "[]",
            "{\"grants\":[]}",
            "{\"name\":\"" + n + "\"}",
            "{\"name\":\"has space\",\"grants\":[]}",
            "{\"name\":\"has.dot\",\"grants\":[]}",
            "{\"name\":\"" + n + "\",\"grants\":{}}",
            "{\"name\":\"" + n + "\",\"grants\":[{\"maps\":\"m\",\"access\":\"delete\"}]}",
            "{\"name\":\"" + n + "\",\"grants\":[{\"maps\":\"\",\"access\":\"read\"}]}",
            "{\"name\":\"" + n + "\",\"grants\":[{\"maps\":\"a/b\",\"access\":\"read\"}]}",
            "{\"name\":\"" + n + "\",\"grants\":[{\"maps\":\"m\"}]}",
            "{\"name\":\"" + n + "\",\"grants\":[{\"maps\":\"m\",\"access\":\"read\",\"x\":1}]}",
            "{\"name\":\"" + n + "\",\"grants\":[\"m\"]}",
            "{\"name\":\"" + n + "\",\"grants\":[],\"ttl\":\"30x\"}",
            "{\"name\":\"" + n + "\",\"grants\":[],\"ttl\":\"0s\"}",
            "{\"name\":\"" + n + "\",\"grants\":[],\"ttl\":30}",
            "{\"name\":\"" + n + "\",\"grants\":[],\"scopes\":[]}",
            "not json");
    for (String body : bodies) {
      HttpResponse<byte[]> reply = send("POST", "/v1/auth/tokens", body, ADMIN);
      assertEquals(400, reply.statusCode(), () -> body + " -> " + new String(reply.body(), UTF_8));
    }
    // None of them made a token.
    assertFalse(new String(send("GET", "/v1/auth/tokens", null, ADMIN).body(), UTF_8).contains(n));
  }

  @Test
  void aRevokedTokenIsRefusedAndRevokingAgainIs404() throws Exception {
    String name = uniqueName("revoked");
    String token = createToken(name, "[{\"maps\":\"*\",\"access\":\"read\"}]", null);
    assertStatus(200, send("GET", "/v1/maps", null, token));
    assertStatus(204, send("DELETE", "/v1/auth/tokens/" + name, null, ADMIN));
    // The node that revoked it forgets it at once (other nodes: within cache-ttl).
    assertRefusal(send("GET", "/v1/maps", null, token), 401);
    assertRefusalOrProblem(send("DELETE", "/v1/auth/tokens/" + name, null, ADMIN), 404);
    assertRefusalOrProblem(send("DELETE", "/v1/auth/tokens/admin", null, ADMIN), 409);
    // The name can be given again; the old token stays refused.
    String again = createToken(name, "[]", null);
    assertStatus(200, send("GET", "/v1/cluster", null, again));
    assertRefusal(send("GET", "/v1/cluster", null, token), 401);
  }

  @Test
  void historyNamesTheTokenThatMadeEachChange() throws Exception {
    String map = uniqueName("history");
    String writerName = uniqueName("writer");
    String writer =
        createToken(writerName, "[{\"maps\":\"" + map + "\",\"access\":\"write\"}]", null);
    String e = "/v1/maps/" + map + "/entries/k";
    assertStatus(201, send("PUT", e, "{\"a\":1}", writer));
    assertStatus(200, send("PATCH", e, "{\"b\":2}", ADMIN));
    assertStatus(
        200,
        send(
            "POST",
            "/v1/maps/" + map + ":batch",
            "{\"items\":[{\"op\":\"put\",\"key\":\"k\",\"value\":3}]}",
            writer));
    assertStatus(204, send("DELETE", e, null, writer));
    assertStatus(201, send("POST", "/v1/maps/" + map + "/entries/k:increment", "", writer));
    assertStatus(200, send("POST", "/v1/maps/" + map + ":clear", "", ADMIN));
    HttpResponse<byte[]> history = send("GET", e + "/history", null, writer);
    assertStatus(200, history);
    List<String> by = new ArrayList<>();
    for (JsonNode item : json(history).get("items")) {
      assertTrue(item.has("by"), item::toString);
      by.add(item.get("op").asText() + ":" + item.get("by").asText());
    }
    assertEquals(
        List.of(
            "clear:admin",
            "increment:" + writerName,
            "delete:" + writerName,
            "put:" + writerName,
            "patch:admin",
            "put:" + writerName),
        by);
  }

  @Test
  void tokensSurviveARestartOfTheNode() throws Exception {
    String token = createToken(grant("*", "read"));
    stopNode();
    startNode();
    assertStatus(200, send("GET", "/v1/maps", null, token));
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  static String uniqueName(String what) {
    return what
        + "-"
        + names.incrementAndGet()
        + "-"
        + Long.toHexString(System.nanoTime() & 0xffffff);
  }

  static String grant(String maps, String access) {
    return "[{\"maps\":\"" + maps + "\",\"access\":\"" + access + "\"}]";
  }

  static String createToken(String grants) throws Exception {
    return createToken(uniqueName("t"), grants, null);
  }

  static String createToken(String name, String grants, String ttl) throws Exception {
    HttpResponse<byte[]> reply =
        send(
            "POST",
            "/v1/auth/tokens",
            "{\"name\":\""
                + name
                + "\",\"grants\":"
                + grants
                + (ttl == null ? "" : ",\"ttl\":\"" + ttl + "\"")
                + "}",
            ADMIN);
    assertStatus(201, reply);
    return json(reply).get("token").asText();
  }

  /** A token that has expired (1 ms to live); waits until the node refuses it. */
  static String expiredToken(String maps) throws Exception {
    String token = createToken(uniqueName("expired"), grant(maps, "admin"), "1ms");
    awaitRefused(token);
    return token;
  }

  /** A token that was used, then revoked; waits until the node refuses it. */
  static String revokedToken(String maps) throws Exception {
    String name = uniqueName("revoked");
    String token = createToken(name, grant(maps, "admin"), null);
    assertStatus(200, send("GET", "/v1/cluster", null, token));
    assertStatus(204, send("DELETE", "/v1/auth/tokens/" + name, null, ADMIN));
    awaitRefused(token);
    return token;
  }

  /** Waits (up to 10 s, the promise being 5 s) until the node answers the token with 401. */
  static void awaitRefused(String token) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      int status = send("GET", "/v1/cluster", null, token).statusCode();
      if (status == 401) {
        return;
      }
      if (System.nanoTime() > deadline) {
        fail("the token was still accepted (" + status + ") 10 s later");
      }
      Thread.sleep(100);
    }
  }

  static HttpResponse<byte[]> send(String method, String path, String body, String token)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(60))
            .method(
                method,
                body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body, UTF_8));
    if (body != null) {
      request.header(
          "Content-Type",
          method.equals("PATCH") ? "application/merge-patch+json" : "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (path.contains("/changes")) {
      // A change feed asked for JSON answers 406 at once instead of streaming forever.
      request.header("Accept", "application/json");
    }
    return http.send(request.build(), BodyHandlers.ofByteArray());
  }

  static JsonNode json(HttpResponse<byte[]> reply) throws Exception {
    return JSON.readTree(reply.body());
  }

  static void assertStatus(int status, HttpResponse<byte[]> reply) {
    assertEquals(status, reply.statusCode(), () -> new String(reply.body(), UTF_8));
  }

  /** A 401 with WWW-Authenticate: Bearer, or a 403, as a problem document. */
  static void assertRefusal(HttpResponse<byte[]> reply, int status) throws Exception {
    assertRefusalOrProblem(reply, status);
    String challenge = reply.headers().firstValue("WWW-Authenticate").orElse(null);
    if (status == 401) {
      assertNotNull(challenge, "401 without WWW-Authenticate");
      assertTrue(challenge.startsWith("Bearer"), challenge);
    } else {
      assertNull(challenge);
    }
  }

  static void assertRefusalOrProblem(HttpResponse<byte[]> reply, int status) throws Exception {
    assertEquals(status, reply.statusCode(), () -> new String(reply.body(), UTF_8));
    assertEquals(
        "application/problem+json",
        reply.headers().firstValue("Content-Type").orElse("").split(";")[0].trim());
    assertEquals(status, json(reply).get("status").asInt());
  }
}
