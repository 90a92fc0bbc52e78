package io.actorgrid.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Writes that change a record from its current value: JSON merge patches (PATCH) and counters (POST
 * ...:increment).
 */
class PatchAndIncrementTest extends RouteTestSupport {
  // ---------------------------------------------------------------------------------------------
  // JSON merge patch

  @Test
  void aMergePatchChangesOnlyWhatItNames() throws Exception {
    String map = "patch";
    put(map, "doc", "{\"a\":1,\"b\":{\"c\":2,\"keep\":true},\"n\":0.10}", "application/json");
    long v1 = etagVersion(get(entry(map, "doc")));
    var patched = patch(entry(map, "doc"), "{\"b\":{\"c\":null,\"d\":3},\"e\":\"x\"}");
    assertEquals(200, patched.statusCode(), () -> text(patched));
    long v2 = etagVersion(patched);
    assertTrue(v2 > v1);
    assertEquals(
        JSON.readTree("{\"a\":1,\"b\":{\"keep\":true,\"d\":3},\"n\":0.10,\"e\":\"x\"}"),
        json(get(entry(map, "doc"))));
    assertTrue(text(get(entry(map, "doc"))).contains("0.10"), "numbers stay exact");
    assertEquals("application/json", header(get(entry(map, "doc")), "Content-Type"));

    assertProblem(patch(entry(map, "doc"), "{\"a\":2}", "If-Match", "\"" + v1 + "\""), 412);
    assertEquals(
        200, patch(entry(map, "doc"), "{\"a\":2}", "If-Match", "\"" + v2 + "\"").statusCode());
    assertEquals(2, json(get(entry(map, "doc"))).get("a").asInt());
    assertEquals(200, patch(entry(map, "doc"), "[1,2]").statusCode());
    assertEquals("[1,2]", text(get(entry(map, "doc"))));
  }

  @Test
  void badMergePatchesAre4xx() throws Exception {
    String map = "patch-bad";
    put(map, "text", "plain words", "text/plain");
    put(map, "doc", "{\"a\":1}", "application/json");
    assertProblem(patch(entry(map, "absent"), "{\"a\":1}"), 404);
    JsonNode conflict = assertProblem(patch(entry(map, "text"), "{\"a\":1}"), 409);
    assertTrue(conflict.get("detail").asText().contains("not JSON"), conflict::toString);
    assertProblem(patch(entry(map, "doc"), "{\"a\":"), 400);
    assertProblem(patch(entry(map, "doc"), ""), 400);
    assertProblem(patch(entry(map, "doc"), "  "), 400);
    assertProblem(
        send(
            request(entry(map, "doc"))
                .header("Content-Type", "application/json")
                .method("PATCH", BodyPublishers.ofString("{\"a\":2}"))),
        415);
    String big = "{\"big\":\"" + "x".repeat(MAX_VALUE_BYTES - 20) + "\"}";
    assertEquals(200, patch(entry(map, "doc"), big).statusCode());
    assertProblem(patch(entry(map, "doc"), "{\"more\":\"" + "y".repeat(100) + "\"}"), 413);
    assertProblem(
        send(
            request(URI.create(entry(map, "doc") + "?ttl=1s"))
                .header("Content-Type", "application/merge-patch+json")
                .method("PATCH", BodyPublishers.ofString("{}"))),
        400);
    assertEquals(1, json(get(entry(map, "doc"))).get("a").asInt());
  }

  @Test
  void concurrentMergePatchesKeepEveryChange() throws Exception {
    String map = "patch-concurrent";
    put(map, "doc", "{}", "application/json");
    List<CompletableFuture<HttpResponse<byte[]>>> replies = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      replies.add(
          sendAsync(
              request(entry(map, "doc"))
                  .header("Content-Type", "application/merge-patch+json")
                  .method("PATCH", BodyPublishers.ofString("{\"f" + i + "\":" + i + "}"))));
    }
    for (var reply : replies) {
      assertEquals(200, reply.get(60, TimeUnit.SECONDS).statusCode());
    }
    assertEquals(40, json(get(entry(map, "doc"))).size(), "no patch lost another's field");
  }

  // ---------------------------------------------------------------------------------------------
  // Counters

  @Test
  void incrementCreatesAtZeroAndAddsTheDelta() throws Exception {
    String map = "counter";
    var first = post(increment(map, "hits"), "{\"delta\":5}", "application/json");
    assertEquals(201, first.statusCode(), () -> text(first));
    assertEquals(Set.of("map", "key", "value", "version"), fieldNames(json(first)));
    assertEquals(5, json(first).get("value").asLong());
    var second = post(increment(map, "hits"), "{\"delta\":-7}", "application/json");
    assertEquals(200, second.statusCode());
    assertEquals(-2, json(second).get("value").asLong());
    assertEquals(etagVersion(second), json(second).get("version").asLong());
    assertEquals(-1, json(post(increment(map, "hits"), "", null)).get("value").asLong());
    var read = get(entry(map, "hits"));
    assertEquals("-1", text(read));
    assertEquals("application/json", header(read, "Content-Type"));
    put(map, "preset", "41", "application/json");
    assertEquals(42, json(post(increment(map, "preset"), "", null)).get("value").asLong());
    var withTtl =
        send(request(URI.create(increment(map, "temp") + "?ttl=1h")).POST(BodyPublishers.noBody()));
    assertEquals(201, withTtl.statusCode(), () -> text(withTtl));
    assertTrue(get(entry(map, "temp")).headers().firstValue("Grid-Expires-At").isPresent());
    assertEquals("1", text(get(entry(map, "temp"))));
    // A key that itself ends in ":increment" is still an ordinary key.
    assertEquals(201, put(map, "odd:increment", "1", "application/json").statusCode());
    assertEquals(2, json(post(increment(map, "odd:increment"), "", null)).get("value").asLong());
  }

  @Test
  void badIncrementsAre4xx() throws Exception {
    String map = "counter-bad";
    put(map, "text", "ten", "text/plain");
    put(map, "float", "1.5", "application/json");
    put(map, "max", Long.toString(Long.MAX_VALUE), "application/json");
    for (String key : List.of("text", "float")) {
      JsonNode problem = assertProblem(post(increment(map, key), "", null), 409);
      assertTrue(problem.get("detail").asText().contains("not a JSON integer"), problem::toString);
    }
    assertTrue(
        assertProblem(post(increment(map, "max"), "", null), 409)
            .get("detail")
            .asText()
            .contains("overflow"));
    for (String body :
        List.of(
            "{\"delta\":1.5}",
            "{\"delta\":\"1\"}",
            "{\"delta\":1,\"x\":2}",
            "[1]",
            "{\"delta\":99999999999999999999}",
            "{\"delta\"")) {
      assertProblem(post(increment(map, "c"), body, "application/json"), 400);
    }
    assertProblem(post(increment(map, "c"), "{\"delta\":1}", "text/plain"), 400);
    assertProblem(post(entry(map, "c"), "", null), 405);
    assertProblem(get(entry(map, "c")), 404);
    assertEquals(Long.toString(Long.MAX_VALUE), text(get(entry(map, "max"))));
  }

  @Test
  void concurrentIncrementsLoseNoUpdate() throws Exception {
    String map = "counter-concurrent";
    List<CompletableFuture<HttpResponse<byte[]>>> replies = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      replies.add(sendAsync(request(increment(map, "n")).POST(BodyPublishers.noBody())));
    }
    Set<Long> values = new HashSet<>();
    for (var reply : replies) {
      HttpResponse<byte[]> r = reply.get(60, TimeUnit.SECONDS);
      assertTrue(r.statusCode() == 200 || r.statusCode() == 201, () -> text(r));
      values.add(json(r).get("value").asLong());
    }
    assertEquals(
        LongStream.rangeClosed(1, 200).boxed().collect(Collectors.toSet()),
        values,
        "each increment saw every earlier one");
    assertEquals("200", text(get(entry(map, "n"))));
  }
}
