package io.actorgrid.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/*
 * Every command of the client against one real node in this JVM, spoken to over HTTP. One node
 * serves the class (starting one takes seconds); every test uses its own maps, so tests may run in
 * any order.
 */
class CliCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dataDir;
  @TempDir Path files;

  private static TestNode node;

  @BeforeAll
  static void startNode() throws Exception {
    node = TestNode.start(dataDir);
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  private static CliRun cli(String... args) {
    return CliRun.run(node.url(), null, args);
  }

  private static CliRun cliWithStdin(byte[] stdin, String... args) {
    return CliRun.run(node.url(), stdin, args);
  }

  private static CliRun ok(String... args) {
    CliRun run = cli(args);
    assertEquals(0, run.exit(), run::toString);
    return run;
  }

  private static JsonNode json(CliRun run) throws Exception {
    return JSON.readTree(run.stdout());
  }

  /** A failure: its exit status, a one-line message on stderr and never a stack trace. */
  private static void fails(CliRun run, int exit, String inStderr) {
    assertEquals(exit, run.exit(), run::toString);
    assertTrue(run.stderr().contains(inStderr), run::toString);
    assertFalse(run.stderr().contains("\tat "), run::toString);
    assertFalse(run.stderr().contains("Exception"), run::toString);
  }

  // ---------------------------------------------------------------------------------------------
  // Records

  @Test
  void putGetDeleteRoundTrip() throws Exception {
    CliRun created = ok("put", "users", "alice", "Alice");
    assertTrue(created.out().matches("created, version [0-9]+\n"), created::toString);
    CliRun replaced = ok("put", "users", "alice", "Alice B.", "-o", "json");
    long version = json(replaced).get("version").asLong();
    assertEquals("users", json(replaced).get("map").asText());
    assertEquals("Alice B.", ok("get", "users", "alice").out());

    JsonNode got = json(ok("get", "users", "alice", "--output", "json"));
    assertEquals("alice", got.get("key").asText());
    assertEquals(version, got.get("version").asLong());
    assertEquals("text/plain; charset=UTF-8", got.get("contentType").asText());
    assertEquals("Alice B.", got.get("valueText").asText());

    JsonNode deleted = json(ok("-o", "json", "delete", "users", "alice"));
    assertTrue(deleted.get("deleted").asBoolean());
    fails(
        cli("get", "users", "alice"),
        3,
        "404 Not found: map 'users' has no entry with key 'alice'");
    fails(cli("delete", "users", "alice"), 3, "404");
  }

  @Test
  void historyListsChangesAndGetReadsThePast() throws Exception {
    long first = json(ok("put", "past", "k", "one", "-o", "json")).get("version").asLong();
    ok("put", "past", "k", "two");
    ok("delete", "past", "k");
    JsonNode history = json(ok("history", "past", "k", "--values", "-o", "json"));
    assertEquals(3, history.get("items").size());
    assertEquals("delete", history.get("items").get(0).get("op").asText());
    assertEquals("one", history.get("items").get(2).get("valueText").asText());
    assertFalse(history.get("truncated").asBoolean());
    CliRun table = ok("history", "past", "k", "--limit", "2");
    assertTrue(table.out().contains("delete") && table.out().contains("put"), table::toString);
    assertTrue(table.stderr().contains("--cursor"), table::toString);
    assertEquals(
        3,
        json(ok("history", "past", "k", "--limit", "1", "--all", "-o", "json"))
            .get("items")
            .size());

    assertEquals("one", ok("get", "past", "k", "--at-version", Long.toString(first)).out());
    String written = history.get("items").get(2).get("time").asText();
    assertEquals("one", ok("get", "past", "k", "--as-of", written).out());
    fails(cli("get", "past", "k"), 3, "404");
    fails(cli("history", "past", "never"), 3, "404");
    fails(cli("get", "past", "k", "--as-of", "yesterday"), 2, "400");
  }

  @Test
  void putReadsTheValueFromStdinOrAFileAndGetPrintsItByteForByte() throws Exception {
    byte[] binary = new byte[256];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) i;
    }
    CliRun put = cliWithStdin(binary, "put", "blobs", "all-bytes", "-");
    assertEquals(0, put.exit(), put::toString);
    assertArrayEquals(binary, ok("get", "blobs", "all-bytes").stdout());
    JsonNode got = json(ok("get", "blobs", "all-bytes", "-o", "json"));
    assertEquals("application/octet-stream", got.get("contentType").asText());
    assertEquals(
        java.util.Base64.getEncoder().encodeToString(binary), got.get("valueBase64").asText());

    Path file = files.resolve("doc.json");
    Files.writeString(file, "{\"name\": \"Doc\", \"n\": 1.50}");
    ok("put", "blobs", "doc", "--file", file.toString());
    JsonNode doc = json(ok("get", "blobs", "doc", "-o", "json"));
    assertEquals("application/json", doc.get("contentType").asText());
    assertEquals("Doc", doc.get("value").get("name").asText());
    assertEquals("{\"name\": \"Doc\", \"n\": 1.50}", ok("get", "blobs", "doc").out());

    ok("put", "blobs", "typed", "<p>hi</p>", "--content-type", "text/html; charset=UTF-8");
    assertEquals(
        "text/html; charset=UTF-8",
        json(ok("get", "blobs", "typed", "-o", "json")).get("contentType").asText());
  }

  @Test
  void conditionalWritesExitWith4WhenTheirPreconditionFails() throws Exception {
    String v1 = json(ok("put", "cas", "k", "one", "-o", "json")).get("version").asText();
    CliRun replaced = ok("put", "cas", "k", "two", "--if-match", v1, "-o", "json");
    String v2 = json(replaced).get("version").asText();
    fails(cli("put", "cas", "k", "three", "--if-match", v1), 4, "412 Precondition failed");
    fails(cli("put", "cas", "k", "three", "--if-absent"), 4, "412");
    fails(cli("delete", "cas", "k", "--if-match", v1), 4, "412");
    assertEquals("two", ok("get", "cas", "k").out());
    ok("delete", "cas", "k", "--if-match", v2);
    assertTrue(ok("put", "cas", "k", "new", "--if-absent").out().startsWith("created, version"));
  }

  @Test
  void putWithATtlAndAnIdempotencyKey() throws Exception {
    ok("put", "sessions", "s1", "token", "--ttl", "30s");
    assertTrue(json(ok("get", "sessions", "s1", "-o", "json")).has("expiresAt"));
    fails(cli("put", "sessions", "s2", "token", "--ttl", "soon"), 2, "not a time to live");

    String first = ok("put", "sessions", "s3", "a", "--idempotency-key", "req-1").out();
    assertTrue(first.startsWith("created, version"), first);
    // The retry gets the first answer: created, same version, nothing written.
    assertEquals(first, ok("put", "sessions", "s3", "a", "--idempotency-key", "req-1").out());
    fails(cli("put", "sessions", "s3", "b", "--idempotency-key", "req-1"), 2, "422");
  }

  @Test
  void listPrintsOnePageOrEveryPage() throws Exception {
    for (String user : List.of("ann", "bob", "carl", "cleo", "dan")) {
      ok("put", "people", user, user.toUpperCase(java.util.Locale.ROOT));
    }
    CliRun page = ok("list", "people", "--limit", "2");
    List<String> lines = page.out().lines().toList();
    assertEquals(3, lines.size(), page::toString);
    assertTrue(lines.get(0).startsWith("KEY"), page::toString);
    assertTrue(lines.get(1).startsWith("ann "), page::toString);
    assertTrue(page.stderr().contains("--cursor"), page::toString);

    JsonNode all = json(ok("list", "people", "--all", "--limit", "2", "-o", "json"));
    List<String> keys = new ArrayList<>();
    all.get("items").forEach(i -> keys.add(i.get("key").asText()));
    assertEquals(List.of("ann", "bob", "carl", "cleo", "dan"), keys);
    assertTrue(all.get("cursor").isNull());

    JsonNode prefixed = json(ok("list", "people", "--prefix", "c", "--values", "-o", "json"));
    assertEquals(2, prefixed.get("items").size());
    assertEquals("CARL", prefixed.get("items").get(0).get("valueText").asText());
    fails(cli("list", "people", "--limit", "0"), 2, "limit must be between 1 and 1000");
  }

  @Test
  void patchAppliesAMergePatchFromTheArgumentOrStdin() throws Exception {
    ok(
        "put",
        "profiles",
        "alice",
        "{\"name\":\"Alice\",\"age\":30}",
        "--content-type",
        "application/json");
    ok("patch", "profiles", "alice", "{\"city\":\"Lyon\",\"age\":null}");
    CliRun viaStdin =
        cliWithStdin("{\"team\":\"grid\"}".getBytes(UTF_8), "patch", "profiles", "alice", "-");
    assertTrue(viaStdin.out().startsWith("patched, version"), viaStdin::toString);
    assertEquals(
        JSON.readTree("{\"name\":\"Alice\",\"city\":\"Lyon\",\"team\":\"grid\"}"),
        JSON.readTree(ok("get", "profiles", "alice").stdout()));
    fails(cli("patch", "profiles", "alice", "{}", "--if-match", "1"), 4, "412");
    fails(cli("patch", "profiles", "nobody", "{}"), 3, "404");
    ok("put", "profiles", "text", "plain");
    fails(cli("patch", "profiles", "text", "{\"a\":1}"), 1, "409");
  }

  @Test
  void incrAddsToACounter() throws Exception {
    assertEquals("1\n", ok("incr", "stats", "visits").out());
    assertEquals("6\n", ok("incr", "stats", "visits", "5").out());
    assertEquals("4\n", ok("incr", "stats", "visits", "-2").out());
    JsonNode reply = json(ok("incr", "stats", "visits", "-o", "json"));
    assertEquals(5, reply.get("value").asLong());
    assertTrue(reply.get("version").asLong() > 0);
    ok("incr", "stats", "daily", "--ttl", "1d");
    assertTrue(json(ok("get", "stats", "daily", "-o", "json")).has("expiresAt"));
    ok("put", "stats", "name", "not a number");
    fails(cli("incr", "stats", "name"), 1, "409");
    fails(cli("incr", "stats", "visits", "many"), 2, "DELTA");
  }

  @Test
  void batchSendsAFileOrStdinAndExits6WhenAnItemFailed() throws Exception {
    Path file = files.resolve("batch.json");
    Files.writeString(
        file,
        "{\"items\":[{\"op\":\"put\",\"key\":\"a\",\"value\":{\"n\":1}},"
            + "{\"op\":\"put\",\"key\":\"b\",\"value\":2,\"ttl\":\"1h\"},"
            + "{\"op\":\"get\",\"key\":\"a\"}]}");
    CliRun run = ok("batch", "batched", file.toString());
    List<String> lines = run.out().lines().toList();
    assertEquals(4, lines.size(), run::toString);
    assertTrue(lines.get(1).matches("0\\s+a\\s+201\\s+[0-9]+.*"), run::toString);
    assertEquals("{\"n\":1}", ok("get", "batched", "a").out());

    byte[] withMissing =
        "{\"items\":[{\"op\":\"delete\",\"key\":\"a\"},{\"op\":\"get\",\"key\":\"zzz\"}]}"
            .getBytes(UTF_8);
    CliRun partial = cliWithStdin(withMissing, "batch", "batched", "-", "-o", "json");
    assertEquals(6, partial.exit(), partial::toString);
    JsonNode items = json(partial).get("items");
    assertEquals(204, items.get(0).get("status").asInt());
    assertEquals(404, items.get(1).get("status").asInt());

    fails(
        cliWithStdin(
            "{\"items\":[{\"op\":\"fly\",\"key\":\"a\"}]}".getBytes(UTF_8),
            "batch",
            "batched",
            "-"),
        2,
        "items[0].op is 'fly'");
    fails(cli("batch", "batched", files.resolve("missing.json").toString()), 2, "no such file");
  }

  // ---------------------------------------------------------------------------------------------
  // Maps, cluster, health

  @Test
  void mapSettingsListingClearingAndDropping() throws Exception {
    CliRun set = ok("map", "set", "limited", "--default-ttl", "30m", "--max-value-bytes", "16");
    assertTrue(set.out().startsWith("created settings, version"), set::toString);
    String settingsVersion =
        json(ok("map", "get", "limited", "-o", "json")).get("settingsVersion").asText();
    CliRun described = ok("map", "get", "limited");
    assertTrue(described.out().contains("default TTL:      30m"), described::toString);
    assertTrue(described.out().contains("max value bytes:  16"), described::toString);

    ok("put", "limited", "small", "tiny");
    fails(cli("put", "limited", "big", "far more than sixteen bytes"), 2, "413");
    assertTrue(json(ok("get", "limited", "small", "-o", "json")).has("expiresAt"));

    CliRun maps = ok("maps");
    assertTrue(
        maps.out().lines().anyMatch(l -> l.matches("limited\\s+1\\s+30m\\s+16")), maps::toString);
    JsonNode mapsJson = json(ok("maps", "-o", "json"));
    assertTrue(mapsJson.get("maps").isArray());

    fails(cli("map", "set", "limited", "--max-value-bytes", "64", "--if-match", "99999"), 4, "412");
    assertTrue(
        ok("map", "set", "limited", "--max-value-bytes", "64", "--if-match", settingsVersion)
            .out()
            .startsWith("replaced settings, version"));
    JsonNode settings = json(ok("map", "get", "limited", "-o", "json"));
    assertEquals(64, settings.get("settings").get("maxValueBytes").asLong());
    assertFalse(
        settings.get("settings").has("defaultTtl")
            && !settings.get("settings").get("defaultTtl").isNull());

    assertEquals("removed 1 records\n", ok("map", "clear", "limited").out());
    assertEquals(0, json(ok("map", "get", "limited", "-o", "json")).get("entries").asLong());
    assertEquals("dropped limited\n", ok("map", "drop", "limited").out());
    fails(cli("map", "get", "limited"), 3, "has neither entries nor settings");
    fails(cli("map", "drop", "limited"), 3, "404");
    fails(cli("map", "set", "bad name!"), 2, "400");
  }

  @Test
  void clusterShowsTheMemberAndItsPartitions() throws Exception {
    CliRun table = ok("cluster");
    assertTrue(table.out().startsWith("MEMBER"), table::toString);
    assertTrue(table.out().contains(" Up "), table::toString);
    assertTrue(table.out().contains("128 (0-127)"), table::toString);
    assertTrue(table.out().contains("self,leader"), table::toString);
    JsonNode json = json(ok("cluster", "-o", "json"));
    assertEquals(1, json.get("members").size());
  }

  @Test
  void healthIsZeroForAReadyNodeAndFiveForNoNode() throws Exception {
    assertEquals("live:  yes\nready: yes\n", ok("health").out());
    JsonNode json = json(ok("health", "-o", "json"));
    assertTrue(json.get("ready").asBoolean());
    CliRun none = CliRun.run("http://127.0.0.1:1", null, "health");
    fails(none, 5, "cannot reach the node at http://127.0.0.1:1");
    fails(CliRun.run("http://127.0.0.1:1", null, "get", "m", "k"), 5, "is it running?");
  }

  @Test
  void binActorgridCliRunsTheClientWithStdinAndExitStatuses() throws Exception {
    Process put =
        ClientProcess.script("put", "script", "k", "-", "--url", node.url())
            .redirectErrorStream(true)
            .start();
    put.getOutputStream().write("from a pipe".getBytes(UTF_8));
    put.getOutputStream().close();
    String putOut = new String(put.getInputStream().readAllBytes(), UTF_8);
    assertTrue(put.waitFor(2, java.util.concurrent.TimeUnit.MINUTES));
    assertEquals(0, put.exitValue(), putOut);
    assertTrue(putOut.startsWith("created, version"), putOut);
    assertEquals("from a pipe", ok("get", "script", "k").out());

    ProcessBuilder env = ClientProcess.script("get", "script", "missing");
    env.environment().put("GRID_URL", node.url());
    Process get = env.start();
    String getErr = new String(get.getErrorStream().readAllBytes(), UTF_8);
    assertTrue(get.waitFor(2, java.util.concurrent.TimeUnit.MINUTES));
    assertEquals(3, get.exitValue(), getErr);
    assertEquals(
        "actorgrid-cli: 404 Not found: map 'script' has no entry with key 'missing'\n", getErr);
  }

  // ---------------------------------------------------------------------------------------------
  // Odd input

  @Test
  void keysWithAnyCharactersRoundTrip() throws Exception {
    String key = "dir/sub key?&=%+é✓#";
    ok("put", "odd", key, "v");
    assertEquals("v", ok("get", "odd", key).out());
    assertEquals(
        key, json(ok("list", "odd", "-o", "json")).get("items").get(0).get("key").asText());
    ok("incr", "odd", "a:b");
    assertEquals("1", ok("get", "odd", "a:b").out());
  }

  @Test
  void aTokenIsSentAndHarmless() throws Exception {
    ok("put", "tokens", "k", "v", "--token", "secret");
    assertEquals("v", ok("--token", "secret", "get", "tokens", "k").out());
  }

  @Test
  void everyCommandHasHelp() {
    for (String[] command :
        List.of(
            new String[] {"--help"},
            new String[] {"get", "--help"},
            new String[] {"history", "--help"},
            new String[] {"import", "--help"},
            new String[] {"map", "set", "--help"})) {
      CliRun help = cli(command);
      assertEquals(0, help.exit(), help::toString);
      assertTrue(help.out().startsWith("Usage: actorgrid-cli"), help::toString);
      assertTrue(help.out().contains("6   some items of a batch"), help::toString);
    }
  }

  @Test
  void badInputExitsWith2AndAClearMessage() {
    fails(cli("fly"), 2, "Unmatched argument");
    fails(cli("get", "m"), 2, "Missing required parameter");
    fails(cli("get", "m", ""), 2, "the key is empty");
    fails(cli("put", "m", "k"), 2, "give the value as an argument, with --file FILE, or as -");
    fails(cli("put", "m", "k", "v", "--file", "x"), 2, "either as an argument or with --file");
    fails(cli("put", "m", "k", "v", "--if-match", "0"), 2, "--if-match is a record version");
    fails(cli("put", "m", "k", "v", "--if-match", "1", "--if-absent"), 2, "exclude each other");
    fails(cli("put", "m", "k", "--file", "/no/such/file"), 2, "no such file: /no/such/file");
    fails(cli("get", "bad name!", "k"), 2, "400");
    fails(cli("list", "m", "--limit", "ten"), 2, "--limit");
    fails(cli("-o", "xml", "maps"), 2, "expected one of [table, json]");
    fails(CliRun.run("nonsense", null, "maps"), 2, "is not an http:// or https:// URL");
    fails(cli("map"), 2, "Missing required subcommand");
    fails(cli("import", "/no/such/file"), 2, "no such file");
    fails(
        cliWithStdin("not json\n".getBytes(UTF_8), "import", "-"),
        2,
        "line 1 is not an export record");
    fails(
        cliWithStdin("{\"key\":\"k\",\"value\":1}\n".getBytes(UTF_8), "import", "-"),
        2,
        "line 1 has no \"map\"; name the map with --map");
    fails(
        cliWithStdin("{\"map\":\"m\",\"key\":\"k\"}\n".getBytes(UTF_8), "import", "-"),
        2,
        "exactly one of");
  }
}
