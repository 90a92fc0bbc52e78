package io.actorgrid.grid;

import io.actorgrid.testing.CassandraServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the test classes that need a real Cassandra: one server for the class, started in a
 * directory that is kept (with Cassandra's log) when a test fails.
 */
abstract class OneCassandraPerClass {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path dir;

  static CassandraServer cassandra;

  @BeforeAll
  static void startCassandra() {
    cassandra = CassandraServer.start(dir);
    System.out.println("Cassandra started in " + cassandra.startTime().toMillis() + " ms");
  }

  @AfterAll
  static void stopCassandra() {
    if (cassandra != null) {
      cassandra.close();
      cassandra = null;
    }
  }
}
