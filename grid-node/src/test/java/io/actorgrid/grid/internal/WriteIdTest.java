package io.actorgrid.grid.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.actorgrid.grid.internal.PartitionJournal.BatchApplied;
import io.actorgrid.grid.internal.WriteOutcome.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/*
 * Internal write ids (RecentWrites): a node sends a write again, with the same ids, when its first
 * attempt got no answer - dropped while the partition moved, or slow. Whatever the partition
 * applied of the first attempt answers with its first outcome, across a snapshot and a recovery
 * (a partition that moved recovers from the journal), and nothing is applied twice: increments,
 * compare-and-set puts, deletes, patches, batches, clears and settings.
 */
class WriteIdTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config());
  private static final PersistenceId PID = PersistenceId.of("Partition", "11");
  private static final String MAP = "m";

  private EventSourcedBehaviorTestKit<PartitionJournal.Command, PartitionEvent, PartitionState>
      journal;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    journal = journal(4_000, Duration.ofSeconds(30), 10_000);
  }

  private EventSourcedBehaviorTestKit<PartitionJournal.Command, PartitionEvent, PartitionState>
      journal(long minSnapshotBytes, Duration window, int max) {
    TestProbe<PartitionJournal.Recovered> recovered = testKit.createTestProbe();
    var kit =
        EventSourcedBehaviorTestKit
            .<PartitionJournal.Command, PartitionEvent, PartitionState>create(
                testKit.system(),
                PartitionJournal.create(
                    PID,
                    recovered.getRef(),
                    PartitionJournal.Cleanup.NONE,
                    minSnapshotBytes,
                    Duration.ofHours(1),
                    100,
                    window,
                    max,
                    GridMetrics.disabled()));
    kit.clear();
    return kit;
  }

  /** Runs the operations as one Write with the given id, as Partition hands them over. */
  private EventSourcedBehaviorTestKit.CommandResultWithReply<
          PartitionJournal.Command, PartitionEvent, PartitionState, BatchApplied>
      run(long now, long writeId, WriteOp... ops) {
    long[] ids = new long[ops.length];
    for (int i = 0; i < ops.length; i++) {
      ids[i] = writeId == 0 ? 0 : writeId + i;
    }
    return journal.runCommand(
        replyTo -> new PartitionJournal.ApplyBatch(List.of(ops), ids, now, replyTo));
  }

  private static WriteOp increment(String key, long delta) {
    return new WriteOp.Increment(MAP, key, delta, 0, null);
  }

  private static WriteOp put(String key, String value, long expected) {
    return new WriteOp.Put(
        MAP, key, value.getBytes(StandardCharsets.UTF_8), "application/json", expected, 0, null);
  }

  private static String value(PartitionState state, String key) {
    return new String(state.stored(MAP, key).orElseThrow().value(), StandardCharsets.UTF_8);
  }

  private static long counter(WriteOutcome outcome) {
    return Long.parseLong(new String(outcome.entry().value(), StandardCharsets.US_ASCII));
  }

  @Test
  void anIncrementSentAgainAnswersItsFirstOutcomeAndCountsOnce() {
    long id = Partition.Write.newWriteId();
    var first = run(1000, id, increment("c", 5));
    run(1001, Partition.Write.newWriteId(), increment("c", 1));
    var again = run(1002, id, increment("c", 5));

    assertTrue(again.hasNoEvents(), "sent again: nothing applied");
    assertEquals(
        first.reply().outcomes().get(0).status(), again.reply().outcomes().get(0).status());
    assertEquals(Status.CREATED, again.reply().outcomes().get(0).status());
    assertEquals(1, again.reply().outcomes().get(0).version());
    assertEquals(5, counter(again.reply().outcomes().get(0)), "the counter the first attempt left");
    assertEquals("6", value(again.state(), "c"));
  }

  @Test
  void aCompareAndSetSentAgainAfterItSucceededStillSucceeds() {
    run(1000, Partition.Write.newWriteId(), put("k", "1", WriteOp.ANY));
    long id = Partition.Write.newWriteId();
    var first = run(1001, id, put("k", "2", 1));
    assertEquals(List.of(new WriteOutcome(Status.UPDATED, 2)), first.reply().outcomes());

    // Decided again, it would fail: the record is at version 2 now.
    var again = run(1002, id, put("k", "2", 1));
    assertEquals(List.of(new WriteOutcome(Status.UPDATED, 2)), again.reply().outcomes());
    assertTrue(again.hasNoEvents());
  }

  @Test
  void aWriteThatChangedNothingIsDecidedAgain() {
    long id = Partition.Write.newWriteId();
    var first = run(1000, id, put("k", "1", 3));
    assertEquals(Status.PRECONDITION_FAILED, first.reply().outcomes().get(0).status());
    assertTrue(first.hasNoEvents(), "no event, so nothing to remember");
    assertEquals(0, first.state().recentWriteCount());
  }

  @Test
  void aBatchSentAgainInTheSameJournalWriteIsAppliedOnce() {
    long id = Partition.Write.newWriteId();
    long[] ids = {id, id + 1, id, id + 1};
    var result =
        journal.<BatchApplied>runCommand(
            replyTo ->
                new PartitionJournal.ApplyBatch(
                    List.of(
                        increment("a", 1), increment("b", 1), increment("a", 1), increment("b", 1)),
                    ids,
                    1000,
                    replyTo));
    assertEquals(2, result.events().size());
    assertEquals("1", value(result.state(), "a"));
    assertEquals("1", value(result.state(), "b"));
    for (int i : new int[] {2, 3}) {
      WriteOutcome first = result.reply().outcomes().get(i - 2);
      WriteOutcome again = result.reply().outcomes().get(i);
      assertEquals(first.status(), again.status());
      assertEquals(first.version(), again.version());
      assertEquals(counter(first), counter(again));
    }
  }

  @Test
  void deletesPatchesClearsAndSettingsAreAppliedOnce() {
    run(
        1000,
        Partition.Write.newWriteId(),
        put("d", "{}", WriteOp.ANY),
        put("p", "{}", WriteOp.ANY));
    long deleteId = Partition.Write.newWriteId();
    WriteOp delete = new WriteOp.Delete(MAP, "d", 1, null);
    var deleted = run(1001, deleteId, delete);
    assertEquals(Status.DELETED, deleted.reply().outcomes().get(0).status());
    var deletedAgain = run(1002, deleteId, delete);
    assertEquals(deleted.reply().outcomes(), deletedAgain.reply().outcomes());
    assertTrue(deletedAgain.hasNoEvents());

    long patchId = Partition.Write.newWriteId();
    WriteOp patch =
        new WriteOp.Patch(
            MAP, "p", "{\"n\":1}".getBytes(StandardCharsets.UTF_8), WriteOp.ANY, 1000, null);
    var patched = run(1003, patchId, patch);
    var patchedAgain = run(1004, patchId, patch);
    assertEquals(patched.reply().outcomes(), patchedAgain.reply().outcomes());
    assertTrue(patchedAgain.hasNoEvents());

    long configureId = Partition.Write.newWriteId();
    WriteOp configure = new WriteOp.Configure(MAP, 1000, 0, false, WriteOp.ABSENT);
    var configured = run(1005, configureId, configure);
    assertEquals(Status.CREATED, configured.reply().outcomes().get(0).status());
    var configuredAgain = run(1006, configureId, configure);
    assertEquals(configured.reply().outcomes(), configuredAgain.reply().outcomes());

    long clearId = Partition.Write.newWriteId();
    var cleared = run(1007, clearId, new WriteOp.ClearMap(MAP));
    assertEquals(new WriteOutcome(Status.CLEARED, 1), cleared.reply().outcomes().get(0));
    run(1008, Partition.Write.newWriteId(), put("new", "{}", WriteOp.ANY));
    var clearedAgain = run(1009, clearId, new WriteOp.ClearMap(MAP));
    assertEquals(cleared.reply().outcomes(), clearedAgain.reply().outcomes());
    assertTrue(clearedAgain.state().stored(MAP, "new").isPresent(), "the clear ran once");
  }

  @Test
  void aPartitionRecoveredFromItsJournalKnowsTheWritesOfTheOneItReplaces() {
    long id = Partition.Write.newWriteId();
    run(1000, id, increment("c", 7), put("k", "1", WriteOp.ABSENT));
    journal.restart();
    var again = run(1001, id, increment("c", 7), put("k", "1", WriteOp.ABSENT));
    assertTrue(again.hasNoEvents());
    assertEquals(7, counter(again.reply().outcomes().get(0)));
    assertEquals(new WriteOutcome(Status.CREATED, 2), again.reply().outcomes().get(1));
  }

  @Test
  void aPartitionRecoveredFromASnapshotKnowsThemToo() {
    // A snapshot after every event: recovery replays nothing.
    journal = journal(1, Duration.ofSeconds(30), 10_000);
    long id = Partition.Write.newWriteId();
    run(1000, id, increment("c", 3));
    run(1001, Partition.Write.newWriteId(), increment("other", 1));
    var snapshots = journal.snapshotTestKit().orElseThrow().persistedInStorage(PID.id());
    assertFalse(snapshots.isEmpty());
    journal.restart();
    var again = run(1002, id, increment("c", 3));
    assertTrue(again.hasNoEvents());
    assertEquals(3, counter(again.reply().outcomes().get(0)));
    assertEquals("3", value(again.state(), "c"));
  }

  @Test
  void idsAreForgottenAfterTheWindowAndBeyondTheCountAlsoOnReplay() {
    journal = journal(1 << 30, Duration.ofSeconds(30), 3);
    long first = Partition.Write.newWriteId();
    run(1000, first, increment("c", 1));
    for (int i = 0; i < 3; i++) {
      run(1001 + i, Partition.Write.newWriteId(), increment("x" + i, 1));
    }
    assertEquals(3, journal.getState().recentWriteCount());
    assertTrue(journal.getState().recentWrite(first).isEmpty(), "beyond the newest 3");

    long late = Partition.Write.newWriteId();
    run(2000, late, increment("d", 1));
    run(40_000, Partition.Write.newWriteId(), increment("e", 1));
    assertTrue(journal.getState().recentWrite(late).isEmpty(), "older than the 30 s window");
    assertEquals(1, journal.getState().recentWriteCount());
    assertEquals(1, journal.restart().state().recentWriteCount(), "replay forgets the same");
  }
}
