package io.actorgrid.systemtest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A full disk under a one-node grid on an embedded journal (H2, RocksDB): the node's data directory
 * is a small tmpfs, filled with a file while the node runs. Writes must then fail with a clear
 * error (507, or 503 with a problem detail; never a 500 or a hang), reads of every acknowledged
 * record go on, writes work again by themselves once the file is deleted, and every acknowledged
 * record is still there, also after a SIGKILL and restart on the same files.
 *
 * <p>On RocksDB, a failed log write leaves RocksDB refusing writes until it is resumed or reopened:
 * its journal reopens the store once there is room again (docs/reliability.md, "Full disk under an
 * embedded journal").
 *
 * <p>Mounting needs root ({@code mount -t tmpfs}); without it the test fails. Fault profile: {@code
 * mvn -B verify -Pfaults -pl src/test -am -Dtest=FullDiskTest
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("faults")
class FullDiskTest extends OneNodePerTest {

  private static final String MAP = "disk";
  private static final String TMPFS_SIZE = "64m";
  private static final int VALUE_BYTES = 4096;
  private static final Duration RECOVERY_TIMEOUT = Duration.ofMinutes(3);

  private Path mounted;

  @AfterEach
  void unmount() throws Exception {
    if (node != null) {
      node.close();
    }
    if (mounted != null) {
      run("umount", mounted.toString());
    }
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void onH2WritesFailClearlyReadsGoOnAndWritesComeBackWhenSpaceReturns() throws Exception {
    fullDisk("h2");
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void onRocksDbWritesFailClearlyReadsGoOnAndWritesComeBackWhenSpaceReturns() throws Exception {
    fullDisk("rocksdb");
  }

  private void fullDisk(String journal) throws Exception {
    Path dataDir = workDir.resolve("node-data");
    Files.createDirectories(dataDir);
    assertEquals(
        0,
        run("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_SIZE, "tmpfs", dataDir.toString()),
        "mounting a tmpfs needs root");
    mounted = dataDir;
    node = NodeProcess.start(dataDir, NodePorts.free(), Map.of("GRID_JOURNAL", journal));
    node.awaitReady(NodeProcess.READY_TIMEOUT);
    GridHttpClient client = new GridHttpClient(node.baseUri());
    Map<String, String> acknowledged = new LinkedHashMap<>();
    for (int i = 0; i < 300; i++) {
      String key = "before-" + i;
      String value = value(key);
      HttpResponse<String> put = client.put(MAP, key, "text/plain", value);
      assertTrue(put.statusCode() / 100 == 2, "PUT " + key + " -> " + put.statusCode());
      acknowledged.put(key, value);
    }

    Path filler = dataDir.resolve("filler");
    long filled = fill(filler);
    Instant full = Instant.now();
    System.out.printf(
        "full disk (%s): %d MB of filler; the journal holds %d records%n",
        journal, filled >> 20, acknowledged.size());

    // Writes until the journal has refused a good many in a row (H2 may first use free space
    // inside its file), at most for a minute.
    Map<String, Integer> refusals = new TreeMap<>();
    List<String> unclear = new ArrayList<>();
    int inARow = 0;
    int sent = 0;
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (inARow < 50 && System.nanoTime() < deadline) {
      String key = "during-" + sent++;
      String value = value(key);
      HttpResponse<String> put;
      try {
        put = client.put(MAP, key, "text/plain", value);
      } catch (IOException e) {
        unclear.add(key + ": no answer (" + e + ")");
        inARow++;
        continue;
      }
      if (put.statusCode() / 100 == 2) {
        acknowledged.put(key, value);
        inARow = 0;
        continue;
      }
      inARow++;
      String detail = detail(put.body());
      refusals.merge(put.statusCode() + " " + detail.replace(key, "{key}"), 1, Integer::sum);
      boolean clear =
          (put.statusCode() == 507 || put.statusCode() == 503)
              && put.headers()
                  .firstValue("Content-Type")
                  .orElse("")
                  .startsWith("application/problem+json")
              && detail.contains("is full");
      if (!clear) {
        unclear.add(key + ": " + put.statusCode() + " " + put.body());
      }
    }
    System.out.printf(
        "full disk: %d writes sent, %d acknowledged in all; refusals by answer: %s%n",
        sent, acknowledged.size(), refusals);
    assertTrue(unclear.isEmpty(), "writes on a full disk got unclear answers: " + unclear);
    assertEquals(50, inARow, "writes kept being acknowledged on a full disk");

    // Reads go on.
    assertEveryRecordReadable(client, acknowledged, "on the full disk");

    Files.delete(filler);
    Instant freed = Instant.now();
    String probeKey = "after-0";
    Instant recovered = awaitWrite(client, probeKey, acknowledged);
    System.out.printf(
        "full disk: writes refused from %s; filler deleted at %s; a write acknowledged %d ms"
            + " later%n",
        full, freed, Duration.between(freed, recovered).toMillis());
    // Each partition rejoins its journal on its own backoff (up to 10 s): keys of other
    // partitions may still be refused for a while.
    Instant allBack = recovered;
    for (int i = 1; i < 100; i++) {
      allBack = awaitWrite(client, "after-" + i, acknowledged);
    }
    System.out.printf(
        "full disk: 99 more keys written, the last %d ms after the filler was deleted%n",
        Duration.between(freed, allBack).toMillis());
    assertEveryRecordReadable(client, acknowledged, "after space returned");

    node.kill();
    node.restart();
    node.awaitReady(NodeProcess.READY_TIMEOUT);
    assertEveryRecordReadable(
        new GridHttpClient(node.baseUri()), acknowledged, "after a SIGKILL and restart");
    String line =
        String.format(
            "fault run full-disk-%s: %d acknowledged writes, lost 0; %d writes sent on the full"
                + " disk, refused %s; a write acknowledged again %d ms after the filler was"
                + " deleted, 100 keys over all partitions %d ms after",
            journal,
            acknowledged.size(),
            sent,
            refusals,
            Duration.between(freed, recovered).toMillis(),
            Duration.between(freed, allBack).toMillis());
    System.out.println(line);
    Path reports = Path.of("target", "fault-reports");
    Files.createDirectories(reports);
    Files.writeString(
        reports.resolve("summary.txt"),
        line + "\n",
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  private static Instant awaitWrite(
      GridHttpClient client, String key, Map<String, String> acknowledged) throws Exception {
    long deadline = System.nanoTime() + RECOVERY_TIMEOUT.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      String value = value(key);
      try {
        HttpResponse<String> put = client.put(MAP, key, "text/plain", value);
        if (put.statusCode() / 100 == 2) {
          acknowledged.put(key, value);
          return Instant.now();
        }
        last = put.statusCode() + " " + put.body();
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(500);
    }
    fail("no write was acknowledged within " + RECOVERY_TIMEOUT + " after space returned: " + last);
    return null;
  }

  private static void assertEveryRecordReadable(
      GridHttpClient client, Map<String, String> acknowledged, String when) throws Exception {
    List<String> wrong = new ArrayList<>();
    for (Map.Entry<String, String> e : acknowledged.entrySet()) {
      HttpResponse<String> get = client.get(MAP, e.getKey());
      if (get.statusCode() != 200 || !get.body().equals(e.getValue())) {
        wrong.add(e.getKey() + " -> " + get.statusCode() + " " + abbreviate(get.body()));
      }
    }
    assertTrue(
        wrong.isEmpty(),
        wrong.size()
            + " of "
            + acknowledged.size()
            + " acknowledged records not read back "
            + when
            + ": "
            + wrong.subList(0, Math.min(10, wrong.size())));
  }

  /** Writes {@code file} until the file system has no space left; its size. */
  private static long fill(Path file) throws IOException {
    byte[] chunk = new byte[1 << 20];
    long written = 0;
    try (OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(chunk);
        written += chunk.length;
      }
    } catch (IOException noSpaceLeft) {
      if (!String.valueOf(noSpaceLeft.getMessage()).contains("No space left")) {
        throw noSpaceLeft;
      }
    }
    // A last few bytes, until not even one more fits.
    try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.APPEND)) {
      while (true) {
        out.write(new byte[512]);
        out.flush();
        written += 512;
      }
    } catch (IOException full) {
      return written;
    }
  }

  private static String value(String key) {
    return (key + "-").repeat(VALUE_BYTES / (key.length() + 1) + 1).substring(0, VALUE_BYTES);
  }

  private static String detail(String body) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\"detail\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"")
            .matcher(body);
    return m.find() ? m.group(1) : "";
  }

  private static String abbreviate(String text) {
    return text.length() <= 120 ? text : text.substring(0, 120) + "...";
  }

  private static int run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), UTF_8);
    int status = process.waitFor();
    if (status != 0) {
      System.out.println(String.join(" ", command) + ": " + output.trim());
    }
    return status;
  }
}
