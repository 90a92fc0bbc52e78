package io.actorgrid.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The body limits the README documents are the ones the node applies, on every route that takes a
 * body: up to the limit the request is served, above it the answer is a 413 problem that names the
 * setting, whether the body declares its length or arrives chunked.
 *
 * <p>An over-limit body that declares its length is answered before any of it is read: those
 * requests go over a raw socket as a head alone (a client still sending a large body when the node
 * closes the connection may see the reset instead of the 413).
 */
class BodyLimitsTest extends RouteTestSupport {
  private static final long MAX_BATCH_BODY = 32L * 1024 * 1024;

  @Test
  void batchBodiesLargerThanPekkosToStrictCeilingAreServed() throws Exception {
    // 9 MiB: Pekko's toStrict refuses more than 8 MiB by default (max-to-strict-bytes), which
    // used to answer 400 "Request too large" for batches the README allows.
    var reply = send(batchOfSize("big-batch", 9L * 1024 * 1024, false));
    assertEquals(200, reply.statusCode(), () -> text(reply));
    assertEquals(201, json(reply).get("items").get(0).get("status").asInt(), () -> text(reply));
  }

  @Test
  void aBatchBodyOfExactlyTheLimitIsServed() throws Exception {
    var reply = send(batchOfSize("limit-batch", MAX_BATCH_BODY, false));
    assertEquals(200, reply.statusCode(), () -> text(reply));
  }

  @Test
  void batchBodiesOverTheLimitAre413WithOrWithoutContentLength() throws Exception {
    JsonNode declared =
        assertRawProblem(
            headOnly("POST", "/v1/maps/over-batch:batch", "application/json", MAX_BATCH_BODY + 1),
            413);
    assertTrue(
        declared.get("detail").asText().contains("max-batch-body-bytes"), declared::toString);
    JsonNode chunked =
        assertProblem(send(batchOfSize("over-batch", MAX_BATCH_BODY + 1, true)), 413);
    assertTrue(chunked.get("detail").asText().contains("max-batch-body-bytes"), chunked::toString);
    assertProblem(get(entry("over-batch", "k")), 404);
  }

  @Test
  void everyRouteWithABodyAnswers413AboveTheValueLimit() throws Exception {
    String map = "value-routes";
    byte[] overBody = new byte[MAX_VALUE_BYTES + 1];
    Arrays.fill(overBody, (byte) ' ');
    overBody[0] = '{';
    overBody[overBody.length - 1] = '}';
    assertEquals(201, put(map, "k", "{}", "application/json").statusCode());
    URI entry = entry(map, "k");
    String entryPath = "/v1/maps/" + map + "/entries/k";
    String mapPath = "/v1/maps/" + map;
    long over = MAX_VALUE_BYTES + 1;
    for (String head :
        new String[] {
          headOnly("PUT", entryPath, "application/json", over),
          headOnly("PATCH", entryPath, "application/merge-patch+json", over),
          headOnly("POST", entryPath + ":increment", "application/json", over),
          headOnly("PUT", mapPath, "application/json", over),
        }) {
      JsonNode problem = assertRawProblem(head, 413);
      assertTrue(
          problem.get("detail").asText().contains(String.valueOf(MAX_VALUE_BYTES)),
          problem::toString);
    }
    // Chunked bodies are read up to the limit, then refused the same way.
    HttpRequest.Builder[] chunked = {
      request(entry).header("Content-Type", "application/json").PUT(chunked(overBody)),
      request(entry)
          .header("Content-Type", "application/merge-patch+json")
          .method("PATCH", chunked(overBody)),
      request(increment(map, "n"))
          .header("Content-Type", "application/json")
          .POST(chunked(overBody)),
      request(mapUri(map)).header("Content-Type", "application/json").PUT(chunked(overBody)),
    };
    for (HttpRequest.Builder request : chunked) {
      JsonNode problem = assertProblem(send(request), 413);
      assertTrue(
          problem.get("detail").asText().contains(String.valueOf(MAX_VALUE_BYTES)),
          problem::toString);
    }
    assertEquals("{}", text(get(entry)));
  }

  /**
   * A batch of one put whose body is padded with whitespace to exactly {@code size} bytes (valid
   * JSON of any size without building it in memory twice).
   */
  private static HttpRequest.Builder batchOfSize(String map, long size, boolean chunked) {
    byte[] head = "{\"items\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"}]".getBytes(UTF_8);
    byte[] tail = "}".getBytes(UTF_8);
    long padding = size - head.length - tail.length;
    InputStream spaces =
        new InputStream() {
          long left = padding;

          @Override
          public int read() {
            return left-- > 0 ? ' ' : -1;
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (left <= 0) {
              return -1;
            }
            int n = (int) Math.min(len, left);
            Arrays.fill(b, off, off + n, (byte) ' ');
            left -= n;
            return n;
          }
        };
    InputStream all =
        new SequenceInputStream(
            new ByteArrayInputStream(head),
            new SequenceInputStream(spaces, new ByteArrayInputStream(tail)));
    BodyPublisher stream = BodyPublishers.ofInputStream(() -> all);
    BodyPublisher body = chunked ? stream : BodyPublishers.fromPublisher(stream, size);
    return request(URI.create(base + "/v1/maps/" + encode(map) + ":batch"))
        .header("Content-Type", "application/json")
        .POST(body);
  }

  private static BodyPublisher chunked(byte[] bytes) {
    return BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes));
  }

  /** A request head that announces a body of {@code length} bytes, without the body. */
  private static String headOnly(String method, String path, String type, long length) {
    return method
        + " "
        + path
        + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
        + type
        + "\r\nContent-Length: "
        + length
        + "\r\n\r\n";
  }

  private static JsonNode assertRawProblem(String head, int status) throws Exception {
    RawHttp.Response reply = RawHttp.exchange(base, head.getBytes(UTF_8), Duration.ofSeconds(60));
    assertEquals(status, reply.status(), reply::text);
    assertEquals(
        "application/problem+json", reply.headers().get("content-type").split(";")[0].trim());
    JsonNode problem = JSON.readTree(reply.body());
    assertEquals(status, problem.get("status").asInt());
    return problem;
  }
}
