package io.actorgrid.systemtest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 100 clients send a 32 MiB batch (the documented maximum) at the same time to one node with the
 * tests' 512 MiB heap and the shipped settings: 3.2 GB of bodies. The node's in-flight budget
 * (actorgrid.http.max-in-flight-body-bytes, auto: an eighth of the heap) lets a few in at a time
 * and answers the others 503 with Retry-After before reading them; the node stays up and ready.
 *
 * <p>The bodies are generated while they are sent (a put padded with whitespace), so the test holds
 * none of them in memory. A client whose body is refused may see its connection closed while it is
 * still sending instead of the 503: that counts as refused.
 */
class BodyBudgetTest extends OneNodePerTest {
  private static final int CLIENTS = 100;
  private static final long BATCH_BYTES = 32L * 1024 * 1024;

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void aHundredConcurrentMaximumBatchesLeaveTheNodeUpAndReady() throws Exception {
    node = NodeProcess.start(workDir.resolve("node"), NodePorts.free(), Map.of());
    node.awaitReady(NodeProcess.READY_TIMEOUT);
    HttpClient client =
        TestTls.clientBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(30))
            .build();
    List<CompletableFuture<String>> outcomes = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      String key = "k" + i;
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(node.baseUri() + "/v1/maps/budget:batch"))
              .timeout(Duration.ofMinutes(5))
              .header("Content-Type", "application/json")
              .POST(
                  BodyPublishers.fromPublisher(
                      BodyPublishers.ofInputStream(() -> paddedBatch(key)), BATCH_BYTES))
              .build();
      outcomes.add(
          client
              .sendAsync(request, HttpResponse.BodyHandlers.ofString())
              .handle(
                  (response, error) -> {
                    if (error != null) {
                      return "connection closed while sending";
                    }
                    if (response.statusCode() == 503) {
                      assertTrue(
                          response.headers().firstValue("Retry-After").isPresent(),
                          response::toString);
                    }
                    return Integer.toString(response.statusCode());
                  }));
    }
    Map<String, Integer> counts = new TreeMap<>();
    for (CompletableFuture<String> outcome : outcomes) {
      counts.merge(outcome.get(6, TimeUnit.MINUTES), 1, Integer::sum);
    }
    System.out.println("outcomes of " + CLIENTS + " concurrent 32 MiB batches: " + counts);
    assertTrue(counts.getOrDefault("200", 0) >= 1, counts::toString);
    for (String outcome : counts.keySet()) {
      assertTrue(
          outcome.equals("200") || outcome.equals("503") || outcome.startsWith("connection"),
          counts::toString);
    }

    assertTrue(node.isAlive(), node::logTailForMessage);
    node.awaitReady(NodeProcess.READY_TIMEOUT);
    GridHttpClient api = new GridHttpClient(node.baseUri());
    HttpResponse<String> put = api.put("budget", "after", "text/plain", "fine");
    assertEquals(201, put.statusCode(), () -> GridHttpClient.describe(put));
    assertTrue(!node.log().contains("OutOfMemoryError"), node::logTailForMessage);
  }

  /** {"items":[{"op":"put",...}]} and whitespace up to exactly 32 MiB. */
  private static InputStream paddedBatch(String key) {
    byte[] head =
        ("{\"items\":[{\"op\":\"put\",\"key\":\"" + key + "\",\"value\":\"v\"}]").getBytes(UTF_8);
    return new InputStream() {
      long position;

      @Override
      public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0];
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (position >= BATCH_BYTES) {
          return -1;
        }
        int n = (int) Math.min(len, BATCH_BYTES - position);
        for (int i = 0; i < n; i++) {
          long p = position + i;
          b[off + i] =
              p < head.length ? head[(int) p] : p == BATCH_BYTES - 1 ? (byte) '}' : (byte) ' ';
        }
        position += n;
        return n;
      }
    };
  }
}
