package io.actorgrid.systemtest;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A PostgreSQL server for trying a cluster by hand, started by {@code bin/dev-postgres}: the same
 * embedded PostgreSQL binaries the tests use, on a fixed port ({@code $PGPORT}, default 5432) with
 * its data kept under {@code data/postgres} (or the folder given as the only argument), so the
 * journal survives a restart of the server. Runs until the process is stopped (Ctrl-C, SIGTERM),
 * which stops PostgreSQL cleanly; after a SIGKILL the PostgreSQL processes stay behind.
 *
 * <p>Durability settings are PostgreSQL's defaults (fsync and synchronous commit on), as for {@code
 * io.actorgrid.testing.PostgresServer}: the embedded launcher switches fsync off unless told.
 */
public final class DevPostgres {

  private DevPostgres() {}

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args.length > 0 ? args[0] : "data/postgres").toAbsolutePath();
    int port = Integer.parseInt(System.getenv().getOrDefault("PGPORT", "5432"));
    Files.createDirectories(dataDir);
    // The server stops when this JVM exits: the embedded launcher registers a shutdown hook.
    EmbeddedPostgres.builder()
        .setPort(port)
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        .setServerConfig("listen_addresses", "127.0.0.1")
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("full_page_writes", "on")
        .setServerConfig("max_connections", "200")
        .start();

    String jdbcUrl = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    StringBuilder text = new StringBuilder();
    text.append("\nPostgreSQL is running: ")
        .append(jdbcUrl)
        .append(" (user postgres, no password), data in ")
        .append(dataDir)
        .append("\nStart three nodes, one per terminal, from the repository root:\n\n");
    for (int node = 1; node <= 3; node++) {
      text.append("GRID_JOURNAL=postgres GRID_JDBC_URL=")
          .append(jdbcUrl)
          .append(" GRID_JDBC_USER=postgres \\\n  GRID_SEED_NODES=127.0.0.1:2552,127.0.0.1:2553")
          .append(" GRID_CLUSTER_PORT=")
          .append(2551 + node)
          .append(" GRID_HTTP_PORT=")
          .append(8079 + node)
          .append(" GRID_DATA_DIR=data/node")
          .append(node)
          .append(" bin/actorgrid\n\n");
    }
    text.append("Stop PostgreSQL with Ctrl-C (the journal stays in ").append(dataDir).append(").");
    System.out.println(text);
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
