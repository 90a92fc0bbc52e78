package io.actorgrid.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.actorgrid.grid.BatchItem;
import io.actorgrid.grid.BatchResult;
import io.actorgrid.grid.Entry;
import io.actorgrid.grid.Precondition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/*
 * Backup and restore between two real nodes, each with its own journal: a map of 10,000 records
 * of every kind (JSON in the node's own form and in any other spacing, text in two charsets,
 * binary, records with a time to live, keys with slashes and non-ASCII characters) is exported
 * from one node and imported into a fresh one, and every record must arrive byte for byte. The
 * client runs as real processes here, the way bin/actorgrid-cli runs it, piping through a file
 * and stdin.
 */
class ExportImportTest {
  private static final int RECORDS = 10_000;
  private static final String MAP = "inventory";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path sourceDir;
  @TempDir static Path targetDir;
  @TempDir static Path files;

  private static TestNode source;
  private static TestNode target;

  @BeforeAll
  static void startNodes() throws Exception {
    source = TestNode.start(sourceDir);
    target = TestNode.start(targetDir);
    writeRecords();
  }

  @AfterAll
  static void stopNodes() {
    if (target != null) {
      target.close();
    }
    if (source != null) {
      source.close();
    }
  }

  /** The records, written through the embedded API in batches of 500. */
  private static void writeRecords() {
    Random random = new Random(42);
    List<BatchItem> batch = new ArrayList<>();
    for (int i = 0; i < RECORDS; i++) {
      String key = i % 97 == 0 ? "dir/sub key ✓ " + i : String.format("item-%05d", i);
      Duration ttl = null;
      byte[] value;
      String type;
      switch (i % 10) {
        case 6 -> {
          value = ("{ \"id\" : " + i + ",\n  \"big\": 1e3, \"s\": \"\\u00e9\" }").getBytes(UTF_8);
          type = "application/json";
        }
        case 7 -> {
          value = ("héllo ✓ " + i).getBytes(UTF_8);
          type = "text/plain; charset=UTF-8";
        }
        case 8 -> {
          value = new byte[1 + random.nextInt(300)];
          random.nextBytes(value);
          type = "application/octet-stream";
        }
        case 9 -> {
          value = ("{\"id\":" + i + ",\"session\":true}").getBytes(UTF_8);
          type = i % 20 == 9 ? "application/json" : "application/vnd.example+json";
          ttl = Duration.ofHours(2);
        }
        default -> {
          value =
              ("{\"id\":" + i + ",\"name\":\"item " + i + "\",\"price\":12.50,\"tags\":[\"a\"]}")
                  .getBytes(UTF_8);
          type = "application/json";
        }
      }
      if (i == 3) {
        value = "Grüße in Latin-1".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        type = "text/plain; charset=ISO-8859-1";
      }
      if (i == 11) {
        // JSON with spacing around it: the export must keep it as it is.
        value = "\t [1, 2.0E+1, \"\\u00e9\"]\n".getBytes(UTF_8);
        type = "application/json";
      }
      if (i == 5) {
        // Not UTF-8, yet stored as text: the listing cannot carry it as text.
        value = new byte[] {'a', (byte) 0xff, 'b'};
        type = "text/plain";
      }
      batch.add(BatchItem.put(key, value, type, Precondition.none(), ttl));
      if (batch.size() == 500) {
        write(batch);
        batch.clear();
      }
    }
    write(batch);
  }

  private static void write(List<BatchItem> batch) {
    if (batch.isEmpty()) {
      return;
    }
    List<BatchResult> results =
        source.grid().map(MAP).batch(batch, null).toCompletableFuture().join();
    for (BatchResult result : results) {
      assertNull(result.error(), () -> result.key() + ": " + result.error());
    }
  }

  @Test
  void exportThenImportIntoAFreshNodeCopiesEveryRecordAndARerunChangesNothing() throws Exception {
    Path export = files.resolve("inventory.ndjson");
    Process exporting =
        ClientProcess.java(source.url(), "export", MAP).redirectOutput(export.toFile()).start();
    assertTrue(exporting.waitFor(10, TimeUnit.MINUTES));
    String exportErr = new String(exporting.getErrorStream().readAllBytes(), UTF_8);
    assertEquals(0, exporting.exitValue(), exportErr);
    assertTrue(exportErr.contains("exported 10000 records of map inventory"), exportErr);
    List<String> lines = Files.readAllLines(export, UTF_8);
    assertEquals(RECORDS, lines.size());
    JsonNode first = JSON.readTree(lines.get(0));
    assertEquals(MAP, first.get("map").asText());
    assertTrue(first.has("contentType"));

    JsonNode report = runImport(export);
    assertEquals(RECORDS, report.get("records").asInt(), report::toString);
    assertEquals(RECORDS, report.get("written").asInt(), report::toString);
    assertEquals(0, report.get("failed").asInt(), report::toString);

    Map<String, Entry> original = source.entries(MAP);
    Map<String, Entry> copied = target.entries(MAP);
    assertEquals(RECORDS, original.size());
    assertSameRecords(original, copied);
    Map<String, Long> versions = versions(copied);

    // A rerun (as after a failure halfway) replays the first run's answers: nothing is written.
    JsonNode rerun = runImport(export);
    assertEquals(0, rerun.get("failed").asInt(), rerun::toString);
    assertEquals(RECORDS, rerun.get("written").asInt() + rerun.get("unchanged").asInt());
    Map<String, Entry> afterRerun = target.entries(MAP);
    assertEquals(versions, versions(afterRerun));
    assertSameRecords(original, afterRerun);
  }

  @Test
  void importIntoAnotherMapFromStdin() throws Exception {
    Map<String, Entry> original =
        source.entries(MAP).entrySet().stream()
            .filter(e -> e.getKey().startsWith("item-001"))
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    assertEquals(99, original.size(), "item-00100 to item-00199 but for dir/sub key ✓ 194");
    CliRun export = CliRun.run(source.url(), null, "export", MAP, "--prefix", "item-001");
    assertEquals(0, export.exit(), export::toString);
    assertEquals(99, export.out().lines().count());
    CliRun imported =
        CliRun.run(target.url(), export.stdout(), "import", "-", "--map", "copy", "-o", "json");
    assertEquals(0, imported.exit(), imported::toString);
    Map<String, Entry> copy = target.entries("copy");
    assertSameRecords(original, copy);
  }

  @Test
  void aRerunAfterSomeRecordsFailedWritesOnlyThoseAndKeepsTheOthersVersions() throws Exception {
    // 20 JSON records for one batch; one is too large for the target map's value limit, so the
    // node refuses the batch as a whole and the client writes the records one by one.
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      String value = i == 7 ? "\"" + "x".repeat(100) + "\"" : "{\"n\":" + i + "}";
      lines
          .append("{\"map\":\"rerun\",\"key\":\"k")
          .append(i)
          .append("\",\"contentType\":\"application/json\",\"value\":")
          .append(value)
          .append("}\n");
    }
    byte[] file = lines.toString().getBytes(UTF_8);
    assertEquals(
        0, CliRun.run(target.url(), null, "map", "set", "rerun", "--max-value-bytes", "64").exit());

    CliRun first = CliRun.run(target.url(), file, "import", "-", "-o", "json");
    assertEquals(6, first.exit(), first::toString);
    assertEquals(19, JSON.readTree(first.stdout()).get("written").asInt(), first::toString);
    assertTrue(first.stderr().contains("key 'k7' failed: 413"), first::toString);
    Map<String, Long> versions = versions(target.entries("rerun"));
    assertEquals(19, versions.size());

    // The cause fixed, the same import again: now the batch goes through, and the 19 records
    // written the first time are replayed, not written again.
    assertEquals(0, CliRun.run(target.url(), null, "map", "set", "rerun").exit());
    CliRun second = CliRun.run(target.url(), file, "import", "-", "-o", "json");
    assertEquals(0, second.exit(), second::toString);
    Map<String, Long> after = versions(target.entries("rerun"));
    assertEquals(20, after.size());
    after.remove("k7");
    assertEquals(versions, after);
  }

  @Test
  void anExpiredRecordIsSkippedAndABadRecordFailsAlone() throws Exception {
    String lines =
        "{\"map\":\"mixed\",\"key\":\"gone\",\"contentType\":\"text/plain\",\"expiresAt\":\"2001-01-01T00:00:00Z\",\"valueText\":\"x\"}\n"
            + "\n"
            + "{\"map\":\"mixed\",\"key\":\"ok\",\"contentType\":\"application/json\",\"value\": {\"a\": [1, 2]} }\n"
            + "{\"map\":\"mixed\",\"key\":\"\",\"contentType\":\"application/json\",\"value\":1}\n";
    CliRun run = CliRun.run(target.url(), lines.getBytes(UTF_8), "import", "-", "-o", "json");
    assertEquals(6, run.exit(), run::toString);
    JsonNode report = JSON.readTree(run.stdout());
    assertEquals(3, report.get("records").asInt(), run::toString);
    assertEquals(1, report.get("expired").asInt(), run::toString);
    assertEquals(1, report.get("written").asInt(), run::toString);
    assertEquals(1, report.get("failed").asInt(), run::toString);
    assertTrue(run.stderr().contains("line 4, map mixed, key '' failed: 400"), run::toString);
    assertEquals("{\"a\": [1, 2]}", new String(target.entries("mixed").get("ok").value(), UTF_8));
  }

  private static JsonNode runImport(Path export) throws Exception {
    Process importing =
        ClientProcess.java(target.url(), "import", "-", "-o", "json")
            .redirectInput(export.toFile())
            .start();
    byte[] out = importing.getInputStream().readAllBytes();
    String err = new String(importing.getErrorStream().readAllBytes(), UTF_8);
    assertTrue(importing.waitFor(10, TimeUnit.MINUTES));
    assertEquals(0, importing.exitValue(), err);
    return JSON.readTree(out);
  }

  private static void assertSameRecords(Map<String, Entry> expected, Map<String, Entry> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    for (Entry e : expected.values()) {
      Entry a = actual.get(e.key());
      assertArrayEquals(e.value(), a.value(), e.key());
      assertEquals(e.contentType(), a.contentType(), e.key());
      if (e.expiresAt() == null) {
        assertNull(a.expiresAt(), e.key());
      } else {
        // The remaining time to live is sent: the copy expires when the original does, give or
        // take the time the request took (a correctness bound, not a performance one).
        assertNotNull(a.expiresAt(), e.key());
        long apart = Math.abs(Duration.between(e.expiresAt(), a.expiresAt()).toSeconds());
        assertTrue(apart < 600, e.key() + " expires " + apart + " s apart");
      }
    }
  }

  private static Map<String, Long> versions(Map<String, Entry> entries) {
    return entries.values().stream().collect(Collectors.toMap(Entry::key, Entry::version));
  }
}
