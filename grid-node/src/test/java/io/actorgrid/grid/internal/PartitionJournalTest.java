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
    return new WriteOp.Put("m", key, value.getBytes(StandardCharsets.UTF_8), "text/plain", expected, 0, null);
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
        new PartitionEvent.EntryPut("m", "a", null, "text/plain", 0, 1000, 0, null, null, 0).previousVersion(),
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
        outcomes(Status.PRECONDITION_FAILED, 1, Status.PRECONDITION_FAILED, 1,
            Status.PRECONDITION_FAILED, 0),
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
        batch.events().stream().map(e -> ((PartitionEvent.RecordEvent) e).previousVersion()).toList());
    assertEquals("again", new String(batch.state().stored("m", "k").orElseThrow().value(), StandardCharsets.UTF_8));
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
}
