package io.actorgrid.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.actorgrid.grid.internal.Partitioner;
import java.net.URI;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Batches, POST /v1/maps/{map}:batch. */
class BatchRoutesTest extends RouteTestSupport {
  @Test
  void aBatchAnswersEachItemInOrderAndItemsOnOneKeySeeEachOther() throws Exception {
    String map = "batch-mixed";
    put(map, "existing", "{\"n\":1}", "application/json");
    long existing = etagVersion(get(entry(map, "existing")));
    var reply =
        batch(
            map,
            "{\"items\":["
                + "{\"op\":\"put\",\"key\":\"a\",\"value\":{\"x\":1}},"
                + "{\"op\":\"get\",\"key\":\"a\"},"
                + "{\"op\":\"put\",\"key\":\"a\",\"value\":[2],\"ttl\":\"1h\"},"
                + "{\"op\":\"get\",\"key\":\"existing\"},"
                + "{\"op\":\"delete\",\"key\":\"existing\",\"ifVersion\":"
                + (existing + 100)
                + "},"
                + "{\"op\":\"delete\",\"key\":\"existing\",\"ifVersion\":"
                + existing
                + "},"
                + "{\"op\":\"get\",\"key\":\"existing\"},"
                + "{\"op\":\"delete\",\"key\":\"never\"},"
                + "{\"op\":\"put\",\"key\":\"a\",\"value\":3,\"ifAbsent\":true}"
                + "]}");
    assertEquals(200, reply.statusCode(), () -> text(reply));
    JsonNode items = json(reply).get("items");
    assertEquals(9, items.size());
    List<Integer> statuses = new ArrayList<>();
    items.forEach(i -> statuses.add(i.get("status").asInt()));
    assertEquals(List.of(201, 200, 200, 200, 412, 204, 404, 404, 412), statuses, items::toString);
    assertEquals("{\"x\":1}", items.get(1).get("value").toString());
    assertEquals("application/json", items.get(1).get("contentType").asText());
    assertTrue(items.get(2).get("version").asLong() > items.get(0).get("version").asLong());
    assertEquals("{\"n\":1}", items.get(3).get("value").toString());
    assertEquals(existing, items.get(4).get("version").asLong());
    assertTrue(items.get(4).has("detail"));
    assertEquals("[2]", text(get(entry(map, "a"))));
    assertTrue(get(entry(map, "a")).headers().firstValue("Grid-Expires-At").isPresent());
    assertProblem(get(entry(map, "existing")), 404);
  }

  @Test
  void aBatchOfManyKeysWritesThemAll() throws Exception {
    String map = "batch-many";
    StringBuilder body = new StringBuilder("{\"items\":[");
    for (int i = 0; i < 1000; i++) {
      body.append(i == 0 ? "" : ",")
          .append("{\"op\":\"put\",\"key\":\"k")
          .append(i)
          .append("\",\"value\":")
          .append(i)
          .append('}');
    }
    var reply = batch(map, body.append("]}").toString());
    assertEquals(200, reply.statusCode(), () -> text(reply));
    JsonNode items = json(reply).get("items");
    for (int i = 0; i < 1000; i++) {
      assertEquals(201, items.get(i).get("status").asInt());
      assertEquals("k" + i, items.get(i).get("key").asText());
    }
    assertEquals(1000, json(get(mapUri(map))).get("entries").asLong());
    assertEquals("777", text(get(entry(map, "k777"))));
  }

  @Test
  void badBatchesAre4xxAndChangeNothing() throws Exception {
    String map = "batch-bad";
    StringBuilder tooMany = new StringBuilder("{\"items\":[");
    for (int i = 0; i <= 1000; i++) {
      tooMany.append(i == 0 ? "" : ",").append("{\"op\":\"get\",\"key\":\"k\"}");
    }
    JsonNode big = assertProblem(batch(map, tooMany.append("]}").toString()), 413);
    assertTrue(big.get("detail").asText().contains("1000"), big::toString);
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("{\"items\":{}}", "items");
    bad.put("{\"items\":[]}", "no items");
    bad.put("{\"items\":[],\"extra\":1}", "items");
    bad.put("{\"items\":[{\"op\":\"upsert\",\"key\":\"k\"}]}", "items[0].op");
    bad.put(
        "{\"items\":[{\"op\":\"get\",\"key\":\"k\"},{\"op\":\"put\",\"key\":\"k\"}]}", "items[1]");
    bad.put("{\"items\":[{\"op\":\"put\",\"key\":\"\",\"value\":1}]}", "items[0]");
    bad.put("{\"items\":[{\"op\":\"put\",\"key\":\"k\",\"value\":1,\"tll\":\"1s\"}]}", "tll");
    bad.put(
        "{\"items\":[{\"op\":\"put\",\"key\":\"k\",\"value\":1,\"ttl\":\"1y\"}]}", "items[0].ttl");
    bad.put("{\"items\":[{\"op\":\"get\",\"key\":5}]}", "key");
    bad.put("{\"items\":[{\"op\":\"delete\",\"key\":\"k\",\"ifVersion\":0}]}", "ifVersion");
    bad.put("{\"items\":[7]}", "items[0]");
    bad.put("{\"items\":[", "JSON");
    bad.forEach(
        (body, mentions) -> {
          try {
            JsonNode problem = assertProblem(batch(map, body), 400);
            assertTrue(
                problem.get("detail").asText().contains(mentions), () -> body + " -> " + problem);
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
    var notJson =
        send(
            request(URI.create(base + "/v1/maps/" + map + ":batch"))
                .header("Content-Type", "text/plain")
                .POST(BodyPublishers.ofString("{\"items\":[]}")));
    assertProblem(notJson, 400);
    String oversized = "\"" + "x".repeat(MAX_VALUE_BYTES) + "\"";
    assertProblem(
        batch(
            map,
            "{\"items\":[{\"op\":\"put\",\"key\":\"a\",\"value\":1},"
                + "{\"op\":\"put\",\"key\":\"b\",\"value\":"
                + oversized
                + "}]}"),
        413);
    assertProblem(get(mapUri(map)), 404);
  }

  @Test
  void batchValuesKeepTheirNumbersExactly() throws Exception {
    String map = "batch-numbers";
    var reply =
        batch(
            map,
            "{\"items\":[{\"op\":\"put\",\"key\":\"n\",\"value\":"
                + "{\"price\":0.10,\"big\":12345678901234567.89,\"int\":123456789012345678901234567890}}]}");
    assertEquals(200, reply.statusCode(), () -> text(reply));
    String stored = text(get(entry(map, "n")));
    assertTrue(stored.contains("0.10"), stored);
    assertTrue(stored.contains("12345678901234567.89"), stored);
    assertTrue(stored.contains("123456789012345678901234567890"), stored);
  }

  @Test
  void onePartitionsShareOfABatchMustFitOneClusterMessage() throws Exception {
    String map = "batch-partition-budget";
    Partitioner partitioner = new Partitioner(PARTITIONS);
    List<String> keys = new ArrayList<>();
    for (int i = 0; keys.size() < 30; i++) {
      if (partitioner.partitionOf(map, "k" + i) == 3) {
        keys.add("k" + i);
      }
    }
    String big = "\"" + "x".repeat(60 * 1024) + "\"";
    StringBuilder puts = new StringBuilder("{\"items\":[");
    for (int i = 0; i < keys.size(); i++) {
      puts.append(i == 0 ? "" : ",")
          .append("{\"op\":\"put\",\"key\":\"")
          .append(keys.get(i))
          .append("\",\"value\":")
          .append(big)
          .append('}');
    }
    JsonNode refused = assertProblem(batch(map, puts.append("]}").toString()), 413);
    assertTrue(
        refused.get("detail").asText().contains("max-batch-partition-bytes"), refused::toString);
    assertProblem(get(mapUri(map)), 404);

    for (String key : keys) {
      assertEquals(201, put(map, key, big, "application/json").statusCode());
    }
    StringBuilder gets = new StringBuilder("{\"items\":[");
    for (int i = 0; i < keys.size(); i++) {
      gets.append(i == 0 ? "" : ",")
          .append("{\"op\":\"get\",\"key\":\"")
          .append(keys.get(i))
          .append("\"}");
    }
    var read = batch(map, gets.append("]}").toString());
    assertEquals(200, read.statusCode(), () -> text(read));
    List<Integer> statuses = new ArrayList<>();
    json(read).get("items").forEach(i -> statuses.add(i.get("status").asInt()));
    int found = statuses.indexOf(413);
    assertTrue(found > 20, "the values that fit 1.5 MiB are answered: " + statuses);
    assertTrue(
        statuses.subList(found, statuses.size()).stream().allMatch(s -> s == 413),
        statuses::toString);
    assertTrue(json(read).get("items").get(found).get("detail").asText().contains("GET"));
  }
}
