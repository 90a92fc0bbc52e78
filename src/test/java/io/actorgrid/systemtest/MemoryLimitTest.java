package io.actorgrid.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node whose heap fills with records refuses writes that add data (507) before it runs out of
 * memory, keeps serving reads, restarts with the same heap holding every acknowledged record, and
 * takes writes again once deletes have made room.
 *
 * <p>The node runs with a 320 MiB heap instead of bin/actorgrid's 2 GiB, so that it fills in about
 * a minute of batches; every other setting is the shipped default (one node, RocksDB).
 */
class MemoryLimitTest extends OneNodePerTest {

  private static final List<String> SMALL_HEAP = List.of("-Xms320m", "-Xmx320m");
  private static final String MAP = "memory";
  private static final int BATCH = 500;
  private static final String VALUE = "\"" + "x".repeat(1000) + "\"";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void aFullNodeRefusesNewDataKeepsWhatItAcknowledgedAndTakesWritesAgainAfterDeletes()
      throws Exception {
    node = NodeProcess.start(workDir.resolve("node"), NodePorts.free(), Map.of(), SMALL_HEAP);
    node.awaitReady(NodeProcess.READY_TIMEOUT);
    GridHttpClient client = new GridHttpClient(node.baseUri());

    List<String> acknowledged = new ArrayList<>();
    HttpResponse<String> refused = null;
    for (int batch = 0; refused == null; batch++) {
      assertTrue(batch < 2000, "1,000,000 records of 1 KiB were accepted into a 320 MiB heap");
      List<String> keys = new ArrayList<>();
      StringBuilder body = new StringBuilder("{\"items\":[");
      for (int i = 0; i < BATCH; i++) {
        String key = "r" + batch + "-" + i;
        keys.add(key);
        body.append(i == 0 ? "" : ",")
            .append("{\"op\":\"put\",\"key\":\"")
            .append(key)
            .append("\",\"value\":")
            .append(VALUE)
            .append("}");
      }
      HttpResponse<String> response = batch(client, body.append("]}").toString());
      assertEquals(200, response.statusCode(), () -> GridHttpClient.describe(response));
      // Each partition answers for its items: 201, or 507 once its node has no room.
      JsonNode items = JSON.readTree(response.body()).get("items");
      for (int i = 0; i < BATCH; i++) {
        int status = items.get(i).get("status").asInt();
        if (status == 201) {
          acknowledged.add(keys.get(i));
        } else if (status == 507) {
          refused = response;
        } else {
          throw new AssertionError("item " + keys.get(i) + ": " + items.get(i));
        }
      }
    }
    System.out.printf(
        "the node refused new data after %d acknowledged records of 1 KiB%n", acknowledged.size());

    // Refused as a single write too, with a problem document, while reads go on.
    HttpResponse<String> put = client.put(MAP, "one-more", "application/json", VALUE);
    assertEquals(507, put.statusCode(), () -> GridHttpClient.describe(put));
    assertEquals(
        "application/problem+json",
        GridHttpClient.mediaType(put),
        () -> GridHttpClient.describe(put));
    System.out.println("a single PUT: " + put.body());
    HttpResponse<String> read = client.get(MAP, acknowledged.get(0));
    assertEquals(200, read.statusCode(), () -> GridHttpClient.describe(read));

    node.kill();
    node.restart();
    Duration ready = node.awaitReady(Duration.ofMinutes(5));
    System.out.printf(
        "restarted with the same 320 MiB heap, ready after %d ms%n", ready.toMillis());
    assertEveryRecordReads(client, acknowledged);

    // Deletes go on, and once they have freed memory, writes are accepted again.
    List<String> deleted = acknowledged.subList(0, acknowledged.size() / 2);
    for (int from = 0; from < deleted.size(); from += BATCH) {
      StringBuilder body = new StringBuilder("{\"items\":[");
      for (int i = from; i < Math.min(from + BATCH, deleted.size()); i++) {
        body.append(i == from ? "" : ",")
            .append("{\"op\":\"delete\",\"key\":\"")
            .append(deleted.get(i))
            .append("\"}");
      }
      HttpResponse<String> response = batch(client, body.append("]}").toString());
      assertEquals(200, response.statusCode(), () -> GridHttpClient.describe(response));
    }
    Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
    HttpResponse<String> accepted;
    do {
      // Reads of large pages make garbage, so the node collects and sees the room deletes made.
      client.get("/v1/maps/" + MAP + "/entries?values=true&limit=1000");
      accepted = client.put(MAP, "after-deletes", "application/json", VALUE);
    } while (accepted.statusCode() == 507 && Instant.now().isBefore(deadline));
    HttpResponse<String> last = accepted;
    assertEquals(201, last.statusCode(), () -> GridHttpClient.describe(last));
  }

  private static HttpResponse<String> batch(GridHttpClient client, String body) throws Exception {
    return client.send(
        client
            .request("/v1/maps/" + MAP + ":batch")
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  private static void assertEveryRecordReads(GridHttpClient client, List<String> keys)
      throws Exception {
    for (int from = 0; from < keys.size(); from += BATCH) {
      StringBuilder body = new StringBuilder("{\"items\":[");
      int to = Math.min(from + BATCH, keys.size());
      for (int i = from; i < to; i++) {
        body.append(i == from ? "" : ",")
            .append("{\"op\":\"get\",\"key\":\"")
            .append(keys.get(i))
            .append("\"}");
      }
      HttpResponse<String> response = batch(client, body.append("]}").toString());
      assertEquals(200, response.statusCode(), () -> GridHttpClient.describe(response));
      JsonNode items = JSON.readTree(response.body()).get("items");
      for (int i = from; i < to; i++) {
        JsonNode item = items.get(i - from);
        String key = keys.get(i);
        assertEquals(200, item.get("status").asInt(), () -> key + ": " + item);
        assertEquals(1000, item.get("value").asText().length(), () -> key + ": " + item);
      }
    }
    System.out.printf("all %d acknowledged records read back after the restart%n", keys.size());
  }
}
