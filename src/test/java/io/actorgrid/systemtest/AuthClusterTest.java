package io.actorgrid.systemtest;

import static io.actorgrid.systemtest.GridHttpClient.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens across a cluster of three node processes started with GRID_ADMIN_TOKEN: a token made
 * through one node works on every node (tokens are records of the grid), a revocation through
 * another reaches every node within the documented 5 s, the access matrix holds on every node, and
 * history read through one node names the token that wrote through another.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class AuthClusterTest {
  private static final String ADMIN = "system-test-admin-token-0123456789abcdef";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The documented bound is 5 s; the test allows twice that on a shared machine. */
  private static final Duration REVOCATION_DEADLINE = Duration.ofSeconds(10);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path workDir;

  private static GridCluster cluster;
  private static List<GridHttpClient> nodes;

  @RegisterExtension
  static final NodeLogOnFailure NODE_LOGS =
      NodeLogOnFailure.forNodes(() -> cluster == null ? List.of() : cluster.nodes());

  @BeforeAll
  static void startCluster() throws Exception {
    // 32 partitions (GridCluster.PARTITIONS) instead of 128: the nodes start faster, and tokens
    // checked on every node do not depend on the number.
    cluster = GridCluster.start(workDir, 3, Map.of("GRID_ADMIN_TOKEN", ADMIN));
    nodes =
        List.of(
            new GridHttpClient(cluster.node(1).baseUri()),
            new GridHttpClient(cluster.node(2).baseUri()),
            new GridHttpClient(cluster.node(3).baseUri()));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aTokenMadeThroughNode1WorksOnNode3AndARevocationThroughNode2ReachesEveryNode()
      throws Exception {
    String name = "cluster-reader";
    String token = createToken(node(1), name, "[{\"maps\":\"shared*\",\"access\":\"write\"}]");
    HttpResponse<String> written =
        send(node(3), "PUT", "/v1/maps/shared-a/entries/k", "{\"v\":1}", token);
    assertEquals(201, written.statusCode(), () -> describe(written));
    // Every node has verified (and cached) the token before it is revoked.
    for (GridHttpClient node : nodes) {
      HttpResponse<String> read = send(node, "GET", "/v1/maps/shared-a/entries/k", null, token);
      assertEquals(200, read.statusCode(), () -> describe(read));
    }

    HttpResponse<String> revoked = send(node(2), "DELETE", "/v1/auth/tokens/" + name, null, ADMIN);
    assertEquals(204, revoked.statusCode(), () -> describe(revoked));
    long revokedAt = System.nanoTime();
    // Each round asks every node that still accepts the token, so each node's time is its own.
    Map<Integer, Long> refusedAfterMillis = new java.util.TreeMap<>();
    while (refusedAfterMillis.size() < nodes.size()) {
      for (int i = 0; i < nodes.size(); i++) {
        if (refusedAfterMillis.containsKey(i + 1)) {
          continue;
        }
        HttpResponse<String> reply =
            send(nodes.get(i), "GET", "/v1/maps/shared-a/entries/k", null, token);
        if (reply.statusCode() == 401) {
          refusedAfterMillis.put(i + 1, (System.nanoTime() - revokedAt) / 1_000_000);
        } else {
          assertEquals(200, reply.statusCode(), () -> describe(reply));
        }
      }
      if (refusedAfterMillis.size() < nodes.size()
          && System.nanoTime() - revokedAt > REVOCATION_DEADLINE.toNanos()) {
        fail(
            "nodes other than "
                + refusedAfterMillis.keySet()
                + " still accept the revoked token "
                + REVOCATION_DEADLINE
                + " later");
      }
      Thread.sleep(50);
    }
    System.out.println(
        "revocation through node 2 refused after (ms, by node): " + refusedAfterMillis);
  }

  enum Need {
    NOTHING,
    ANY_TOKEN,
    READ,
    WRITE,
    ADMIN_ON_MAP,
    ON_EVERY_MAP
  }

  enum Holder {
    NONE,
    BAD,
    EXPIRED,
    REVOKED,
    READ,
    WRITE,
    ADMIN
  }

  record Call(String name, String method, String path, String body, Need need) {}

  private static List<Call> calls(String map) {
    String e = "/v1/maps/" + map + "/entries/k";
    return List.of(
        new Call("GET entry", "GET", e, null, Need.READ),
        new Call("GET history", "GET", e + "/history", null, Need.READ),
        new Call("GET list", "GET", "/v1/maps/" + map + "/entries", null, Need.READ),
        new Call("PUT entry", "PUT", e, "{\"a\":1}", Need.WRITE),
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
        new Call("GET tokens", "GET", "/v1/auth/tokens", null, Need.ON_EVERY_MAP),
        new Call("GET cluster", "GET", "/v1/cluster", null, Need.ANY_TOKEN),
        new Call("GET health ready", "GET", "/health/ready", null, Need.NOTHING));
  }

  private static boolean allowed(Holder holder, Need need) {
    if (need == Need.NOTHING) {
      return true;
    }
    return switch (holder) {
      case NONE, BAD, EXPIRED, REVOKED -> false;
      case READ -> need == Need.ANY_TOKEN || need == Need.READ;
      case WRITE -> need == Need.ANY_TOKEN || need == Need.READ || need == Need.WRITE;
      case ADMIN -> true;
    };
  }

  @Test
  void theAccessMatrixHoldsOnEveryNode() throws Exception {
    Map<Holder, String> tokens = new LinkedHashMap<>();
    tokens.put(Holder.NONE, null);
    tokens.put(Holder.BAD, "agt.nobody.bm90LWEtdG9rZW4tb2YtdGhpcy1ncmlk");
    tokens.put(Holder.EXPIRED, createToken(node(1), "m-expired", grant("matrix*", "admin"), "1ms"));
    String revoked = createToken(node(1), "m-revoked", grant("matrix*", "admin"));
    assertEquals(
        204, send(node(2), "DELETE", "/v1/auth/tokens/m-revoked", null, ADMIN).statusCode());
    tokens.put(Holder.REVOKED, revoked);
    tokens.put(Holder.READ, createToken(node(2), "m-read", grant("matrix*", "read")));
    tokens.put(Holder.WRITE, createToken(node(3), "m-write", grant("matrix*", "write")));
    tokens.put(Holder.ADMIN, ADMIN);
    for (GridHttpClient node : nodes) {
      awaitRefused(node, tokens.get(Holder.EXPIRED));
      awaitRefused(node, tokens.get(Holder.REVOKED));
    }

    List<String> wrong = new ArrayList<>();
    int n = 0;
    for (var holder : tokens.entrySet()) {
      String map = "matrix-" + holder.getKey().name().toLowerCase();
      assertEquals(
          201,
          send(node(1), "PUT", "/v1/maps/" + map + "/entries/k", "{\"a\":0}", ADMIN).statusCode());
      for (Call call : calls(map)) {
        // Each call through the next node, so every node answers every kind of token.
        int via = n++ % nodes.size();
        HttpResponse<String> reply =
            send(nodes.get(via), call.method(), call.path(), call.body(), holder.getValue());
        int status = reply.statusCode();
        boolean expectAllowed = allowed(holder.getKey(), call.need());
        int expected = holder.getKey().ordinal() <= Holder.REVOKED.ordinal() ? 401 : 403;
        if (expectAllowed ? status == 401 || status == 403 : status != expected) {
          wrong.add(
              holder.getKey()
                  + " "
                  + call.name()
                  + " via node "
                  + (via + 1)
                  + ": "
                  + describe(reply));
        } else if (!expectAllowed) {
          assertTrue(
              reply
                  .headers()
                  .firstValue("Content-Type")
                  .orElse("")
                  .startsWith("application/problem+json"),
              () -> describe(reply));
          if (status == 401) {
            assertTrue(
                reply.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"),
                () -> describe(reply));
          }
        }
      }
    }
    assertEquals(List.of(), wrong);
  }

  @Test
  void historyReadThroughOneNodeNamesTheTokenThatWroteThroughAnother() throws Exception {
    String token = createToken(node(1), "history-writer", grant("history*", "write"));
    assertEquals(
        201, send(node(3), "PUT", "/v1/maps/history-m/entries/k", "1", token).statusCode());
    assertEquals(
        200, send(node(1), "PUT", "/v1/maps/history-m/entries/k", "2", ADMIN).statusCode());
    HttpResponse<String> history =
        send(node(2), "GET", "/v1/maps/history-m/entries/k/history", null, token);
    assertEquals(200, history.statusCode(), () -> describe(history));
    List<String> by = new ArrayList<>();
    for (JsonNode item : JSON.readTree(history.body()).get("items")) {
      by.add(item.get("by").asText());
    }
    assertEquals(List.of("admin", "history-writer"), by);
  }

  // ---------------------------------------------------------------------------------------------

  private static GridHttpClient node(int number) {
    return nodes.get(number - 1);
  }

  private static String grant(String maps, String access) {
    return "[{\"maps\":\"" + maps + "\",\"access\":\"" + access + "\"}]";
  }

  private static String createToken(GridHttpClient via, String name, String grants)
      throws Exception {
    return createToken(via, name, grants, null);
  }

  private static String createToken(GridHttpClient via, String name, String grants, String ttl)
      throws Exception {
    HttpResponse<String> created =
        send(
            via,
            "POST",
            "/v1/auth/tokens",
            "{\"name\":\""
                + name
                + "\",\"grants\":"
                + grants
                + (ttl == null ? "" : ",\"ttl\":\"" + ttl + "\"")
                + "}",
            ADMIN);
    assertEquals(201, created.statusCode(), () -> describe(created));
    return JSON.readTree(created.body()).get("token").asText();
  }

  private static void awaitRefused(GridHttpClient node, String token) throws Exception {
    long deadline = System.nanoTime() + REVOCATION_DEADLINE.toNanos();
    while (send(node, "GET", "/v1/cluster", null, token).statusCode() != 401) {
      if (System.nanoTime() > deadline) {
        fail("the token is still accepted " + REVOCATION_DEADLINE + " later");
      }
      Thread.sleep(100);
    }
  }

  private static HttpResponse<String> send(
      GridHttpClient node, String method, String path, String body, String token) throws Exception {
    String contentType =
        body == null
            ? null
            : method.equals("PATCH") ? "application/merge-patch+json" : "application/json";
    String[] headers =
        token == null ? new String[0] : new String[] {"Authorization", "Bearer " + token};
    return node.send(method, path, contentType, body == null ? "" : body, headers);
  }
}
