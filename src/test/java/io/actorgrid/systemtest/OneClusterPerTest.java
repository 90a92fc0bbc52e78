package io.actorgrid.systemtest;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the test classes that start a cluster of their own in each test (into {@code cluster}): a
 * work directory kept when a test fails, the nodes' logs printed on failure, and every node stopped
 * after each test.
 */
abstract class OneClusterPerTest {

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path workDir;

  GridCluster cluster;

  @RegisterExtension
  final NodeLogOnFailure nodeLogs =
      NodeLogOnFailure.forNodes(() -> cluster == null ? List.of() : cluster.nodes());

  @AfterEach
  void closeCluster() {
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
  }
}
