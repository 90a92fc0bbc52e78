package io.actorgrid.systemtest;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the test classes that start one node process of their own in each test (into {@code
 * node}): a work directory kept when a test fails, the node's log printed on failure, and the node
 * stopped after each test.
 */
abstract class OneNodePerTest {

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path workDir;

  NodeProcess node;

  @RegisterExtension final NodeLogOnFailure nodeLog = NodeLogOnFailure.forNode(() -> node);

  @AfterEach
  void closeNode() {
    if (node != null) {
      node.close();
    }
  }
}
