package io.actorgrid.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * What a client may send to the single-record routes: keys, map names and values at their limits,
 * chunked bodies, and bodies whose content type says JSON.
 */
class EntryInputTest extends RouteTestSupport {
  // ---------------------------------------------------------------------------------------------
  // Keys, map names and values at their limits

  @Test
  void keysWithSpacesUnicodeAndSlashesRoundTrip() throws Exception {
    String map = "odd-keys";
    List<String> keys =
        List.of(
            "with space",
            "ünïcödé-日本語-\uD83D\uDE00",
            "a/b",
            "/leading",
            "100%",
            "a+b",
            "q?x=1&y#frag",
            "semi;colon",
            "quote\"s'");
    for (String key : keys) {
      var created = put(map, key, "value of " + key, "text/plain; charset=UTF-8");
      assertEquals(201, created.statusCode(), () -> key + ": " + text(created));
      assertEquals(key, json(created).get("key").asText());
      var read = get(entry(map, key));
      assertEquals(200, read.statusCode(), key);
      assertEquals("value of " + key, text(read));
    }
    assertEquals(new TreeSet<>(keys), new TreeSet<>(listKeys(map)));
    // Key order is String order: '+' (0x2B) sorts before '/' (0x2F).
    assertEquals(List.of("a+b", "a/b"), listKeys(map, "prefix", "a"));
    assertEquals(204, delete(entry(map, "a/b")).statusCode());
    assertProblem(get(entry(map, "a/b")), 404);
    // "a/b" as two path segments is another route, which does not exist.
    assertProblem(get(URI.create(base + "/v1/maps/" + map + "/entries/a/b")), 404);
  }

  @Test
  void keysUpTo1024BytesOfUtf8AreAccepted() throws Exception {
    String map = "key-length";
    String ascii1024 = "k".repeat(MAX_KEY_BYTES);
    var created = put(map, ascii1024, "v", "text/plain");
    assertEquals(201, created.statusCode(), () -> text(created));
    assertEquals("v", text(get(entry(map, ascii1024))));
    assertEquals(List.of(ascii1024), listKeys(map, "prefix", "kkk"));

    JsonNode problem = assertProblem(put(map, ascii1024 + "k", "v", "text/plain"), 400);
    assertTrue(problem.get("detail").asText().contains("1025"), problem::toString);
    assertProblem(get(entry(map, ascii1024 + "k")), 400);
    assertProblem(delete(entry(map, ascii1024 + "k")), 400);

    // Bytes, not characters: 100 two-byte characters make these 1024 and 1025 bytes long in only
    // 924 and 925 characters (short enough for any URI limit).
    String mixed1024 = "\u00e9".repeat(100) + "m".repeat(MAX_KEY_BYTES - 200);
    assertEquals(MAX_KEY_BYTES, mixed1024.getBytes(UTF_8).length);
    var mixedCreated = put(map, mixed1024, "mixed", "text/plain");
    assertEquals(201, mixedCreated.statusCode(), () -> text(mixedCreated));
    assertEquals("mixed", text(get(entry(map, mixed1024))));
    JsonNode mixedProblem = assertProblem(put(map, mixed1024 + "m", "v", "text/plain"), 400);
    assertTrue(mixedProblem.get("detail").asText().contains("1025"), mixedProblem::toString);
  }

  @Test
  void keysOf1024BytesOfMultiByteCharactersAreAccepted() throws Exception {
    String map = "key-length-multibyte";
    String euro1024 = "\u20ac".repeat(341) + "e"; // 341 * 3 + 1 = 1024 bytes
    assertEquals(MAX_KEY_BYTES, euro1024.getBytes(UTF_8).length);
    var created = put(map, euro1024, "v", "text/plain");
    assertEquals(201, created.statusCode(), () -> text(created));
    assertEquals("v", text(get(entry(map, euro1024))));
    assertEquals(List.of(euro1024), listKeys(map, "prefix", euro1024));

    JsonNode problem = assertProblem(put(map, euro1024 + "\u20ac", "v", "text/plain"), 400);
    assertTrue(problem.get("detail").asText().contains("1027"), problem::toString);
  }

  @Test
  void badMapNamesAre400() throws Exception {
    for (String name :
        List.of(
            "-starts-with-dash", ".dot", "has space", "bang!", "sl/ash", "x".repeat(129), "ünï")) {
      JsonNode problem = assertProblem(put(name, "k", "v", "text/plain"), 400);
      assertTrue(problem.get("detail").asText().contains("map name"), problem::toString);
      assertProblem(get(entry(name, "k")), 400);
      assertProblem(delete(entry(name, "k")), 400);
      assertProblem(get(list(name)), 400);
    }
    // The longest valid name.
    assertEquals(201, put("x".repeat(128), "k", "v", "text/plain").statusCode());
  }

  // Over-limit bodies here are one byte over: the node answers before it has read a body, then
  // closes the connection, and a client still sending a much larger body may see the reset
  // instead of the 413 (that depends on timing, so it is not asserted).
  @Test
  void valuesUpToTheLimitAreStoredAndLargerOnesAre413() throws Exception {
    String map = "value-limit";
    byte[] atLimit = pattern(MAX_VALUE_BYTES);
    var created = put(map, "at-limit", atLimit, "application/octet-stream");
    assertEquals(201, created.statusCode(), () -> text(created));
    assertArrayEquals(atLimit, get(entry(map, "at-limit")).body());

    JsonNode problem =
        assertProblem(
            put(map, "over", pattern(MAX_VALUE_BYTES + 1), "application/octet-stream"), 413);
    assertTrue(
        problem.get("detail").asText().contains(String.valueOf(MAX_VALUE_BYTES)),
        problem::toString);
    assertProblem(get(entry(map, "over")), 404);

    // A replace that is too large keeps the old value.
    assertProblem(
        put(map, "at-limit", pattern(MAX_VALUE_BYTES + 1), "application/octet-stream"), 413);
    var kept = get(entry(map, "at-limit"));
    assertArrayEquals(atLimit, kept.body());
    assertEquals(etagVersion(created), etagVersion(kept));
  }

  @Test
  void chunkedBodiesWithoutContentLengthAreLimitedToo() throws Exception {
    String map = "value-limit-chunked";
    byte[] atLimit = pattern(MAX_VALUE_BYTES);
    var created = putChunked(map, "at-limit", atLimit);
    assertEquals(201, created.statusCode(), () -> text(created));
    assertArrayEquals(atLimit, get(entry(map, "at-limit")).body());

    // Refused and not stored; that the status is 413 is checked below (disabled: a bug).
    var over = putChunked(map, "over", pattern(MAX_VALUE_BYTES + 1));
    assertTrue(over.statusCode() >= 400 && over.statusCode() < 500, () -> text(over));
    assertProblem(over, over.statusCode());
    assertProblem(get(entry(map, "over")), 404);
    assertArrayEquals(atLimit, get(entry(map, "at-limit")).body());
  }

  @Test
  void chunkedBodiesOverTheLimitAre413() throws Exception {
    String map = "value-limit-chunked-413";
    JsonNode problem = assertProblem(putChunked(map, "over", pattern(MAX_VALUE_BYTES + 1)), 413);
    assertTrue(
        problem.get("detail").asText().contains(String.valueOf(MAX_VALUE_BYTES)),
        problem::toString);
    assertProblem(get(entry(map, "over")), 404);
  }

  // ---------------------------------------------------------------------------------------------
  // JSON bodies

  @Test
  void jsonBodiesMustBeValidJson() throws Exception {
    String map = "json-validation";
    for (String type :
        List.of(
            "application/json",
            "application/merge-patch+json",
            "application/vnd.example+json",
            "application/problem+json")) {
      for (String body : List.of("{\"a\":", "{} x", "{}{}", "not json", "{'a':1}", "[1,]", "")) {
        JsonNode problem = assertProblem(put(map, "k", body, type), 400);
        assertTrue(
            problem.get("detail").asText().contains("JSON")
                || problem.get("detail").asText().contains("empty"),
            problem::toString);
      }
      assertProblem(get(entry(map, "k")), 404);
    }

    for (String body : List.of("{}", "[]", "null", "0", "\"s\"", " {\"a\" : [1, 2]} \n")) {
      var ok = put(map, "valid", body, "application/json");
      assertTrue(ok.statusCode() == 201 || ok.statusCode() == 200, () -> body + ": " + text(ok));
      assertEquals(body, text(get(entry(map, "valid"))));
    }
    assertEquals(
        201, put(map, "patch", "{\"a\":null}", "application/merge-patch+json").statusCode());

    // Only JSON types are checked: the same bytes are a fine text or binary value.
    for (String type : List.of("text/plain", "application/octet-stream", "text/x-json")) {
      String key = "not-json-as-" + type.replace('/', '-');
      var accepted = put(map, key, "{} x", type);
      assertEquals(201, accepted.statusCode(), () -> type + ": " + text(accepted));
      assertEquals("{} x", text(get(entry(map, key))));
    }
  }

  @Test
  void aWhitespaceOnlyJsonBodyIsRejected() throws Exception {
    String map = "json-whitespace";
    assertProblem(put(map, "k", "   ", "application/json"), 400);
    assertProblem(put(map, "k", "\n", "application/merge-patch+json"), 400);
    assertProblem(get(entry(map, "k")), 404);
  }
}
