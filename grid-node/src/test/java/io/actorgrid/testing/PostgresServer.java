package io.actorgrid.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;

/**
 * A real PostgreSQL server for tests, from the PostgreSQL binaries published on Maven Central: no
 * installation needed. Durability settings are PostgreSQL's defaults (the embedded launcher
 * switches fsync and synchronous commit off for speed; they are switched back on here, so that
 * tests and measurements see what a production server does).
 */
public final class PostgresServer implements AutoCloseable {
  private final EmbeddedPostgres postgres;

  private PostgresServer(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** Starts a server on a free loopback port with a fresh data directory under {@code dir}. */
  public static PostgresServer start(Path dir) {
    try {
      return new PostgresServer(
          EmbeddedPostgres.builder()
              .setPort(freePort())
              .setDataDirectory(dir.resolve("pgdata"))
              .setOverrideWorkingDirectory(dir.resolve("pgwork").toFile())
              .setCleanDataDirectory(true)
              .setServerConfig("listen_addresses", "127.0.0.1")
              .setServerConfig("fsync", "on")
              .setServerConfig("synchronous_commit", "on")
              .setServerConfig("full_page_writes", "on")
              .setServerConfig("max_connections", "200")
              .start());
    } catch (IOException e) {
      throw new UncheckedIOException("PostgreSQL did not start", e);
    }
  }

  public int port() {
    return postgres.getPort();
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port() + "/postgres";
  }

  public String user() {
    return "postgres";
  }

  /** The node settings that put its journal on this server. */
  public String nodeConfig() {
    return "actorgrid.journal.type = postgres\n"
        + "actorgrid.journal.jdbc.url = \""
        + jdbcUrl()
        + "\"\nactorgrid.journal.jdbc.user = postgres\n";
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
