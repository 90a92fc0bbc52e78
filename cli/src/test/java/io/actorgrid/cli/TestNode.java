package io.actorgrid.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorgrid.grid.Entry;
import io.actorgrid.grid.Grid;
import io.actorgrid.grid.ListQuery;
import io.actorgrid.grid.Page;
import io.actorgrid.http.GridHttpServer;
import io.actorgrid.http.HttpSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * A real node in the test JVM: the embedded grid with its own (default, RocksDB) journal in {@code
 * dataDir} and the HTTP API on a free port. The shipped defaults apply (128 partitions, the limits,
 * the idempotency window) except the two ports, which are 0 so that nodes started by tests never
 * collide with each other or with a node running on the machine.
 */
final class TestNode implements AutoCloseable {
  private final Grid grid;
  private final String url;

  private TestNode(Grid grid, String url) {
    this.grid = grid;
    this.url = url;
  }

  static TestNode start(Path dataDir) throws Exception {
    Config config =
        ConfigFactory.parseString(
                "actorgrid.data-dir = \""
                    + dataDir.toString().replace("\\", "\\\\")
                    + "\"\n"
                    + "actorgrid.cluster.port = 0\n"
                    + "actorgrid.http.port = 0\n")
            .withFallback(ConfigFactory.load());
    Grid grid = Grid.start(config);
    try {
      grid.awaitReady(Duration.ofSeconds(120));
      ServerBinding binding =
          GridHttpServer.start(grid, HttpSettings.from(config))
              .toCompletableFuture()
              .get(60, TimeUnit.SECONDS);
      return new TestNode(grid, "http://127.0.0.1:" + binding.localAddress().getPort());
    } catch (Exception | Error e) {
      grid.close();
      throw e;
    }
  }

  String url() {
    return url;
  }

  Grid grid() {
    return grid;
  }

  /** Every live record of a map, by key, read through the embedded API. */
  Map<String, Entry> entries(String map) {
    Map<String, Entry> out = new LinkedHashMap<>();
    ListQuery query = ListQuery.firstPage().withLimit(1000).withValues(true);
    while (true) {
      Page page = grid.map(map).list(query).toCompletableFuture().join();
      page.entries().forEach(e -> out.put(e.key(), e));
      if (page.nextCursor() == null) {
        return out;
      }
      query = query.withCursor(page.nextCursor());
    }
  }

  @Override
  public void close() {
    grid.close();
  }
}
