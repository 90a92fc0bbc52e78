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

/** The embedded API on a real node with the default journal (RocksDB). */
class GridTest {
  @TempDir Path dataDir;

  // 8 partitions instead of 128: every test starts a node of its own and checks the embedded
  // API's answers, which do not depend on the number (listing still merges several partitions);
  // the test of list pages' byte budget, which does, runs with the shipped 128.
  private Grid start() {
    return start(8);
  }

  private Grid start(int partitions) {
    Config config =
        ConfigFactory.parseString(
                "actorgrid.data-dir = \"" + dataDir + "\"\nactorgrid.partitions = " + partitions)
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
      assertTrue(
          changed.created().isBefore(changed.updated())
              || changed.created().equals(changed.updated()));
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
      assertEquals("application/octet-stream", await(map.get("k")).orElseThrow().contentType());

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
  void aPageOfLargeValuesStopsAtItsByteBudgetAndTheNextPagesMissNothing() {
    try (Grid grid = start(128)) {
      GridMap map = grid.map("large");
      List<String> expected = new ArrayList<>();
      byte[] value = new byte[300 * 1024];
      for (int i = 0; i < 40; i++) {
        String key = String.format("big-%02d", i);
        expected.add(key);
        value[0] = (byte) i;
        await(map.put(key, value.clone(), "application/octet-stream"));
      }
      long budget = 8L * 1024 * 1024; // actorgrid.limits.max-list-bytes, shipped default
      List<String> seen = new ArrayList<>();
      ListQuery query = ListQuery.firstPage().withLimit(1000).withValues(true);
      Page page;
      int pages = 0;
      do {
        page = await(map.list(query));
        long bytes = 0;
        for (Entry e : page.entries()) {
          seen.add(e.key());
          bytes += e.value().length;
          assertEquals((byte) Integer.parseInt(e.key().substring(4)), e.value()[0], e.key());
        }
        assertTrue(bytes <= budget, "a page of " + bytes + " bytes of values");
        query = query.withCursor(page.nextCursor());
        pages++;
      } while (page.nextCursor() != null);
      assertEquals(expected, seen, "every record once, in key order, across pages");
      assertTrue(pages >= 2, "12 MB of values do not fit one page");
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
          InvalidRequestException.class, failure(map.list(ListQuery.firstPage().withLimit(0))));
      assertInstanceOf(
          InvalidRequestException.class,
          failure(map.list(ListQuery.firstPage().withCursor("garbage"))));
      assertThrows(InvalidRequestException.class, () -> Precondition.ifVersion(0));
    }
  }

  @Test
  void aRecordThatExpiredWhileTheNodeWasDownIsGoneAndItsExpiryIsAnEvent() throws Exception {
    try (Grid grid = start()) {
      GridMap map = grid.map("ttl");
      await(
          map.put(
              "short", new byte[] {1}, null, WriteOptions.none().withTtl(Duration.ofMillis(800))));
      await(
          map.put("long", new byte[] {2}, null, WriteOptions.none().withTtl(Duration.ofHours(1))));
      Entry entry = await(map.get("short")).orElseThrow();
      assertNotNull(entry.expiresAt());
    }
    Thread.sleep(1000);
    try (Grid grid = start()) {
      GridMap map = grid.map("ttl");
      assertTrue(await(map.get("short")).isEmpty());
      assertTrue(await(map.get("long")).isPresent());
      assertEquals(1, await(map.count()));
      int partition = new io.actorgrid.grid.internal.Partitioner(8).partitionOf("ttl", "short");
      var query =
          org.apache.pekko.persistence.query.PersistenceQuery.get(grid.system())
              .getReadJournalFor(
                  org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery
                      .class,
                  io.actorgrid.grid.internal.GridSettings.from(grid.system().settings().config())
                      .journal()
                      .readJournalPluginId());
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      List<Object> events;
      do {
        events =
            await(
                query
                    .currentEventsByPersistenceId(
                        io.actorgrid.grid.internal.Partition.persistenceId(partition).id(),
                        0,
                        Long.MAX_VALUE)
                    .map(e -> e.event())
                    .runWith(org.apache.pekko.stream.javadsl.Sink.seq(), grid.system()));
      } while (events.stream()
              .noneMatch(e -> e instanceof io.actorgrid.grid.internal.PartitionEvent.EntryExpired)
          && System.nanoTime() < deadline
          && sleep(100));
      assertTrue(
          events.stream()
              .anyMatch(e -> e instanceof io.actorgrid.grid.internal.PartitionEvent.EntryExpired),
          events::toString);
    }
  }

  private static boolean sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return true;
  }

  @Test
  void batchesPatchesCountersAndSettingsThroughTheEmbeddedApi() {
    try (Grid grid = start()) {
      GridMap map = grid.map("semantics");
      List<BatchItem> items = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        items.add(
            BatchItem.put("k" + i, ("{\"n\":" + i + "}").getBytes(UTF_8), "application/json"));
      }
      items.add(BatchItem.get("k7"));
      items.add(BatchItem.delete("k8", Precondition.ifVersion(999)));
      List<BatchResult> results = await(map.batch(items, null));
      assertEquals(52, results.size());
      assertTrue(
          results.subList(0, 50).stream()
              .allMatch(r -> r.outcome() == BatchResult.Outcome.CREATED));
      assertEquals("{\"n\":7}", new String(results.get(50).entry().value(), UTF_8));
      assertEquals(BatchResult.Outcome.PRECONDITION_FAILED, results.get(51).outcome());
      assertEquals(412, results.get(51).httpStatus());
      assertInstanceOf(
          BatchTooLargeException.class,
          failure(map.batch(java.util.Collections.nCopies(1001, BatchItem.get("k")), null)));
      assertInstanceOf(
          InvalidRequestException.class,
          failure(map.batch(List.of(BatchItem.get("ok"), BatchItem.get("")), null)));

      WriteResult patched =
          await(map.patch("k1", "{\"m\":true}".getBytes(UTF_8), WriteOptions.none()));
      assertEquals(
          "{\"n\":1,\"m\":true}", new String(await(map.get("k1")).orElseThrow().value(), UTF_8));
      assertInstanceOf(
          PreconditionFailedException.class,
          failure(
              map.patch(
                  "k1",
                  "{}".getBytes(UTF_8),
                  WriteOptions.none()
                      .withPrecondition(Precondition.ifVersion(patched.version() + 1)))));
      assertInstanceOf(
          NotFoundException.class,
          failure(map.patch("none", "{}".getBytes(UTF_8), WriteOptions.none())));
      assertInstanceOf(
          InvalidRequestException.class,
          failure(map.patch("k1", "{".getBytes(UTF_8), WriteOptions.none())));

      List<CompletionStage<CounterResult>> increments = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        increments.add(map.increment("counter", 2, WriteOptions.none()));
      }
      increments.forEach(GridTest::await);
      assertEquals(600, await(map.increment("counter", 0, WriteOptions.none())).value());
      assertInstanceOf(
          ConflictException.class, failure(map.increment("k2", 1, WriteOptions.none())));

      assertEquals(51, await(map.count()));
      WriteResult configured =
          await(map.configure(new MapSettings(Duration.ofMinutes(5), 64), Precondition.ifAbsent()));
      assertTrue(configured.created());
      MapInfo info = await(map.describe()).orElseThrow();
      assertEquals(
          new MapInfo(
              "semantics", 51, new MapSettings(Duration.ofMinutes(5), 64), configured.version()),
          info);
      assertTrue(await(grid.maps()).contains(info));
      assertInstanceOf(ValueTooLargeException.class, failure(map.put("big", new byte[65], null)));
      assertNotNull(await(map.get("k9")).orElseThrow().value());
      await(map.put("fresh", new byte[] {1}, null));
      assertNotNull(await(map.get("fresh")).orElseThrow().expiresAt(), "the default TTL applies");

      assertEquals(52, await(map.clear()));
      assertEquals(0, await(map.count()));
      assertTrue(await(map.describe()).isPresent(), "the settings stay");
      assertTrue(await(map.drop()));
      assertTrue(await(map.describe()).isEmpty());
      assertFalse(await(map.drop()));
    }
  }

  @Test
  void anIdempotentRetryAfterARestartReturnsTheFirstOutcome() {
    WriteResult first;
    CounterResult counted;
    try (Grid grid = start()) {
      GridMap map = grid.map("retries");
      first =
          await(
              map.put("k", new byte[] {1}, null, WriteOptions.none().withIdempotencyKey("put-1")));
      counted = await(map.increment("c", 5, WriteOptions.none().withIdempotencyKey("inc-1")));
      await(map.put("k", new byte[] {2}, null));
      // A new default TTL does not make the retries different requests.
      await(map.configure(new MapSettings(Duration.ofHours(1), 0), Precondition.none()));
    }
    try (Grid grid = start()) {
      GridMap map = grid.map("retries");
      assertEquals(
          first,
          await(
              map.put("k", new byte[] {1}, null, WriteOptions.none().withIdempotencyKey("put-1"))));
      assertArrayEquals(new byte[] {2}, await(map.get("k")).orElseThrow().value());
      assertEquals(
          counted, await(map.increment("c", 5, WriteOptions.none().withIdempotencyKey("inc-1"))));
      assertEquals(5, await(map.increment("c", 0, WriteOptions.none())).value());
      assertInstanceOf(
          IdempotencyKeyReusedException.class,
          failure(
              map.put("k", new byte[] {3}, null, WriteOptions.none().withIdempotencyKey("put-1"))));
    }
  }
}
