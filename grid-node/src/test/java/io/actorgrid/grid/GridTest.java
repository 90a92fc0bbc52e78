package io.actorgrid.grid;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded API on a real node with an H2 journal file. */
class GridTest {
  @TempDir Path dataDir;

  private Grid start() {
    Config config =
        ConfigFactory.parseString(
                "actorgrid.data-dir = \"" + dataDir + "\"\nactorgrid.partitions = 8")
            .withFallback(ConfigFactory.load());
    Grid grid = Grid.start(config);
    grid.awaitReady(Duration.ofSeconds(60));
    return grid;
  }

  private static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  private static Throwable failure(CompletionStage<?> stage) {
    CompletionException e =
        assertThrows(CompletionException.class, () -> stage.toCompletableFuture().join());
    return e.getCause();
  }

  @Test
  void everyAcknowledgedWriteIsThereAfterARestart() {
    List<String> keys = new ArrayList<>();
    try (Grid grid = start()) {
      GridMap map = grid.map("m");
      for (int i = 0; i < 200; i++) {
        keys.add("key-" + i);
        await(map.put("key-" + i, ("value-" + i).getBytes(UTF_8), "text/plain"));
      }
      await(map.delete("key-0"));
      await(map.put("key-1", "changed".getBytes(UTF_8), "text/plain"));
    }
    try (Grid grid = start()) {
      GridMap map = grid.map("m");
      assertTrue(await(map.get("key-0")).isEmpty());
      Entry changed = await(map.get("key-1")).orElseThrow();
      assertArrayEquals("changed".getBytes(UTF_8), changed.value());
      assertTrue(changed.created().isBefore(changed.updated()) || changed.created().equals(changed.updated()));
      for (int i = 2; i < 200; i++) {
        assertArrayEquals(
            ("value-" + i).getBytes(UTF_8), await(map.get(keys.get(i))).orElseThrow().value());
      }
      assertEquals(List.of(new MapInfo("m", 199)), await(grid.maps()));
    }
  }

  @Test
  void conditionalWritesAndDeletes() {
    try (Grid grid = start()) {
      GridMap map = grid.map("cond");
      WriteResult first = await(map.put("k", new byte[] {1}, null, Precondition.ifAbsent()));
      assertTrue(first.created());
      assertEquals(
          "application/octet-stream", await(map.get("k")).orElseThrow().contentType());

      var taken = failure(map.put("k", new byte[] {2}, null, Precondition.ifAbsent()));
      assertEquals(first.version(), ((PreconditionFailedException) taken).currentVersion());

      WriteResult second =
          await(map.put("k", new byte[] {3}, null, Precondition.ifVersion(first.version())));
      assertFalse(second.created());
      assertTrue(second.version() > first.version());

      assertInstanceOf(
          PreconditionFailedException.class,
          failure(map.delete("k", Precondition.ifVersion(first.version()))));
      assertTrue(await(map.delete("k", Precondition.ifVersion(second.version()))));
      assertFalse(await(map.delete("k")));
      assertInstanceOf(
          PreconditionFailedException.class,
          failure(map.put("k", new byte[] {4}, null, Precondition.ifPresent())));
    }
  }

  @Test
  void listMergesPartitionsInKeyOrderPageByPage() {
    try (Grid grid = start()) {
      GridMap map = grid.map("list");
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 57; i++) {
        String key = String.format("item-%03d", i);
        expected.add(key);
        await(map.put(key, key.getBytes(UTF_8), "text/plain"));
      }
      await(map.put("other", new byte[0], "text/plain"));

      List<String> seen = new ArrayList<>();
      ListQuery query = ListQuery.firstPage().withPrefix("item-").withLimit(10);
      Page page;
      int pages = 0;
      do {
        page = await(map.list(query));
        page.entries().forEach(e -> seen.add(e.key()));
        assertNull(page.entries().get(0).value());
        query = query.withCursor(page.nextCursor());
        pages++;
      } while (page.nextCursor() != null);
      assertEquals(expected, seen);
      assertEquals(6, pages);

      Page withValues = await(map.list(ListQuery.firstPage().withLimit(1).withValues(true)));
      assertArrayEquals("item-000".getBytes(UTF_8), withValues.entries().get(0).value());
      assertNotNull(withValues.nextCursor());
    }
  }

  @Test
  void clusterAddressSettingsApplyOnTopOfALoadedConfig() throws Exception {
    int port;
    try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    // ConfigFactory.load() is already resolved: the node must still honour actorgrid.cluster.*.
    Config config =
        ConfigFactory.parseString(
                "actorgrid.data-dir = \""
                    + dataDir
                    + "\"\nactorgrid.cluster.port = "
                    + port
                    + "\nactorgrid.cluster.host = \"127.0.0.1\"")
            .withFallback(ConfigFactory.load());
    try (Grid grid = Grid.start(config)) {
      grid.awaitReady(Duration.ofSeconds(60));
      String self = await(grid.cluster()).self();
      assertEquals("pekko://actorgrid@127.0.0.1:" + port, self);
    }
  }

  @Test
  void invalidInputFailsWithPreciseErrors() {
    try (Grid grid = start()) {
      assertThrows(InvalidRequestException.class, () -> grid.map("bad name"));
      assertThrows(InvalidRequestException.class, () -> grid.map(""));
      GridMap map = grid.map("limits");
      assertInstanceOf(InvalidRequestException.class, failure(map.get("")));
      String longest = "é".repeat(512); // 1024 bytes of UTF-8
      await(map.put(longest, new byte[0], null));
      assertInstanceOf(
          InvalidRequestException.class, failure(map.put(longest + "x", new byte[0], null)));
      await(map.put("big", new byte[grid.limits().maxValueBytes()], null));
      ValueTooLargeException tooLarge =
          (ValueTooLargeException)
              failure(map.put("big", new byte[grid.limits().maxValueBytes() + 1], null));
      assertEquals(grid.limits().maxValueBytes(), tooLarge.limit());
      assertInstanceOf(
          InvalidRequestException.class,
          failure(map.list(ListQuery.firstPage().withLimit(0))));
      assertInstanceOf(
          InvalidRequestException.class,
          failure(map.list(ListQuery.firstPage().withCursor("garbage"))));
      assertThrows(InvalidRequestException.class, () -> Precondition.ifVersion(0));
    }
  }
}
