package io.actorgrid.grid;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who made each change ({@link WriteOptions#withPrincipal}) is recorded in its event and shown by
 * the record's history, across a restart; the node's own maps ({@link Grid#reservedMap}) cannot be
 * named as user maps and are not listed.
 */
class PrincipalTest {
  @TempDir static Path dataDir;
  private static Grid grid;

  @BeforeAll
  static void start() {
    grid = startGrid();
  }

  @AfterAll
  static void stop() {
    if (grid != null) {
      grid.close();
    }
  }

  private static Grid startGrid() {
    Grid g =
        Grid.start(
            ConfigFactory.parseString("actorgrid.data-dir = \"" + dataDir + "\"")
                .withFallback(ConfigFactory.load()));
    g.awaitReady(Duration.ofSeconds(60));
    return g;
  }

  private static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  private static List<String> by(GridMap map, String key) {
    return await(map.history(key, HistoryQuery.newest())).orElseThrow().items().stream()
        .map(i -> i.op() + ":" + i.by())
        .toList();
  }

  @Test
  void historyShowsWhoMadeEachChangeAcrossARestart() {
    GridMap map = grid.map("principals");
    WriteOptions alice = WriteOptions.none().withPrincipal("alice");
    await(map.put("k", "1".getBytes(UTF_8), "application/json", alice));
    await(map.patch("k", "{}".getBytes(UTF_8), WriteOptions.none().withPrincipal("bob")));
    await(map.increment("c", 1, WriteOptions.none().withPrincipal("carol")));
    await(map.put("k", "2".getBytes(UTF_8), "application/json"));
    await(map.delete("k", WriteOptions.none().withPrincipal("dave")));
    await(
        map.batch(
            List.of(BatchItem.put("k", "3".getBytes(UTF_8), "application/json")), null, "erin"));
    await(map.clear(WriteOptions.none().withPrincipal("frank")));

    List<String> expected =
        List.of("clear:frank", "put:erin", "delete:dave", "put:null", "patch:bob", "put:alice");
    assertEquals(expected, by(map, "k"));
    assertEquals(List.of("clear:frank", "increment:carol"), by(map, "c"));

    grid.close();
    grid = startGrid();
    assertEquals(expected, by(grid.map("principals"), "k"));
  }

  @Test
  void aPrincipalIsVisibleAscii() {
    assertThrows(InvalidRequestException.class, () -> WriteOptions.none().withPrincipal(""));
    assertThrows(InvalidRequestException.class, () -> WriteOptions.none().withPrincipal("a b"));
    char[] longName = new char[129];
    Arrays.fill(longName, 'a');
    assertThrows(
        InvalidRequestException.class,
        () -> WriteOptions.none().withPrincipal(new String(longName)));
    CompletionException e =
        assertThrows(
            CompletionException.class,
            () -> await(grid.map("m").batch(List.of(BatchItem.delete("k")), null, "")));
    assertInstanceOf(InvalidRequestException.class, e.getCause());
  }

  @Test
  void reservedMapsAreTheNodesOwn() {
    assertThrows(InvalidRequestException.class, () -> grid.map("_tokens"));
    assertThrows(InvalidRequestException.class, () -> grid.reservedMap("tokens"));
    assertThrows(InvalidRequestException.class, () -> grid.reservedMap("_"));
    GridMap reserved = grid.reservedMap("_test.reserved");
    await(reserved.put("a", "1".getBytes(UTF_8), "application/json"));
    assertTrue(await(reserved.get("a")).isPresent());
    await(grid.map("visible").put("a", "1".getBytes(UTF_8), "application/json"));
    List<String> names = await(grid.maps()).stream().map(MapInfo::name).toList();
    assertTrue(names.contains("visible"), names.toString());
    assertFalse(names.contains("_test.reserved"), names.toString());
  }
}
