package io.actorgrid.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Maps as a whole: the list of maps, map settings, :clear and drop. */
class MapRoutesTest extends RouteTestSupport {
  @Test
  void mapsAreListedWithTheirEntryCounts() throws Exception {
    put("maps-three", "a", "1", "text/plain");
    put("maps-three", "b", "2", "text/plain");
    put("maps-three", "c", "3", "text/plain");
    put("maps-one", "only", "1", "text/plain");
    put("maps-gone", "k", "1", "text/plain");
    delete(entry("maps-gone", "k"));

    for (String path : List.of("/v1/maps", "/v1/maps/")) {
      var reply = get(URI.create(base + path));
      assertEquals(200, reply.statusCode(), () -> text(reply));
      assertEquals("application/json", mediaType(reply));
      Map<String, Long> counts = new LinkedHashMap<>();
      for (JsonNode m : json(reply).get("maps")) {
        counts.put(m.get("name").asText(), m.get("entries").asLong());
      }
      assertEquals(3L, counts.get("maps-three"), counts::toString);
      assertEquals(1L, counts.get("maps-one"), counts::toString);
      assertFalse(counts.containsKey("maps-gone"), "a map without entries is not listed");
      assertEquals(
          new ArrayList<>(new TreeSet<>(counts.keySet())),
          new ArrayList<>(counts.keySet()),
          "maps in name order");
    }
  }

  @Test
  void mapSettingsAreCreatedReadChangedAndApplied() throws Exception {
    String map = "settings-default-ttl";
    assertProblem(get(mapUri(map)), 404);
    var created = putJson(mapUri(map), "{\"defaultTtl\":\"1h\",\"maxValueBytes\":100}");
    assertEquals(201, created.statusCode(), () -> text(created));
    long v1 = etagVersion(created);
    JsonNode described = json(get(mapUri(map)));
    assertEquals(map, described.get("name").asText());
    assertEquals(0, described.get("entries").asLong());
    assertEquals("1h", described.get("settings").get("defaultTtl").asText());
    assertEquals(100, described.get("settings").get("maxValueBytes").asLong());
    assertEquals(v1, described.get("settingsVersion").asLong());
    JsonNode listed = null;
    for (JsonNode m : json(get(URI.create(base + "/v1/maps"))).get("maps")) {
      listed = m.get("name").asText().equals(map) ? m : listed;
    }
    assertEquals(described, listed, "the listing describes the map as GET /v1/maps/{map} does");

    long now = System.currentTimeMillis();
    put(map, "a", "{}", "application/json");
    long expiresAt =
        java.time.Instant.parse(header(get(entry(map, "a")), "Grid-Expires-At")).toEpochMilli();
    assertTrue(Math.abs(expiresAt - (now + 3_600_000)) < 60_000, "the map's default TTL applies");
    send(putRequest(map, "b", "{}", "application/json", "?ttl=2d"));
    long explicit =
        java.time.Instant.parse(header(get(entry(map, "b")), "Grid-Expires-At")).toEpochMilli();
    assertTrue(explicit - now > 36 * 3_600_000L, "an explicit ttl wins over the default");

    var tooLarge = put(map, "c", "x".repeat(101), "text/plain");
    assertTrue(assertProblem(tooLarge, 413).get("detail").asText().contains("maxValueBytes"));
    assertEquals(201, put(map, "c", "x".repeat(100), "text/plain").statusCode());

    assertProblem(
        putJson(mapUri(map), "{\"defaultTtl\":null}", "If-Match", "\"" + (v1 + 99) + "\""), 412);
    var changed = putJson(mapUri(map), "{\"defaultTtl\":null}", "If-Match", "\"" + v1 + "\"");
    assertEquals(200, changed.statusCode(), () -> text(changed));
    assertTrue(json(get(mapUri(map))).get("settings").get("defaultTtl").isNull());
    assertEquals(3, json(get(mapUri(map))).get("entries").asLong());
    put(map, "d", "{}", "application/json");
    assertTrue(get(entry(map, "d")).headers().firstValue("Grid-Expires-At").isEmpty());
    assertProblem(putJson(mapUri(map), "{}", "If-None-Match", "*"), 412);
  }

  @Test
  void badMapSettingsAre400() throws Exception {
    URI uri = mapUri("settings-bad");
    for (String body :
        List.of(
            "{\"defaultTTL\":\"1h\"}",
            "{\"defaultTtl\":3600}",
            "{\"defaultTtl\":\"soon\"}",
            "{\"maxValueBytes\":-1}",
            "{\"maxValueBytes\":\"big\"}",
            "{\"maxValueBytes\":" + (MAX_VALUE_BYTES + 1) + "}",
            "[1]",
            "{\"defaultTtl\":")) {
      assertProblem(putJson(uri, body), 400);
    }
    assertProblem(
        send(request(uri).header("Content-Type", "text/plain").PUT(BodyPublishers.ofString("x"))),
        400);
    assertProblem(get(uri), 404);
    assertProblem(get(URI.create(base + "/v1/maps/bad%20name")), 400);
  }

  @Test
  void clearRemovesEveryRecordAndKeepsTheSettingsDeleteRemovesBoth() throws Exception {
    String map = "clear-and-delete";
    putJson(mapUri(map), "{\"maxValueBytes\":1000}");
    for (int i = 0; i < 40; i++) {
      put(map, "k" + i, "v", "text/plain");
    }
    put("clear-and-delete-other", "k0", "v", "text/plain");
    assertEquals(40, json(get(mapUri(map))).get("entries").asLong());

    var cleared = post(URI.create(base + "/v1/maps/" + map + ":clear"), "", null);
    assertEquals(200, cleared.statusCode(), () -> text(cleared));
    assertEquals(40, json(cleared).get("removed").asLong());
    JsonNode after = json(get(mapUri(map)));
    assertEquals(0, after.get("entries").asLong());
    assertEquals(1000, after.get("settings").get("maxValueBytes").asLong());
    assertEquals(List.of(), listKeys(map));
    assertEquals(200, get(entry("clear-and-delete-other", "k0")).statusCode());

    put(map, "again", "v", "text/plain");
    assertEquals(204, delete(mapUri(map)).statusCode());
    assertProblem(get(mapUri(map)), 404);
    assertProblem(get(entry(map, "again")), 404);
    assertProblem(delete(mapUri(map)), 404);
    assertProblem(post(URI.create(base + "/v1/maps/" + map + ":frobnicate"), "", null), 404);
    assertEquals(
        0,
        json(post(URI.create(base + "/v1/maps/" + map + ":clear"), "", null))
            .get("removed")
            .asLong());
  }
}
