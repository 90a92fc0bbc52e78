package io.actorgrid.grid.internal;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.jdbc.db.SlickExtension;
import org.apache.pekko.persistence.jdbc.db.SlickExtensionImpl;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import slick.jdbc.hikaricp.HikariCPJdbcDataSource;

/*
 * Opens the embedded H2 journal again after H2 closed it, as it does when a write to its file
 * fails (a full disk: "No space left on device"; any I/O error). H2 then closes the whole
 * database, and every pooled connection answers "The database has been closed" [90098] from then
 * on: HikariCP evicts a connection only on SQL states it knows to be fatal, which 90098 is not,
 * and connections in constant use are never idle long enough to be validated. Without this the
 * node refused every write until it was restarted, long after the disk had room again
 * (FullDiskTest).
 *
 * Once a second it borrows a connection and runs SELECT 1. A connection that answers 90098, or
 * one that belongs to another H2 database instance than the last check's (the pool replaced a
 * connection, which opened the file anew), means the pool holds connections to a closed
 * database: it evicts them all (softly: those in use go when returned), and new connections open
 * the file again. While the disk is still full that open or the next write fails and closes the
 * database again; once there is room, writes succeed. Partitions meanwhile serve reads and rejoin
 * their journal with a backoff (Partition).
 */
public final class H2Reopener implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(H2Reopener.class);
  private static final int DATABASE_IS_CLOSED = 90098;
  private static final int DATABASE_CALLED_AT_SHUTDOWN = 90121;

  private final HikariDataSource pool;
  private final ScheduledExecutorService timer;
  private Object lastDatabase;

  private H2Reopener(HikariDataSource pool) {
    this.pool = pool;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "actorgrid-h2-reopener");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(this::check, 1, 1, TimeUnit.SECONDS);
  }

  /**
   * Watches the pool of the node's H2 journal; does nothing (and returns null) when its database is
   * not pooled by HikariCP.
   */
  public static H2Reopener start(ActorSystem<?> system) {
    SlickExtensionImpl slick = (SlickExtensionImpl) SlickExtension.get(Adapter.toClassic(system));
    var source =
        slick.database(system.settings().config().getConfig("jdbc-journal")).database().source();
    if (!(source instanceof HikariCPJdbcDataSource hikari)) {
      return null;
    }
    H2Reopener reopener = new H2Reopener(hikari.ds());
    system.getWhenTerminated().thenRun(reopener::close);
    return reopener;
  }

  private void check() {
    try (Connection c = pool.getConnection();
        Statement st = c.createStatement()) {
      st.execute("SELECT 1");
      Object database = database(c);
      if (lastDatabase != null && database != null && database != lastDatabase) {
        evict("a pooled connection was replaced and opened the H2 database anew");
      }
      lastDatabase = database;
    } catch (SQLException e) {
      if (closedDatabase(e)) {
        evict(e.getMessage());
      }
    } catch (RuntimeException e) {
      log.debug("H2 journal check failed", e);
    }
  }

  private void evict(String why) {
    if (pool.isClosed()) {
      return;
    }
    log.warn(
        "The H2 journal's database was closed ({}); evicting its pooled connections so that new"
            + " ones open it again",
        why);
    pool.getHikariPoolMXBean().softEvictConnections();
  }

  private static Object database(Connection c) {
    try {
      JdbcConnection h2 = c.unwrap(JdbcConnection.class);
      return h2.getSession() instanceof SessionLocal local ? local.getDatabase() : null;
    } catch (SQLException | RuntimeException e) {
      return null;
    }
  }

  private static boolean closedDatabase(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql
          && (sql.getErrorCode() == DATABASE_IS_CLOSED
              || sql.getErrorCode() == DATABASE_CALLED_AT_SHUTDOWN)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
