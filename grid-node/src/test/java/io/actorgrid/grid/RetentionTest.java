package io.actorgrid.grid;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorgrid.grid.internal.GridSettings;
import io.actorgrid.grid.internal.JournalReader;
import io.actorgrid.grid.internal.PartitionEvent;
import io.actorgrid.testing.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * History retention frees the journal's storage, on the embedded H2 and RocksDB journals and on
 * PostgreSQL (the Cassandra journal runs the same scenario in CassandraJournalTest), with the
 * shipped 128 partitions.
 */
class RetentionTest {
  @TempDir Path dir;

  private Grid start(String journalConfig) {
    Config config =
        ConfigFactory.parseString(
                journalConfig
                    + RetentionScenario.NODE_CONFIG
                    + "actorgrid.data-dir = \""
                    + dir.resolve("node")
                    + "\"\n")
            .withFallback(ConfigFactory.load());
    Grid grid = Grid.start(config);
    grid.awaitReady(Duration.ofSeconds(120));
    return grid;
  }

  private static RetentionScenario.Size size(Connection c) {
    try (ResultSet r =
        c.createStatement()
            .executeQuery(
                "SELECT COUNT(*), COALESCE(SUM(OCTET_LENGTH(\"event_payload\")), 0)"
                    + " FROM \"event_journal\"")) {
      r.next();
      return new RetentionScenario.Size(r.getLong(1), r.getLong(2));
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void retentionFreesTheH2Journal() throws Exception {
    // The node's own URL: H2 shares the open database with this connection in the same JVM.
    String url =
        "jdbc:h2:file:"
            + dir.resolve("node").resolve("journal")
            + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
    RetentionScenario.run(
        () -> start("actorgrid.journal.type = h2\n"),
        grid -> {
          try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            return size(c);
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
        },
        128);
  }

  @Test
  void retentionDeletesFromTheRocksDbJournal() throws Exception {
    RetentionScenario.run(
        () -> start("actorgrid.journal.type = rocksdb\n"),
        grid -> {
          // RocksDB frees the space of deleted keys in its compactions: count what a reader sees.
          JournalReader reader =
              JournalReader.create(
                  grid.system(), GridSettings.from(grid.system().settings().config()));
          long events = 0;
          long bytes = 0;
          for (int p = 0; p < 128; p++) {
            for (var e :
                reader.read(p, 1, Long.MAX_VALUE, Integer.MAX_VALUE).toCompletableFuture().join()) {
              events++;
              bytes += e.event() instanceof PartitionEvent.EntryPut put ? put.value().length : 0;
            }
          }
          return new RetentionScenario.Size(events, bytes);
        },
        128);
  }

  @Test
  void retentionFreesThePostgresJournal() throws Exception {
    try (PostgresServer postgres = PostgresServer.start(dir.resolve("postgres"))) {
      RetentionScenario.run(
          () -> start(postgres.nodeConfig()),
          grid -> {
            try (Connection c =
                DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), "")) {
              return size(c);
            } catch (SQLException e) {
              throw new IllegalStateException(e);
            }
          },
          128);
    }
  }
}
