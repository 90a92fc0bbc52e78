package io.actorgrid.systemtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A node's wall clock set off by libfaketime ({@code .ci/install-fault-tools} installs it): the
 * library is preloaded into the node's JVM and reads its offset from a file the test rewrites, at
 * most a second late. Only CLOCK_REALTIME moves (System.currentTimeMillis, Instant.now): the
 * monotonic clock behind System.nanoTime, which Pekko's failure detector and scheduler use, stays
 * true, as when NTP steps a machine's clock.
 */
final class FakeClock {

  private static final List<Path> LIBRARIES =
      List.of(
          Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"),
          Path.of("/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1"),
          Path.of("/usr/lib/faketime/libfaketime.so.1"),
          Path.of("/usr/local/lib/faketime/libfaketime.so.1"));

  private FakeClock() {}

  /** The installed library; fails (the test with it) when there is none. */
  static Path library() throws IOException {
    for (Path library : LIBRARIES) {
      if (Files.isReadable(library)) {
        return library;
      }
    }
    throw new IOException(
        "libfaketime is not installed (looked for " + LIBRARIES + "): run .ci/install-fault-tools");
  }

  /**
   * Java options for every node of a cluster with a node under libfaketime. That node reads every
   * clock through the library instead of the vDSO: on this project's 2-core machines a clock read
   * costs 3-5 times as much (0.4-1.1 us, measured) and its JVM start about 4 s more CPU. While it
   * warms up in a loaded cluster its heartbeats fell 2-3 s behind, once 9-10 s, and the Split Brain
   * Resolver downed it and the leader before the test began (runs of 1 and 2 December 2026, all
   * before any skew: the offset was still 0). The fault under test is the wall clock, not the
   * failure detector, so these tests give the detector 20 s of acceptable heartbeat pause (3 s
   * shipped) on every node.
   */
  static final String SLOW_NODE_OPTIONS =
      "-Dpekko.cluster.failure-detector.acceptable-heartbeat-pause=20s";

  /** The environment of the other nodes of a cluster with a node under libfaketime. */
  static Map<String, String> otherNodeEnv() {
    return Map.of("JAVA_TOOL_OPTIONS", SLOW_NODE_OPTIONS);
  }

  /** The environment that starts a node under {@code library}, offset read from {@code file}. */
  static Map<String, String> nodeEnv(Path library, Path file) {
    return Map.of(
        "LD_PRELOAD",
        library.toString(),
        "FAKETIME_TIMESTAMP_FILE",
        file.toString(),
        "FAKETIME_CACHE_DURATION",
        "1",
        "FAKETIME_DONT_FAKE_MONOTONIC",
        "1",
        // Every clock read goes through the library instead of the vDSO: a JVM starts several
        // times slower, and on a busy machine Pekko's extensions outlast their 20 s creation
        // timeout (seen: "Initialization of SerializationExtension took more than 20000 ms").
        "JAVA_TOOL_OPTIONS",
        "-Dpekko.actor.creation-timeout=120s " + SLOW_NODE_OPTIONS);
  }
}
