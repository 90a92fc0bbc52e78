package io.actorgrid.grid.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.actorgrid.grid.internal.PartitionJournal.BatchApplied;
import io.actorgrid.grid.internal.WriteOutcome.Status;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PartitionJournalTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config());
  private static final PersistenceId PID = PersistenceId.of("Partition", "7");
  private static final long MIN_SNAPSHOT_BYTES = 4_000;

  private TestProbe<PartitionJournal.Recovered> recovered;
  private EventSourcedBehaviorTestKit<PartitionJournal.Command, PartitionEvent, PartitionState>
      journal;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    recovered = testKit.createTestProbe();
    journal =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            PartitionJournal.create(
                PID, recovered.getRef(), MIN_SNAPSHOT_BYTES, java.time.Duration.ofHours(1), 100));
    journal.clear();
  }

  private static WriteOp put(String key, String value, long expected) {
    return new WriteOp.Put(
        "m", key, value.getBytes(StandardCharsets.UTF_8), "text/plain", expected, 0, null);
  }

  private static WriteOp delete(String key, long expected) {
    return new WriteOp.Delete("m", key, expected, null);
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<
          PartitionJournal.Command, PartitionEvent, PartitionState, BatchApplied>
      run(long now, WriteOp... ops) {
    return journal.runCommand(
        replyTo -> new PartitionJournal.ApplyBatch(List.of(ops), now, replyTo));
  }

  private static List<WriteOutcome> outcomes(Object... pairs) {
    java.util.ArrayList<WriteOutcome> out = new java.util.ArrayList<>();
    for (int i = 0; i < pairs.length; i += 2) {
      out.add(new WriteOutcome((Status) pairs[i], ((Number) pairs[i + 1]).longValue()));
    }
    return out;
  }

  @Test
  void announcesRecoveryToThePartition() {
    assertEquals(0, recovered.receiveMessage().state().lastVersion());
  }

  @Test
  void putCreatesThenReplacesWithTheSequenceNumberAsVersion() {
    var created = run(1000, put("a", "one", WriteOp.ANY));
    assertEquals(outcomes(Status.CREATED, 1), created.reply().outcomes());
    assertEquals(
        new PartitionEvent.EntryPut("m", "a", null, "text/plain", 0, 1000, 0, null, null, 0)
            .previousVersion(),
        ((PartitionEvent.EntryPut) created.event()).previousVersion());

    var replaced = run(2000, put("a", "two", WriteOp.ANY));
    assertEquals(outcomes(Status.UPDATED, 2), replaced.reply().outcomes());
    PartitionEvent.EntryPut event = (PartitionEvent.EntryPut) replaced.event();
    assertEquals(1, event.previousVersion(), "the event links to the record's previous version");
    assertEquals(2000, event.timestamp());

    StoredEntry entry = replaced.state().stored("m", "a").orElseThrow();
    assertArrayEquals("two".getBytes(StandardCharsets.UTF_8), entry.value());
    assertEquals(2, entry.version());
    assertEquals(1000, entry.created());
    assertEquals(2000, entry.updated());
    // The state in the reply is the one the partition answers reads from.
    assertEquals(2, replaced.reply().state().versionOf("m", "a"));
  }

  @Test
  void failedPreconditionsWriteNothingAndReportTheCurrentVersion() {
    run(1, put("a", "one", WriteOp.ANY));
    var stale = run(2, put("a", "two", 5), put("a", "two", WriteOp.ABSENT), delete("b", 1));
    assertEquals(
        outcomes(
            Status.PRECONDITION_FAILED,
            1,
            Status.PRECONDITION_FAILED,
            1,
            Status.PRECONDITION_FAILED,
            0),
        stale.reply().outcomes());
    assertTrue(stale.hasNoEvents(), "no event for failed preconditions");
    assertEquals(1, stale.state().lastVersion());

    var matching = run(3, put("a", "two", 1), delete("a", WriteOp.EXISTS));
    assertEquals(outcomes(Status.UPDATED, 2, Status.DELETED, 3), matching.reply().outcomes());
  }

  @Test
  void writesOfOneBatchSeeEachOther() {
    var batch =
        run(
            1,
            put("k", "first", WriteOp.ABSENT),
            put("k", "second", WriteOp.ABSENT),
            put("k", "third", 1),
            delete("k", 2),
            delete("k", WriteOp.ANY),
            put("k", "again", WriteOp.ABSENT));
    assertEquals(
        outcomes(
            Status.CREATED, 1,
            Status.PRECONDITION_FAILED, 1,
            Status.UPDATED, 2,
            Status.DELETED, 3,
            Status.NOT_FOUND, 0,
            Status.CREATED, 4),
        batch.reply().outcomes());
    assertEquals(4, batch.events().size(), "one event per applied write, persisted together");
    assertEquals(
        List.of(0L, 1L, 2L, 0L),
        batch.events().stream()
            .map(e -> ((PartitionEvent.RecordEvent) e).previousVersion())
            .toList());
    assertEquals(
        "again",
        new String(batch.state().stored("m", "k").orElseThrow().value(), StandardCharsets.UTF_8));
  }

  @Test
  void deletingAnAbsentRecordIsNotFoundWithoutAnEvent() {
    var result = run(1, delete("nothing", WriteOp.ANY));
    assertEquals(outcomes(Status.NOT_FOUND, 0), result.reply().outcomes());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void recoversTheSameStateAfterARestart() {
    run(1, put("a", "1", WriteOp.ANY), put("b", "2", WriteOp.ANY));
    run(2, delete("a", WriteOp.ANY), put("b", "3", WriteOp.ANY));
    PartitionState before = journal.getState();
    PartitionState after = journal.restart().state();
    assertEquals(before.lastVersion(), after.lastVersion());
    assertEquals(before.counts(0), after.counts(0));
    assertEquals(4, after.versionOf("m", "b"));
    assertTrue(after.stored("m", "a").isEmpty());
  }

  @Test
  void aPartitionThatOnlyInsertsStillSnapshots() {
    String value = "x".repeat(1000);
    for (int i = 0; i < 20; i++) {
      run(i, put("key-" + i, value, WriteOp.ANY));
    }
    var snapshots = journal.snapshotTestKit().orElseThrow().persistedInStorage(PID.id());
    assertFalse(snapshots.isEmpty(), "events and state grow together; snapshots must follow");
    assertEquals(20, journal.restart().state().size());
  }

  @Test
  void snapshotsWhenEventsSinceTheLastOneOutweighTheState() {
    String value = "x".repeat(1000);
    // The same key over and over: the state stays one record, the events grow.
    for (int i = 0; i < 12; i++) {
      run(i, put("k", value, WriteOp.ANY));
    }
    var snapshots = journal.snapshotTestKit().orElseThrow().persistedInStorage(PID.id());
    assertFalse(snapshots.isEmpty(), "a snapshot after about " + MIN_SNAPSHOT_BYTES + " bytes");
    assertTrue(snapshots.size() <= 3, "not a snapshot per event: " + snapshots.size());
    assertInstanceOf(PartitionState.class, snapshots.get(0).second());
    PartitionState after = journal.restart().state();
    assertEquals(12, after.versionOf("m", "k"));
  }

  // ---------------------------------------------------------------------------------------------
  // Time to live

  private static WriteOp putTtl(String key, String value, long ttlMillis) {
    return new WriteOp.Put(
        "m",
        key,
        value.getBytes(StandardCharsets.UTF_8),
        "text/plain",
        WriteOp.ANY,
        ttlMillis,
        null);
  }

  @Test
  void aRecordPastItsExpiryGetsItsExpiryEventBeforeAnythingElseTouchesIt() {
    run(1000, putTtl("k", "v", 500));
    assertEquals(1500, journal.getState().nextExpiry());
    assertTrue(journal.getState().get("m", "k", 1499).isPresent());
    assertTrue(journal.getState().get("m", "k", 1500).isEmpty(), "never returned once expired");

    var later = run(2000, put("k", "new", WriteOp.ABSENT));
    assertEquals(outcomes(Status.CREATED, 3), later.reply().outcomes());
    assertEquals(2, later.events().size());
    var expired = assertInstanceOf(PartitionEvent.EntryExpired.class, later.events().get(0));
    assertEquals(1, expired.previousVersion());
    assertEquals(2000, expired.timestamp());
    assertEquals(
        0,
        ((PartitionEvent.EntryPut) later.events().get(1)).previousVersion(),
        "the expired record is gone: the put creates a new one");
    assertEquals(Long.MAX_VALUE, later.state().nextExpiry(), "a put without ttl is permanent");
  }

  @Test
  void expireRemovesOnlyTheVersionThatExpired() {
    run(1000, putTtl("k", "v", 500));
    assertEquals(List.of(new WriteOp.Expire("m", "k", 1)), journal.getState().expiredAt(1600, 10));
    var early = run(1400, new WriteOp.Expire("m", "k", 1));
    assertTrue(early.hasNoEvents(), "not yet expired");
    var stale = run(1600, new WriteOp.Expire("m", "k", 7));
    assertTrue(stale.hasNoEvents(), "another version");
    var due = run(1600, new WriteOp.Expire("m", "k", 1));
    assertInstanceOf(PartitionEvent.EntryExpired.class, due.event());
    assertEquals(0, due.state().size(), "it left memory");
    assertEquals(Map.of(), journal.restart().state().counts(0));
  }

  @Test
  void countsAndListingsLeaveOutExpiredRecords() {
    run(1000, putTtl("a", "v", 100), put("b", "v", WriteOp.ANY));
    PartitionState state = journal.getState();
    assertEquals(Map.of("m", 2L), state.counts(1099));
    assertEquals(Map.of("m", 1L), state.counts(1100));
    assertEquals(1, state.list("m", "", null, 10, false, 1100).entries().size());
  }

  // ---------------------------------------------------------------------------------------------
  // Merge patch and counters

  private static WriteOp json(String key, String value) {
    return new WriteOp.Put(
        "m", key, value.getBytes(StandardCharsets.UTF_8), "application/json", WriteOp.ANY, 0, null);
  }

  private static WriteOp patch(String key, String patch, long expected) {
    return new WriteOp.Patch("m", key, patch.getBytes(StandardCharsets.UTF_8), expected, 100, null);
  }

  private static WriteOp increment(String key, long delta) {
    return new WriteOp.Increment("m", key, delta, 0, null);
  }

  private String value(PartitionState state, String key) {
    return new String(state.stored("m", key).orElseThrow().value(), StandardCharsets.UTF_8);
  }

  @Test
  void mergePatchesApplyInOrderWithinABatch() {
    run(1, json("doc", "{\"a\":1,\"b\":{\"c\":2}}"));
    var result =
        run(2, patch("doc", "{\"b\":{\"c\":null}}", WriteOp.ANY), patch("doc", "{\"d\":[1]}", 2));
    assertEquals(outcomes(Status.UPDATED, 2, Status.UPDATED, 3), result.reply().outcomes());
    assertEquals("{\"a\":1,\"b\":{},\"d\":[1]}", value(result.state(), "doc"));
    assertEquals(
        PartitionEvent.EntryPut.PATCH,
        ((PartitionEvent.EntryPut) result.events().get(1)).operation());
  }

  @Test
  void mergePatchRefusals() {
    run(1, put("text", "words", WriteOp.ANY), json("doc", "{}"));
    var result =
        run(
            2,
            patch("absent", "{}", WriteOp.ANY),
            patch("text", "{}", WriteOp.ANY),
            patch("doc", "{\"x\":\"" + "y".repeat(100) + "\"}", WriteOp.ANY),
            patch("doc", "{}", 1));
    List<Status> statuses = result.reply().outcomes().stream().map(WriteOutcome::status).toList();
    assertEquals(
        List.of(Status.NOT_FOUND, Status.CONFLICT, Status.TOO_LARGE, Status.PRECONDITION_FAILED),
        statuses);
    assertTrue(result.hasNoEvents());
  }

  @Test
  void incrementsCreateAtZeroAndAddUp() {
    var result = run(1, increment("n", 5), increment("n", -7), increment("n", 1));
    assertEquals(
        List.of(5L, -2L, -1L),
        result.reply().outcomes().stream()
            .map(o -> Long.parseLong(new String(o.entry().value(), StandardCharsets.US_ASCII)))
            .toList());
    assertEquals(Status.CREATED, result.reply().outcomes().get(0).status());
    assertEquals("-1", value(result.state(), "n"));
    assertEquals("application/json", result.state().stored("m", "n").orElseThrow().contentType());

    run(
        2,
        json("max", Long.toString(Long.MAX_VALUE)),
        json("f", "1.5"),
        put("t", "1", WriteOp.ANY));
    var refused = run(3, increment("max", 1), increment("f", 1), increment("t", 1));
    assertEquals(
        List.of(Status.CONFLICT, Status.CONFLICT, Status.CONFLICT),
        refused.reply().outcomes().stream().map(WriteOutcome::status).toList());
    assertTrue(refused.hasNoEvents());
  }

  // ---------------------------------------------------------------------------------------------
  // Idempotency

  private static WriteOp keyedPut(String key, String value, String requestId) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    return new WriteOp.Put(
        "m",
        key,
        bytes,
        "text/plain",
        WriteOp.ANY,
        0,
        WriteOp.Request.of(requestId, "put", "m", key, bytes));
  }

  @Test
  void aRetryGetsTheFirstOutcomeAlsoAfterARestartAndInTheSameBatch() {
    var first = run(1, keyedPut("k", "v", "r1"), keyedPut("k", "v", "r1"));
    assertEquals(outcomes(Status.CREATED, 1, Status.CREATED, 1), first.reply().outcomes());
    assertEquals(1, first.events().size());
    run(2, put("k", "other", WriteOp.ANY));

    journal.restart();
    var retry = run(3, keyedPut("k", "v", "r1"));
    assertEquals(outcomes(Status.CREATED, 1), retry.reply().outcomes());
    assertTrue(retry.hasNoEvents());
    var mismatch = run(4, keyedPut("k", "different", "r1"), keyedPut("other", "v", "r1"));
    assertEquals(
        List.of(Status.REQUEST_MISMATCH, Status.REQUEST_MISMATCH),
        mismatch.reply().outcomes().stream().map(WriteOutcome::status).toList());
    assertEquals("other", value(mismatch.state(), "k"));

    var counter =
        new WriteOp.Increment("m", "c", 10, 0, WriteOp.Request.of("r2", "increment", "c", 10));
    var counted = run(5, counter);
    var again = run(6, counter);
    assertEquals(
        counted.reply().outcomes().get(0).version(), again.reply().outcomes().get(0).version());
    assertArrayEquals(
        counted.reply().outcomes().get(0).entry().value(),
        again.reply().outcomes().get(0).entry().value());
    assertEquals("10", value(again.state(), "c"));
  }

  @Test
  void aKeyedWriteThatChangedNothingIsRememberedToo() {
    var delete = new WriteOp.Delete("m", "k", WriteOp.ANY, WriteOp.Request.of("d1", "delete", "k"));
    var first = run(1, delete);
    assertEquals(Status.NOT_FOUND, first.reply().outcomes().get(0).status());
    assertInstanceOf(PartitionEvent.RequestNoted.class, first.event());
    run(2, put("k", "v", WriteOp.ANY));
    journal.restart();
    var retry = run(3, delete);
    assertEquals(Status.NOT_FOUND, retry.reply().outcomes().get(0).status());
    assertTrue(retry.hasNoEvents());
    assertTrue(retry.state().stored("m", "k").isPresent(), "the retry deleted nothing");
  }

  @Test
  void idempotencyKeysAreForgottenAfterTheWindowOrBeyondTheCount() {
    PartitionState state = PartitionState.EMPTY;
    for (int i = 1; i <= 5; i++) {
      state =
          state
              .apply(
                  new PartitionEvent.EntryPut(
                      "m",
                      "k" + i,
                      new byte[] {1},
                      "text/plain",
                      0,
                      i * 1000L,
                      0,
                      null,
                      "r" + i,
                      i),
                  i)
              .forgetRequests(0, 3);
    }
    assertTrue(state.request("r2").isEmpty(), "beyond the newest 3");
    assertTrue(state.request("r3").isPresent());
    state = state.forgetRequests(4500, 100);
    assertTrue(state.request("r4").isEmpty(), "older than the window");
    assertTrue(state.request("r5").isPresent());
  }

  // ---------------------------------------------------------------------------------------------
  // Maps

  @Test
  void clearRemovesTheMapsRecordsInOneEventAndSettingsHaveVersions() {
    run(
        1,
        putTtl("a", "v", 50_000),
        put("b", "v", WriteOp.ANY),
        new WriteOp.Put("other", "a", new byte[] {1}, "text/plain", WriteOp.ANY, 0, null));
    var cleared = run(2, new WriteOp.ClearMap("m"), new WriteOp.ClearMap("m"));
    assertEquals(outcomes(Status.CLEARED, 2, Status.CLEARED, 0), cleared.reply().outcomes());
    assertEquals(1, cleared.events().size());
    assertEquals(Map.of("other", 1L), cleared.state().counts(0));
    assertEquals(Long.MAX_VALUE, cleared.state().nextExpiry());

    var created = run(3, new WriteOp.Configure("m", 1000, 10, false, WriteOp.ABSENT));
    assertEquals(outcomes(Status.CREATED, 5), created.reply().outcomes());
    var stale = run(4, new WriteOp.Configure("m", 2000, 10, false, 4));
    assertEquals(outcomes(Status.PRECONDITION_FAILED, 5), stale.reply().outcomes());
    run(5, new WriteOp.Configure("m", 2000, 0, false, 5));
    MapConfig config = journal.restart().state().config("m").orElseThrow();
    assertEquals(2000, config.defaultTtlMillis());
    assertEquals(6, config.version());
    assertEquals(3, config.created());
    var removed = run(6, new WriteOp.Configure("m", 0, 0, true, WriteOp.ANY));
    assertEquals(Status.DELETED, removed.reply().outcomes().get(0).status());
    assertTrue(removed.state().config("m").isEmpty());
  }

  // ---------------------------------------------------------------------------------------------
  // Metrics

  @Test
  void snapshotsExpiriesAndEventCountsReachTheMetrics() throws Exception {
    var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    var measured =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            PartitionJournal.create(
                PersistenceId.of("Partition", "metrics"),
                recovered.getRef(),
                PartitionJournal.Cleanup.NONE,
                MIN_SNAPSHOT_BYTES,
                java.time.Duration.ofHours(1),
                100,
                new GridMetrics(registry, 0)));
    measured.clear();
    String value = "x".repeat(1000);
    for (int n = 0; n < 20; n++) {
      int i = n;
      BatchApplied applied =
          measured
              .<BatchApplied>runCommand(
                  replyTo ->
                      new PartitionJournal.ApplyBatch(
                          List.of(put("key-" + i, value, WriteOp.ANY)), 1000 + i, replyTo))
              .reply();
      assertEquals(1, applied.events());
    }
    measured.<BatchApplied>runCommand(
        replyTo ->
            new PartitionJournal.ApplyBatch(List.of(putTtl("short", "v", 10)), 2000, replyTo));
    // A read at a later time finds the record expired: one EntryExpired event, one expired record.
    BatchApplied read =
        measured
            .<BatchApplied>runCommand(
                replyTo ->
                    new PartitionJournal.ApplyBatch(
                        List.of(new WriteOp.Read("m", "short")), 3000, replyTo))
            .reply();
    assertEquals(1, read.events());
    assertEquals(1.0, registry.get("actorgrid.records.expired").counter().count());
    // The snapshot store confirms after the command's reply: wait for the signal.
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (registry.get("actorgrid.snapshot").timer().count() == 0) {
      assertTrue(System.nanoTime() < deadline, "no snapshot was measured");
      Thread.sleep(20);
    }
    assertTrue(registry.get("actorgrid.snapshot.size").summary().max() >= MIN_SNAPSHOT_BYTES);
    assertEquals(0.0, registry.get("actorgrid.snapshot.failures").counter().count());
  }
}
