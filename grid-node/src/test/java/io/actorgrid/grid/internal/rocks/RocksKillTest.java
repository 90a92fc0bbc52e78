package io.actorgrid.grid.internal.rocks;

import static io.actorgrid.grid.internal.rocks.RocksTesting.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability against a killed process, with the shipped durability (process: the write-ahead log is
 * written, not fsynced). A child JVM ({@link RocksKillWriter}) writes through the plugins from many
 * persistent actors at once and prints each acknowledged sequence number; the test SIGKILLs it in
 * the middle of the load, opens the store itself and checks that every acknowledged event is there,
 * with no gap before it. Twice: the second child recovers its actors from the first one's store and
 * goes on writing before it is killed in turn.
 */
class RocksKillTest {
  @TempDir Path dir;
  private static final int ACTORS = 32;
  // Acknowledged events to wait for before each kill: enough for the writer to be busy.
  private static final long ACKS_BEFORE_KILL = 20_000;

  private Process child;

  @AfterEach
  void killChild() {
    if (child != null) {
      child.destroyForcibly();
    }
  }

  @Test
  void everyAcknowledgedWriteSurvivesKillMinus9() throws Exception {
    Map<String, Long> acked = new ConcurrentHashMap<>();
    for (int round = 1; round <= 2; round++) {
      long before = total(acked);
      AtomicLong count = new AtomicLong();
      child =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xmx256m",
                  "-cp",
                  System.getProperty("java.class.path"),
                  RocksKillWriter.class.getName(),
                  dir.resolve("store").toString(),
                  Integer.toString(ACTORS))
              .redirectError(dir.resolve("child-" + round + ".err").toFile())
              .start();
      Thread reader = new Thread(() -> readAcks(child, acked, count));
      reader.start();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (count.get() < ACKS_BEFORE_KILL && child.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertTrue(
          child.isAlive(),
          "the writer died by itself; see " + dir.resolve("child-" + round + ".err"));
      assertTrue(count.get() >= ACKS_BEFORE_KILL, "the writer acknowledged only " + count.get());
      // Process.destroyForcibly is SIGKILL on Linux: no shutdown hook, no flush, no close.
      child.destroyForcibly();
      child.waitFor(60, TimeUnit.SECONDS);
      reader.join(TimeUnit.SECONDS.toMillis(60));
      assertTrue(total(acked) > before, "round " + round + " acknowledged nothing new");
      verify(acked);
    }
  }

  private static long total(Map<String, Long> acked) {
    return acked.values().stream().mapToLong(Long::longValue).sum();
  }

  private static void readAcks(Process process, Map<String, Long> acked, AtomicLong count) {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        String[] parts = line.split(" ");
        // A line cut short by the kill is not an acknowledgement the test can hold it to.
        if (parts.length == 3 && parts[0].equals("ACK")) {
          acked.merge(parts[1], Long.parseLong(parts[2]), Math::max);
          count.incrementAndGet();
        }
      }
    } catch (java.io.IOException | NumberFormatException e) {
      // The stream ends with the process.
    }
  }

  /** Opens the killed child's store and checks every acknowledged event of every actor. */
  private void verify(Map<String, Long> acked) throws Exception {
    ActorSystem system = RocksTesting.system(dir.resolve("store"), "");
    try {
      List<String> missing = new ArrayList<>();
      for (Map.Entry<String, Long> e : acked.entrySet()) {
        RocksTesting.Replay replay = RocksTesting.replayAll(system, e.getKey());
        long highest = replay.highest();
        if (highest < e.getValue()) {
          missing.add(e.getKey() + " acknowledged " + e.getValue() + " but has " + highest);
          continue;
        }
        // Every event up to the highest stored (acknowledged or not) is there, in order.
        assertEquals(range(1, highest), replay.sequenceNrs(), e.getKey());
        assertEquals(e.getKey() + "-" + highest, replay.payloads().get((int) highest - 1));
      }
      assertTrue(missing.isEmpty(), "acknowledged writes lost: " + missing);
    } finally {
      RocksTesting.terminate(system);
    }
  }
}
