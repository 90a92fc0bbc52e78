package io.actorgrid.grid;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The embedding example of README.md; ReadmeExampleTest runs it and checks the README shows it. */
final class ReadmeExample {
  private ReadmeExample() {}

  static List<String> run(String dataDir) {
    List<String> out = new ArrayList<>();
    // README-BEGIN
    Config config =
        ConfigFactory.parseString("actorgrid.data-dir = \"" + dataDir + "\"")
            .withFallback(ConfigFactory.load());
    try (Grid grid = Grid.start(config)) {
      grid.awaitReady(Duration.ofSeconds(60));
      GridMap users = grid.map("users");

      WriteResult alice =
          users
              .put("alice", "{\"name\":\"Alice\"}".getBytes(UTF_8), "application/json")
              .toCompletableFuture()
              .join();
      // Compare-and-set: replace alice only if nobody changed her since our write.
      users
          .put(
              "alice",
              "{\"name\":\"Alice B.\"}".getBytes(UTF_8),
              "application/json",
              Precondition.ifVersion(alice.version()))
          .toCompletableFuture()
          .join();

      Entry entry = users.get("alice").toCompletableFuture().join().orElseThrow();
      out.add(new String(entry.value(), UTF_8) + " v" + entry.version());

      Page page = users.list(ListQuery.firstPage().withPrefix("a")).toCompletableFuture().join();
      page.entries().forEach(e -> out.add(e.key()));

      // A counter, a merge patch (RFC 7396) and a batch, each atomic in the record's partition.
      CounterResult visits =
          users.increment("visits", 1, WriteOptions.none()).toCompletableFuture().join();
      out.add("visits " + visits.value());
      users
          .patch("alice", "{\"city\":\"Lyon\"}".getBytes(UTF_8), WriteOptions.none())
          .toCompletableFuture()
          .join();
      List<BatchResult> results =
          users
              .batch(
                  List.of(
                      BatchItem.put(
                          "bob", "{\"name\":\"Bob\"}".getBytes(UTF_8), "application/json"),
                      BatchItem.get("alice")),
                  null)
              .toCompletableFuture()
              .join();
      out.add(new String(results.get(1).entry().value(), UTF_8));
      // A session that expires in 30 minutes; a retry with the same key writes nothing twice.
      users
          .put(
              "session-1",
              "token".getBytes(UTF_8),
              "text/plain",
              WriteOptions.none().withTtl(Duration.ofMinutes(30)).withIdempotencyKey("req-42"))
          .toCompletableFuture()
          .join();

      boolean deleted = users.delete("alice").toCompletableFuture().join();
      out.add("deleted " + deleted);
    } // close() leaves the cluster and stops the node
    // README-END
    return out;
  }
}
