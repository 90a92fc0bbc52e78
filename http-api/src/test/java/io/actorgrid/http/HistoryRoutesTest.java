package io.actorgrid.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** History of a record and reads of its past over HTTP: shapes, paging, boundaries, 400s. */
class HistoryRoutesTest extends RouteTestSupport {
  private static URI history(String map, String key, String query) {
    return URI.create(
        base + "/v1/maps/" + encode(map) + "/entries/" + encode(key) + "/history" + query);
  }

  private static URI at(String map, String key, String query) {
    return URI.create(entry(map, key) + query);
  }

  @Test
  void historyListsEveryChangeNewestFirstWithValuesAsListsGiveThem() throws Exception {
    String map = "history-shape";
    assertEquals(201, put(map, "k", "{\"a\":1}", "application/json").statusCode());
    assertEquals(200, put(map, "k", "plain words", "text/plain").statusCode());
    assertEquals(200, put(map, "k", new byte[] {0, 1, 2}, "image/png").statusCode());
    assertEquals(204, delete(entry(map, "k")).statusCode());
    assertEquals(201, putJson(entry(map, "k"), "7").statusCode());
    assertEquals(200, post(increment(map, "k"), "", "application/json").statusCode());

    var reply = get(history(map, "k", "?values=true"));
    assertEquals(200, reply.statusCode(), () -> text(reply));
    JsonNode body = json(reply);
    assertEquals(map, body.get("map").asText());
    assertEquals("k", body.get("key").asText());
    assertTrue(body.get("cursor").isNull());
    assertFalse(body.get("truncated").asBoolean());
    List<String> ops = new ArrayList<>();
    body.get("items").forEach(item -> ops.add(item.get("op").asText()));
    assertEquals(List.of("increment", "put", "delete", "put", "put", "put"), ops);
    JsonNode items = body.get("items");
    assertEquals(8, items.get(0).get("value").asLong());
    assertEquals("plain words", items.get(4).get("valueText").asText());
    assertEquals("AAEC", items.get(3).get("valueBase64").asText());
    assertEquals(1, items.get(5).get("value").get("a").asInt());
    assertFalse(items.get(2).has("contentType"), "a deletion leaves no value");
    Instant.parse(items.get(0).get("time").asText());
    assertTrue(items.get(0).get("version").asLong() > items.get(1).get("version").asLong());

    JsonNode bare = json(get(history(map, "k", "")));
    assertFalse(bare.get("items").get(0).has("value"), "values only when asked for");
  }

  @Test
  void historyPagesWithACursor() throws Exception {
    String map = "history-pages";
    for (int i = 0; i < 25; i++) {
      assertEquals(i == 0 ? 201 : 200, putJson(entry(map, "k"), Integer.toString(i)).statusCode());
    }
    List<Integer> sizes = new ArrayList<>();
    String cursor = "";
    long last = Long.MAX_VALUE;
    do {
      JsonNode page = json(get(history(map, "k", "?limit=10&cursor=" + cursor)));
      sizes.add(page.get("items").size());
      for (JsonNode item : page.get("items")) {
        assertTrue(item.get("version").asLong() < last);
        last = item.get("version").asLong();
      }
      cursor = page.get("cursor").isNull() ? null : page.get("cursor").asText();
    } while (cursor != null);
    assertEquals(List.of(10, 10, 5), sizes);
  }

  @Test
  void readsAtAVersionAndAsOfAnInstant() throws Exception {
    String map = "history-past";
    long v1 = etagVersion(put(map, "k", "first", "text/plain"));
    long v2 = etagVersion(put(map, "k", "{\"second\":true}", "application/json"));
    assertEquals(204, delete(entry(map, "k")).statusCode());
    JsonNode items = json(get(history(map, "k", ""))).get("items");
    long deleted = items.get(0).get("version").asLong();

    var first = get(at(map, "k", "?version=" + v1));
    assertEquals(200, first.statusCode());
    assertEquals("first", text(first));
    assertEquals("text/plain", mediaType(first));
    assertEquals(v1, etagVersion(first));
    var second = get(at(map, "k", "?version=" + v2));
    assertEquals("application/json", mediaType(second));
    assertEquals(v2, etagVersion(second));

    JsonNode gone = assertProblem(get(at(map, "k", "?version=" + deleted)), 404);
    assertTrue(
        gone.get("detail").asText().contains("deleted")
            && gone.get("detail").asText().contains("version " + deleted),
        gone.toString());
    assertProblem(get(at(map, "k", "?version=" + (deleted + 1000))), 404);
    assertProblem(get(at(map, "other", "?version=" + v1)), 404);

    String t1 = items.get(2).get("time").asText();
    String t2 = items.get(1).get("time").asText();
    String t3 = items.get(0).get("time").asText();
    var atFirst = get(at(map, "k", "?asOf=" + t1));
    assertEquals(200, atFirst.statusCode());
    assertEquals("first", text(atFirst));
    assertEquals(v1, etagVersion(atFirst));
    assertEquals(v2, etagVersion(get(at(map, "k", "?asOf=" + t2))));
    JsonNode afterDelete = assertProblem(get(at(map, "k", "?asOf=" + t3)), 404);
    assertTrue(afterDelete.get("detail").asText().contains("deleted"), afterDelete.toString());
    String before = Instant.parse(t1).minusMillis(1).toString();
    assertProblem(get(at(map, "k", "?asOf=" + before)), 404);
    // An offset other than Z names the same instant.
    String plusOne =
        java.time.OffsetDateTime.parse(t1)
            .atZoneSameInstant(java.time.ZoneOffset.ofHours(1))
            .toOffsetDateTime()
            .toString();
    assertEquals(200, get(at(map, "k", "?asOf=" + encode(plusOne))).statusCode());
  }

  @Test
  void aKeyWithoutHistoryIs404() throws Exception {
    assertProblem(get(history("history-none", "never", "")), 404);
  }

  @Test
  void badInputIs400() throws Exception {
    String map = "history-bad";
    putJson(entry(map, "k"), "1");
    for (String query :
        List.of("?limit=0", "?limit=1001", "?limit=ten", "?cursor=%21%21", "?values=maybe")) {
      assertProblem(get(history(map, "k", query)), 400);
    }
    for (String query :
        List.of(
            "?version=0",
            "?version=-3",
            "?version=two",
            "?asOf=yesterday",
            "?asOf=2026-12-01",
            "?version=1&asOf=2026-12-01T00:00:00Z")) {
      JsonNode problem = assertProblem(get(at(map, "k", query)), 400);
      assertTrue(problem.get("detail").asText().length() > 10);
    }
    assertEquals("1", new String(get(entry(map, "k")).body(), UTF_8), "the node still serves");
  }
}
