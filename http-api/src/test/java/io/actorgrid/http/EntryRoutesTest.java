package io.actorgrid.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Single records over HTTP: create, replace, read, head and delete; concurrent writes of one key;
 * times to live; retries with an Idempotency-Key.
 */
class EntryRoutesTest extends RouteTestSupport {
  // ---------------------------------------------------------------------------------------------
  // Single records: create, replace, read, head, delete

  @Test
  void putCreatesThenReplacesWithIncreasingVersions() throws Exception {
    String map = "put-replace";
    var created = put(map, "k", "first", "text/plain; charset=UTF-8");
    assertEquals(201, created.statusCode(), () -> text(created));
    assertEquals("application/json", mediaType(created));
    JsonNode reply = json(created);
    assertEquals(Set.of("map", "key", "version"), fieldNames(reply));
    assertEquals(map, reply.get("map").asText());
    assertEquals("k", reply.get("key").asText());
    long v1 = reply.get("version").asLong();
    assertTrue(v1 >= 1, "versions start at 1");
    assertEquals("\"" + v1 + "\"", header(created, "ETag"));

    var replaced = put(map, "k", "second", "text/plain; charset=UTF-8");
    assertEquals(200, replaced.statusCode(), () -> text(replaced));
    long v2 = json(replaced).get("version").asLong();
    assertTrue(v2 > v1, "the version increases: " + v1 + " then " + v2);
    assertEquals("\"" + v2 + "\"", header(replaced, "ETag"));

    var third = put(map, "k", "third", "text/plain; charset=UTF-8");
    assertEquals(200, third.statusCode());
    long v3 = etagVersion(third);
    assertTrue(v3 > v2);

    var read = get(entry(map, "k"));
    assertEquals(200, read.statusCode());
    assertEquals("third", text(read));
    assertEquals("text/plain; charset=UTF-8", header(read, "Content-Type"));
    assertEquals(v3, etagVersion(read));
  }

  @Test
  void getReturnsTheExactBytesAndTheStoredContentType() throws Exception {
    String map = "content-types";
    byte[] binary = {0, 1, 2, 0, (byte) 0xff, (byte) 0xfe, 0, 0x7f, (byte) 0x80, 0};
    // No Content-Type at all: the server treats the body as application/octet-stream.
    var noType = send(request(entry(map, "raw")).PUT(BodyPublishers.ofByteArray(binary)));
    assertEquals(201, noType.statusCode(), () -> text(noType));
    var rawRead = get(entry(map, "raw"));
    assertArrayEquals(binary, rawRead.body());
    assertEquals("application/octet-stream", header(rawRead, "Content-Type"));

    assertEquals(201, put(map, "bin", binary, "application/octet-stream").statusCode());
    var binRead = get(entry(map, "bin"));
    assertArrayEquals(binary, binRead.body());
    assertEquals("application/octet-stream", header(binRead, "Content-Type"));

    byte[] utf8 = "grüße, 世界 \uD83D\uDE00".getBytes(UTF_8);
    assertEquals(201, put(map, "text", utf8, "text/plain; charset=UTF-8").statusCode());
    var textRead = get(entry(map, "text"));
    assertArrayEquals(utf8, textRead.body());
    assertEquals("text/plain; charset=UTF-8", header(textRead, "Content-Type"));

    byte[] json = "{\"a\":[1,2,{\"b\":null}],\"c\":\"\u00e9\"}".getBytes(UTF_8);
    assertEquals(201, put(map, "json", json, "application/json").statusCode());
    var jsonRead = get(entry(map, "json"));
    assertArrayEquals(json, jsonRead.body());
    assertEquals("application/json", header(jsonRead, "Content-Type"));

    byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0, 0};
    assertEquals(201, put(map, "png", png, "image/png").statusCode());
    var pngRead = get(entry(map, "png"));
    assertArrayEquals(png, pngRead.body());
    assertEquals("image/png", header(pngRead, "Content-Type"));
  }

  @Test
  void anEmptyValueIsAValue() throws Exception {
    String map = "empty-value";
    var created = put(map, "nothing", new byte[0], "application/octet-stream");
    assertEquals(201, created.statusCode(), () -> text(created));
    var read = get(entry(map, "nothing"));
    assertEquals(200, read.statusCode());
    assertEquals(0, read.body().length);
    assertEquals(etagVersion(created), etagVersion(read));
  }

  @Test
  void headGivesTheHeadersOfGetWithoutABody() throws Exception {
    String map = "head";
    byte[] value = "twelve bytes".getBytes(UTF_8);
    long version = etagVersion(put(map, "k", value, "text/plain; charset=UTF-8"));

    var head = send(request(entry(map, "k")).method("HEAD", BodyPublishers.noBody()));
    assertEquals(200, head.statusCode());
    assertEquals(0, head.body().length);
    assertEquals("\"" + version + "\"", header(head, "ETag"));
    assertEquals("text/plain; charset=UTF-8", header(head, "Content-Type"));
    assertEquals(String.valueOf(value.length), header(head, "Content-Length"));

    var conditional =
        send(
            request(entry(map, "k"))
                .header("If-None-Match", "\"" + version + "\"")
                .method("HEAD", BodyPublishers.noBody()));
    assertEquals(304, conditional.statusCode());

    var absent = send(request(entry(map, "absent")).method("HEAD", BodyPublishers.noBody()));
    assertEquals(404, absent.statusCode());
    assertEquals(0, absent.body().length);
    assertEquals("application/problem+json", mediaType(absent));
  }

  @Test
  void absentKeysAre404Problems() throws Exception {
    String map = "absent";
    JsonNode problem = assertProblem(get(entry(map, "never-written")), 404);
    assertTrue(problem.get("detail").asText().contains("never-written"), problem::toString);
    assertProblem(delete(entry(map, "never-written")), 404);
    assertProblem(get(entry("a-map-that-was-never-used", "k")), 404);
  }

  @Test
  void deleteAnswers204ThenTheKeyIsGone() throws Exception {
    String map = "delete";
    assertEquals(201, put(map, "k", "v", "text/plain").statusCode());
    var deleted = delete(entry(map, "k"));
    assertEquals(204, deleted.statusCode());
    assertEquals(0, deleted.body().length);
    assertProblem(get(entry(map, "k")), 404);
    assertProblem(delete(entry(map, "k")), 404);
    // A deleted key can be created again; 201 says it did not exist.
    assertEquals(201, put(map, "k", "again", "text/plain").statusCode());
    assertEquals("again", text(get(entry(map, "k"))));
  }

  // ---------------------------------------------------------------------------------------------
  // Concurrency

  @Test
  void concurrentCreatesOfOneKeyHaveExactlyOneWinner() throws Exception {
    String map = "race-create";
    int writers = 20;
    List<CompletableFuture<HttpResponse<byte[]>>> replies = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      replies.add(
          sendAsync(
              request(entry(map, "contended"))
                  .header("Content-Type", "text/plain")
                  .header("If-None-Match", "*")
                  .PUT(BodyPublishers.ofString("writer " + i))));
    }
    List<Integer> winners = new ArrayList<>();
    long winningVersion = 0;
    for (int i = 0; i < writers; i++) {
      var reply = replies.get(i).get(REQUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      if (reply.statusCode() == 201) {
        winners.add(i);
        winningVersion = etagVersion(reply);
      } else {
        assertProblem(reply, 412);
      }
    }
    assertEquals(1, winners.size(), "exactly one create wins: " + winners);
    var read = get(entry(map, "contended"));
    assertEquals("writer " + winners.get(0), text(read));
    assertEquals(winningVersion, etagVersion(read));
  }

  @Test
  void concurrentUnconditionalPutsGetDistinctVersionsAndTheLastOneWins() throws Exception {
    String map = "race-put";
    int writers = 50;
    List<CompletableFuture<HttpResponse<byte[]>>> replies = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      replies.add(
          sendAsync(
              request(entry(map, "contended"))
                  .header("Content-Type", "text/plain")
                  .PUT(BodyPublishers.ofString("writer " + i))));
    }
    Map<Long, Integer> writerByVersion = new LinkedHashMap<>();
    int created = 0;
    for (int i = 0; i < writers; i++) {
      var reply = replies.get(i).get(REQUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      int status = reply.statusCode();
      assertTrue(status == 200 || status == 201, () -> status + ": " + text(reply));
      created += status == 201 ? 1 : 0;
      long version = json(reply).get("version").asLong();
      assertEquals(version, etagVersion(reply));
      Integer previous = writerByVersion.put(version, i);
      assertEquals(null, previous, "version " + version + " was given twice");
    }
    assertEquals(1, created, "one of them created the key");
    long highest = writerByVersion.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
    var read = get(entry(map, "contended"));
    assertEquals(highest, etagVersion(read));
    assertEquals("writer " + writerByVersion.get(highest), text(read));
  }

  // ---------------------------------------------------------------------------------------------
  // Time to live

  @Test
  void aRecordWithATtlIsReturnedUntilItExpiresThenNeverAgain() throws Exception {
    String map = "ttl-expiry";
    long before = System.currentTimeMillis();
    var created = send(putRequest(map, "short", "{}", "application/json", "?ttl=1500ms"));
    assertEquals(201, created.statusCode(), () -> text(created));
    assertEquals(201, put(map, "forever", "{}", "application/json").statusCode());
    var read = get(entry(map, "short"));
    assertEquals(200, read.statusCode());
    long expiresAt = java.time.Instant.parse(header(read, "Grid-Expires-At")).toEpochMilli();
    assertTrue(
        expiresAt >= before + 1500 && expiresAt <= System.currentTimeMillis() + 1500,
        "expires 1.5 s after the write: " + expiresAt);
    assertTrue(itemsByKey(json(get(list(map)))).get("short").has("expiresAt"));
    assertFalse(itemsByKey(json(get(list(map)))).get("forever").has("expiresAt"));

    while (System.currentTimeMillis() <= expiresAt) {
      Thread.sleep(50);
    }
    assertProblem(get(entry(map, "short")), 404);
    assertEquals(List.of("forever"), listKeys(map));
    assertEquals(1, json(get(mapUri(map))).get("entries").asLong());
    assertEquals(200, get(entry(map, "forever")).statusCode());
  }

  @Test
  void aPutWithoutTtlMakesARecordPermanentAgain() throws Exception {
    String map = "ttl-removed";
    send(putRequest(map, "k", "1", "application/json", "?ttl=1h"));
    assertTrue(get(entry(map, "k")).headers().firstValue("Grid-Expires-At").isPresent());
    put(map, "k", "2", "application/json");
    assertTrue(get(entry(map, "k")).headers().firstValue("Grid-Expires-At").isEmpty());
  }

  @Test
  void badTimesToLiveAre400WithTheFormat() throws Exception {
    for (String ttl : List.of("abc", "30", "5x", "-1s", "0s", "1.5s", "", "999999999999d")) {
      var reply = send(putRequest("ttl-bad", "k", "v", "text/plain", "?ttl=" + encode(ttl)));
      JsonNode problem = assertProblem(reply, 400);
      assertTrue(problem.get("detail").asText().contains("ttl"), problem::toString);
    }
    var tooLong = send(putRequest("ttl-bad", "k", "v", "text/plain", "?ttl=4000d"));
    assertTrue(assertProblem(tooLong, 400).get("detail").asText().contains("max-ttl"));
    assertProblem(send(request(URI.create(entry("ttl-bad", "k") + "?ttl=1s")).DELETE()), 400);
    assertProblem(get(entry("ttl-bad", "k")), 404);
  }

  // ---------------------------------------------------------------------------------------------
  // Idempotent retries

  @Test
  void aRetriedWriteWithTheSameIdempotencyKeyReturnsTheFirstOutcome() throws Exception {
    String map = "idempotent";
    var first = put(map, "k", "one", "text/plain", "Idempotency-Key", "req-1");
    assertEquals(201, first.statusCode());
    long version = etagVersion(first);
    put(map, "other", "x", "text/plain");
    var retry = put(map, "k", "one", "text/plain", "Idempotency-Key", "req-1");
    assertEquals(201, retry.statusCode(), "the original status");
    assertEquals(version, etagVersion(retry), "the original version");
    assertEquals(version, etagVersion(get(entry(map, "k"))), "nothing was written again");

    JsonNode reused =
        assertProblem(put(map, "k", "two", "text/plain", "Idempotency-Key", "req-1"), 422);
    assertTrue(reused.get("detail").asText().contains("req-1"));
    assertEquals("one", text(get(entry(map, "k"))));

    String[] key = {"Idempotency-Key", "req-2"};
    var counted = post(increment(map, "c"), "{\"delta\":10}", "application/json", key);
    var again = post(increment(map, "c"), "{\"delta\":10}", "application/json", key);
    assertEquals(counted.statusCode(), again.statusCode());
    assertEquals(json(counted), json(again));
    assertEquals("10", text(get(entry(map, "c"))));

    assertEquals(204, delete(entry(map, "k"), "Idempotency-Key", "req-3").statusCode());
    put(map, "k", "three", "text/plain");
    assertEquals(204, delete(entry(map, "k"), "Idempotency-Key", "req-3").statusCode());
    assertEquals("three", text(get(entry(map, "k"))), "the retried delete deleted nothing new");

    var patched = patch(entry(map, "doc-absent"), "{}", "Idempotency-Key", "req-4");
    assertProblem(patched, 404);
    put(map, "doc-absent", "{}", "application/json");
    assertProblem(patch(entry(map, "doc-absent"), "{}", "Idempotency-Key", "req-4"), 404);
    assertEquals("{}", text(get(entry(map, "doc-absent"))), "the retried patch changed nothing");

    // A batch whose delete found nothing and whose put created: its retry answers the same and
    // leaves the record the first attempt left.
    String mixed =
        "{\"items\":[{\"op\":\"delete\",\"key\":\"m1\"},"
            + "{\"op\":\"put\",\"key\":\"m1\",\"value\":1}]}";
    var mixed1 = send(batchRequest(map, mixed).header("Idempotency-Key", "req-6"));
    var mixed2 = send(batchRequest(map, mixed).header("Idempotency-Key", "req-6"));
    assertEquals(
        json(mixed1).get("items").get(0).get("status"),
        json(mixed2).get("items").get(0).get("status"));
    assertEquals(404, json(mixed2).get("items").get(0).get("status").asInt());
    assertEquals(json(mixed1).get("items").get(1), json(mixed2).get("items").get(1));
    assertEquals("1", text(get(entry(map, "m1"))), "the retry did not delete m1");

    String batchBody =
        "{\"items\":[{\"op\":\"put\",\"key\":\"b1\",\"value\":1},"
            + "{\"op\":\"get\",\"key\":\"b1\"}]}";
    var batch1 = send(batchRequest(map, batchBody).header("Idempotency-Key", "req-5"));
    put(map, "b1", "2", "application/json");
    var batch2 = send(batchRequest(map, batchBody).header("Idempotency-Key", "req-5"));
    assertEquals(
        json(batch1).get("items").get(0), json(batch2).get("items").get(0), "the put's outcome");
    assertEquals("2", text(get(entry(map, "b1"))), "the retried batch put nothing");

    for (String bad : List.of("x".repeat(256), "two words")) {
      assertProblem(
          send(
              request(entry(map, "k"))
                  .header("Content-Type", "text/plain")
                  .header("Idempotency-Key", bad)
                  .PUT(BodyPublishers.ofString("v"))),
          400);
    }
  }
}
