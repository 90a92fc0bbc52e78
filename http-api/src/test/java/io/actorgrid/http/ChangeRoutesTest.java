package io.actorgrid.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** GET /v1/changes and /v1/maps/{map}/changes over real HTTP, as SSE and as NDJSON. */
class ChangeRoutesTest extends RouteTestSupport {
  private static final ExecutorService reads = Executors.newCachedThreadPool();

  @AfterAll
  static void stopReads() {
    reads.shutdownNow();
  }

  /** One streamed response, read line by line; lines are awaited generously, never timed. */
  static final class Stream implements AutoCloseable {
    final HttpResponse<InputStream> response;
    final BufferedReader lines;

    Stream(HttpResponse<InputStream> response) {
      this.response = response;
      this.lines = new BufferedReader(new InputStreamReader(response.body(), UTF_8));
    }

    String line() throws Exception {
      Future<String> next = reads.submit(lines::readLine);
      String line = next.get(REQUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      assertNotNull(line, "the stream ended");
      return line;
    }

    /** The next SSE event (comments skipped): its field lines, without the blank line. */
    List<String> event() throws Exception {
      List<String> fields = new ArrayList<>();
      while (true) {
        String line = line();
        if (line.isEmpty()) {
          if (!fields.isEmpty()) {
            return fields;
          }
        } else if (!line.startsWith(":")) {
          fields.add(line);
        }
      }
    }

    /** The next SSE event that carries data, as JSON, with its id checked against the data's. */
    JsonNode change() throws Exception {
      List<String> fields;
      do {
        fields = event();
      } while (fields.size() == 1 && fields.get(0).startsWith("id: "));
      assertEquals(2, fields.size(), fields::toString);
      assertTrue(fields.get(0).startsWith("id: "), fields::toString);
      assertTrue(fields.get(1).startsWith("data: "), fields::toString);
      JsonNode data = JSON.readTree(fields.get(1).substring("data: ".length()));
      assertEquals(fields.get(0).substring("id: ".length()), data.get("id").asText());
      return data;
    }

    /** The next NDJSON line that is a change (not a checkpoint). */
    JsonNode ndjsonChange() throws Exception {
      JsonNode line;
      do {
        line = JSON.readTree(line());
      } while (line.size() == 1);
      return line;
    }

    @Override
    public void close() throws java.io.IOException {
      response.body().close();
    }
  }

  static Stream open(URI uri, String... headers) throws Exception {
    HttpResponse<InputStream> response =
        http.send(withHeaders(request(uri), headers).GET().build(), BodyHandlers.ofInputStream());
    return new Stream(response);
  }

  static URI changes(String map, String query) {
    return URI.create(base + "/v1/maps/" + encode(map) + "/changes" + query);
  }

  @Test
  void serverSentEventsCarryEachChangeWithAResumableId() throws Exception {
    String map = "sse";
    List<JsonNode> seen = new ArrayList<>();
    List<Long> versions = new ArrayList<>();
    try (Stream sse = open(changes(map, "?values=true"), "Accept", "text/event-stream")) {
      assertEquals(200, sse.response.statusCode());
      assertEquals("text/event-stream", mediaType(sse.response));
      List<String> start = sse.event();
      assertEquals(1, start.size(), "the start is a checkpoint: an event with only an id");
      assertTrue(start.get(0).startsWith("id: "));

      versions.add(etagVersion(put(map, "a", "{\"n\":1}", "application/json")));
      versions.add(etagVersion(put(map, "b", "hello", "text/plain")));
      versions.add(etagVersion(put(map, "c", new byte[] {1, 2}, "application/octet-stream")));
      for (int i = 0; i < 3; i++) {
        seen.add(sse.change());
      }
    }
    JsonNode a = seen.get(0);
    assertEquals(
        Set.of("id", "map", "key", "op", "version", "time", "contentType", "value"), fieldNames(a));
    assertEquals("sse", a.get("map").asText());
    assertEquals("a", a.get("key").asText());
    assertEquals("put", a.get("op").asText());
    assertEquals(versions.get(0), a.get("version").asLong());
    Instant.parse(a.get("time").asText());
    assertEquals(1, a.get("value").get("n").asInt());
    assertEquals("hello", seen.get(1).get("valueText").asText());
    assertEquals("AQI=", seen.get(2).get("valueBase64").asText());

    assertEquals(204, delete(entry(map, "a")).statusCode());
    // What an EventSource sends when it reconnects: the URL it started with and Last-Event-ID,
    // which wins over the URL's start.
    try (Stream resumed =
        open(
            changes(map, "?from=beginning"),
            "Accept",
            "text/event-stream",
            "Last-Event-ID",
            seen.get(1).get("id").asText())) {
      assertEquals(200, resumed.response.statusCode());
      JsonNode c = resumed.change();
      assertEquals("c", c.get("key").asText());
      assertEquals(seen.get(2).get("id"), c.get("id"));
      assertFalse(c.has("value"), "values only when asked");
      JsonNode deleted = resumed.change();
      assertEquals("a", deleted.get("key").asText());
      assertEquals("delete", deleted.get("op").asText());
    }
  }

  @Test
  void ndjsonCarriesTheSameObjectsOnePerLine() throws Exception {
    String map = "ndjson";
    String firstId;
    try (Stream lines = open(changes(map, ""), "Accept", "application/x-ndjson")) {
      assertEquals(200, lines.response.statusCode());
      assertEquals("application/x-ndjson", mediaType(lines.response));
      JsonNode start = JSON.readTree(lines.line());
      assertEquals(Set.of("id"), fieldNames(start), "the start is a checkpoint: only an id");
      put(map, "x/1", "1", "text/plain");
      put(map, "y/1", "1", "text/plain");
      JsonNode x = lines.ndjsonChange();
      assertEquals("x/1", x.get("key").asText());
      assertEquals("put", x.get("op").asText());
      firstId = x.get("id").asText();
      assertEquals("y/1", lines.ndjsonChange().get("key").asText());
    }
    put(map, "x/2", "1", "text/plain");
    try (Stream resumed =
        open(changes(map, "?prefix=x/&after=" + firstId), "Accept", "application/x-ndjson")) {
      assertEquals("x/2", resumed.ndjsonChange().get("key").asText(), "after the id, by prefix");
    }
    try (Stream all =
        open(URI.create(base + "/v1/changes?after=" + firstId), "Accept", "application/x-ndjson")) {
      JsonNode next = all.ndjsonChange();
      while (!next.get("map").asText().equals(map)) {
        next = all.ndjsonChange();
      }
      assertEquals("y/1", next.get("key").asText(), "every map's feed resumes at the same id");
    }
  }

  @Test
  void badInputIsA400AndOtherFormatsA406() throws Exception {
    assertProblem(get(changes("bad", "?after=not-an-id!"), "Accept", "text/event-stream"), 400);
    assertProblem(get(changes("bad", "?after=AQI"), "Accept", "text/event-stream"), 400);
    assertProblem(get(changes("bad", "?from=yesterday"), "Accept", "text/event-stream"), 400);
    assertProblem(get(changes("bad", "?values=maybe"), "Accept", "text/event-stream"), 400);
    assertProblem(
        get(URI.create(base + "/v1/changes?prefix=x"), "Accept", "text/event-stream"), 400);
    assertProblem(get(changes("bad", "?after=AQI&from=now"), "Accept", "text/event-stream"), 400);
    assertProblem(
        get(changes("bad", ""), "Accept", "text/event-stream", "Last-Event-ID", "garbage!"), 400);
    assertProblem(get(changes("bad name", ""), "Accept", "text/event-stream"), 400);
    JsonNode problem = assertProblem(get(changes("bad", ""), "Accept", "application/json"), 406);
    assertTrue(problem.get("detail").asText().contains("text/event-stream"));
  }

  @Test
  void anyAcceptGetsServerSentEvents() throws Exception {
    try (Stream sse = open(URI.create(base + "/v1/changes"), "Accept", "*/*")) {
      assertEquals(200, sse.response.statusCode());
      assertEquals("text/event-stream", mediaType(sse.response));
      assertEquals("no-cache", header(sse.response, "Cache-Control"));
      assertTrue(sse.event().get(0).startsWith("id: "));
    }
  }
}
