package io.actorgrid.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node whose PostgreSQL journal stops: writes are refused (503) while it is down, reads go on
 * from each partition's last durable state, and writes are acknowledged again once it is back,
 * without restarting the node. Shipped defaults, 128 partitions.
 */
class JournalOutageTest extends OneClusterPerTest {
  private PostgresOutage postgres;

  @AfterEach
  void stopTheNodeThenPostgres() {
    // The node first: PostgreSQL's shutdown waits for its clients to disconnect.
    closeCluster();
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void readsGoOnWhileTheJournalIsDownAndWritesComeBackWithIt() throws Exception {
    cluster = GridCluster.startWithDefaultPartitions(workDir, 1);
    GridHttpClient client = new GridHttpClient(cluster.node(1).baseUri());
    Map<String, String> acknowledged = new LinkedHashMap<>();
    for (int i = 0; i < 300; i++) {
      String key = "k" + i;
      String value = "{\"v\":" + i + "}";
      HttpResponse<String> put = client.put("outage", key, "application/json", value);
      assertEquals(201, put.statusCode(), () -> GridHttpClient.describe(put));
      acknowledged.put(key, value);
    }

    postgres = new PostgresOutage(cluster.postgresDataDir());
    postgres.stop();
    // Every partition tries a write and finds its journal gone; none is acknowledged. Sent at
    // once: each waits for its journal write to fail or for the request timeout.
    List<CompletableFuture<HttpResponse<String>>> writes = new ArrayList<>();
    for (String key : acknowledged.keySet()) {
      writes.add(
          client.sendAsync(
              client
                  .request(GridHttpClient.entryPath("outage", key))
                  .header("Content-Type", "application/json")
                  .PUT(HttpRequest.BodyPublishers.ofString("{\"lost\":true}"))
                  .build()));
    }
    for (var write : writes) {
      HttpResponse<String> put = write.handle((r, error) -> r).join();
      // No answer at all (a connection the load broke) is no acknowledgement either.
      if (put != null) {
        assertEquals(
            503,
            put.statusCode(),
            () -> "while the journal is down: " + GridHttpClient.describe(put));
      }
    }
    // The journal's circuit breaker fails the writes still waiting for a connection after 10 s;
    // their partitions have then lost their journal child (before, they stopped and could not
    // recover while the database was down, so reads failed too).
    Thread.sleep(Duration.ofSeconds(20).toMillis());
    // Reads answer from what was durable: the acknowledged values (a refused write may or may not
    // have reached the journal before it went down, so either value is right for its key).
    for (var e : acknowledged.entrySet()) {
      HttpResponse<String> get = client.get("outage", e.getKey());
      assertEquals(
          200, get.statusCode(), () -> "read during the outage: " + GridHttpClient.describe(get));
      assertTrue(
          get.body().equals(e.getValue()) || get.body().equals("{\"lost\":true}"),
          () -> e.getKey() + " read as " + get.body());
    }

    postgres.start();
    Await.until(
        "writes are acknowledged again after PostgreSQL's restart",
        Duration.ofMinutes(3),
        () -> {
          try {
            return client.put("outage", "after", "application/json", "1").statusCode() < 300;
          } catch (Exception e) {
            return false;
          }
        },
        () -> "still refused");
    // Each partition finds its journal again at its next attempt (a backoff of up to 10 s).
    for (var e : acknowledged.entrySet()) {
      HttpResponse<String> put =
          client.sendUntilAvailable(
              client
                  .request(GridHttpClient.entryPath("outage", e.getKey()))
                  .header("Content-Type", "application/json")
                  .PUT(HttpRequest.BodyPublishers.ofString("2"))
                  .build(),
              Instant.now().plus(Duration.ofMinutes(1)));
      assertEquals(200, put.statusCode(), () -> GridHttpClient.describe(put));
    }
    for (String key : acknowledged.keySet()) {
      assertEquals("2", client.get("outage", key).body());
    }
  }
}
