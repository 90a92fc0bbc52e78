package io.actorgrid.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.actorgrid.grid.internal.Partitioner;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Listing a map's records: pages in key order, prefixes, values inline by their content type,
 * parameters, and cursors while keys change.
 */
class ListingRoutesTest extends RouteTestSupport {
  @Test
  void listingPagesThroughAllKeysInKeyOrder() throws Exception {
    String map = "list-pages";
    List<String> keys = IntStream.range(0, 25).mapToObj(i -> String.format("k%02d", i)).toList();
    Partitioner partitioner = new Partitioner(PARTITIONS);
    assertTrue(
        keys.stream().map(k -> partitioner.partitionOf(map, k)).distinct().count() > 3,
        "the keys must spread over several partitions for this test to mean anything");
    // Written out of order: the order of the listing is the keys', not the writes'.
    List<String> shuffled = new ArrayList<>(keys);
    java.util.Collections.shuffle(shuffled, new java.util.Random(7));
    for (String key : shuffled) {
      assertEquals(201, put(map, key, "value of " + key, "text/plain").statusCode());
    }

    List<String> seen = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      var page = get(list(map, "limit", "10", "cursor", cursor));
      assertEquals(200, page.statusCode(), () -> text(page));
      assertEquals("application/json", mediaType(page));
      JsonNode body = json(page);
      assertEquals(map, body.get("map").asText());
      assertTrue(body.has("cursor"), "the cursor is always present, null on the last page");
      List<String> pageKeys = new ArrayList<>();
      for (JsonNode item : body.get("items")) {
        pageKeys.add(item.get("key").asText());
        assertTrue(item.get("version").asLong() >= 1);
        assertEquals("text/plain", item.get("contentType").asText());
        assertTrue(item.get("created").isTextual() && item.get("updated").isTextual());
        assertFalse(item.has("value") || item.has("valueText") || item.has("valueBase64"));
      }
      sizes.add(pageKeys.size());
      seen.addAll(pageKeys);
      cursor = body.get("cursor").isNull() ? null : body.get("cursor").asText();
      assertTrue(++pages <= 5, "the listing does not end: " + seen);
    } while (cursor != null);

    assertEquals(List.of(10, 10, 5), sizes);
    assertEquals(keys, seen, "every key exactly once, in key order");
  }

  @Test
  void listingOfAMapWithoutEntriesIsEmpty() throws Exception {
    var page = get(list("list-nothing-here"));
    assertEquals(200, page.statusCode());
    JsonNode body = json(page);
    assertEquals(0, body.get("items").size());
    assertTrue(body.get("cursor").isNull());
    // The trailing slash form of the same route.
    var slash = get(URI.create(base + "/v1/maps/list-nothing-here/entries/"));
    assertEquals(200, slash.statusCode());
    assertEquals(0, json(slash).get("items").size());
  }

  @Test
  void listingFiltersByPrefix() throws Exception {
    String map = "list-prefix";
    for (String key : List.of("a", "a-1", "a-2", "a-3", "ab", "b-1", "a-", "A-1", "a-\u00e9")) {
      assertEquals(201, put(map, key, key, "text/plain").statusCode());
    }
    assertEquals(List.of("a-", "a-1", "a-2", "a-3", "a-\u00e9"), listKeys(map, "prefix", "a-"));
    assertEquals(List.of("b-1"), listKeys(map, "prefix", "b"));
    assertEquals(List.of(), listKeys(map, "prefix", "zzz"));
    assertEquals(List.of("a-\u00e9"), listKeys(map, "prefix", "a-\u00e9"));
    assertEquals(9, listKeys(map, "prefix", "").size());

    // Pages within a prefix.
    var first = json(get(list(map, "prefix", "a-", "limit", "2")));
    assertEquals(List.of("a-", "a-1"), keysOf(first));
    String cursor = first.get("cursor").asText();
    var second = json(get(list(map, "prefix", "a-", "limit", "2", "cursor", cursor)));
    assertEquals(List.of("a-2", "a-3"), keysOf(second));
    var third =
        json(get(list(map, "prefix", "a-", "limit", "2", "cursor", second.get("cursor").asText())));
    assertEquals(List.of("a-\u00e9"), keysOf(third));
    assertTrue(third.get("cursor").isNull());
  }

  @Test
  void listingWithValuesRendersEachByItsContentType() throws Exception {
    String map = "list-values";
    byte[] binary = {0, 1, 2, (byte) 0xff, 0};
    String jsonValue = "{\"n\":1,\"list\":[true,null,\"x\"],\"nested\":{\"a\":\"\u00e9\"}}";
    put(map, "1-json", jsonValue, "application/json");
    put(map, "2-merge", "{\"patch\":null}", "application/merge-patch+json");
    put(map, "3-text", "plain \u00e9 text", "text/plain; charset=UTF-8");
    put(map, "4-csv", "a,b\n1,2\n", "text/csv");
    put(map, "5-binary", binary, "application/octet-stream");
    put(map, "6-none", binary, null);
    put(map, "7-json-scalar", "42", "application/json");
    put(map, "8-json-string", "\"just a string\"", "application/json");

    for (String values : List.of("true", "")) {
      var page = get(list(map, "values", values));
      assertEquals(200, page.statusCode(), () -> text(page));
      Map<String, JsonNode> items = itemsByKey(json(page));
      assertEquals(8, items.size());

      assertEquals(JSON.readTree(jsonValue), items.get("1-json").get("value"));
      assertTrue(items.get("1-json").get("value").isObject(), "inline JSON, not a string");
      assertEquals(JSON.readTree("{\"patch\":null}"), items.get("2-merge").get("value"));
      assertEquals("plain \u00e9 text", items.get("3-text").get("valueText").asText());
      assertEquals("a,b\n1,2\n", items.get("4-csv").get("valueText").asText());
      assertEquals(
          Base64.getEncoder().encodeToString(binary),
          items.get("5-binary").get("valueBase64").asText());
      assertEquals(
          Base64.getEncoder().encodeToString(binary),
          items.get("6-none").get("valueBase64").asText());
      assertEquals(42, items.get("7-json-scalar").get("value").asInt());
      assertTrue(items.get("7-json-scalar").get("value").isNumber());
      assertEquals("just a string", items.get("8-json-string").get("value").asText());

      for (JsonNode item : items.values()) {
        int present =
            (item.has("value") ? 1 : 0)
                + (item.has("valueText") ? 1 : 0)
                + (item.has("valueBase64") ? 1 : 0);
        assertEquals(1, present, "exactly one form of the value: " + item);
      }
    }

    Map<String, JsonNode> withoutValues = itemsByKey(json(get(list(map, "values", "false"))));
    assertEquals(8, withoutValues.size());
    for (JsonNode item : withoutValues.values()) {
      assertFalse(
          item.has("value") || item.has("valueText") || item.has("valueBase64"), item::toString);
    }
  }

  @Test
  void listingDecodesTextValuesWithTheirCharset() throws Exception {
    String map = "list-charset";
    byte[] latin1 = "caf\u00e9".getBytes(ISO_8859_1);
    assertEquals(201, put(map, "k", latin1, "text/plain; charset=ISO-8859-1").statusCode());
    var read = get(entry(map, "k"));
    assertArrayEquals(latin1, read.body());
    Map<String, JsonNode> items = itemsByKey(json(get(list(map, "values", "true"))));
    assertEquals("caf\u00e9", items.get("k").get("valueText").asText());
  }

  @Test
  void listingParametersAreValidated() throws Exception {
    String map = "list-bad-params";
    put(map, "k", "v", "text/plain");
    for (String[] params :
        List.of(
            new String[] {"limit", "0"},
            new String[] {"limit", "-1"},
            new String[] {"limit", "100000"},
            new String[] {"limit", "1001"},
            new String[] {"limit", "abc"},
            new String[] {"limit", "1.5"},
            new String[] {"limit", "99999999999"},
            new String[] {"values", "maybe"},
            new String[] {"values", "TRUE1"},
            new String[] {"cursor", "garbage"},
            new String[] {"cursor", "1.!!!not-base64"},
            new String[] {"cursor", "2.azE"})) {
      JsonNode problem = assertProblem(get(list(map, params)), 400);
      assertTrue(
          problem.get("detail").asText().contains(params[0]),
          "the detail names the parameter: " + problem);
    }
    // The limits themselves are fine.
    assertEquals(200, get(list(map, "limit", "1")).statusCode());
    assertEquals(200, get(list(map, "limit", "1000")).statusCode());
    assertProblem(get(list("-bad-map")), 400);
  }

  @Test
  void aCursorStaysValidWhileKeysChange() throws Exception {
    String map = "list-cursor-writes";
    for (int i = 0; i < 20; i++) {
      put(map, String.format("k%02d", i), "v", "text/plain");
    }
    JsonNode first = json(get(list(map, "limit", "10")));
    assertEquals(
        IntStream.range(0, 10).mapToObj(i -> String.format("k%02d", i)).toList(), keysOf(first));
    String cursor = first.get("cursor").asText();

    assertEquals(201, put(map, "k05x", "before the cursor", "text/plain").statusCode());
    assertEquals(201, put(map, "k15x", "after the cursor", "text/plain").statusCode());
    assertEquals(204, delete(entry(map, "k12")).statusCode());
    // The last key of the first page itself goes: the cursor is a position, not a record.
    assertEquals(204, delete(entry(map, "k09")).statusCode());

    JsonNode second = json(get(list(map, "limit", "10", "cursor", cursor)));
    assertEquals(
        List.of("k10", "k11", "k13", "k14", "k15", "k15x", "k16", "k17", "k18", "k19"),
        keysOf(second));
    assertTrue(second.get("cursor").isNull());
  }

  @Test
  void theListingWithValuesIsValidJsonWhateverWasAccepted() throws Exception {
    String map = "json-listing-valid";
    Map<String, byte[]> bodies = new LinkedHashMap<>();
    bodies.put("whitespace", "   ".getBytes(UTF_8));
    bodies.put("bom", "\uFEFF{\"bom\":true}".getBytes(UTF_8));
    bodies.put("utf16", "{\"a\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_16BE));
    List<String> broken = new ArrayList<>();
    for (var body : bodies.entrySet()) {
      var reply = put(map, body.getKey(), body.getValue(), "application/json");
      if (reply.statusCode() != 201) {
        assertProblem(reply, 400); // refusing it is fine too
        continue;
      }
      var page = get(list(map, "values", "true", "prefix", body.getKey()));
      assertEquals(200, page.statusCode());
      try {
        JsonNode item = json(page).get("items").get(0);
        assertTrue(item.has("value"), item::toString);
      } catch (IOException e) {
        broken.add(body.getKey() + " -> " + text(page));
      }
    }
    assertEquals(List.of(), broken, "accepted JSON values whose listing is not JSON");
  }
}
