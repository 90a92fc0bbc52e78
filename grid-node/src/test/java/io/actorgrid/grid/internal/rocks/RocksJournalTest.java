package io.actorgrid.grid.internal.rocks;

import static io.actorgrid.grid.internal.rocks.RocksTesting.TIMEOUT;
import static io.actorgrid.grid.internal.rocks.RocksTesting.atomic;
import static io.actorgrid.grid.internal.rocks.RocksTesting.deleteTo;
import static io.actorgrid.grid.internal.rocks.RocksTesting.range;
import static io.actorgrid.grid.internal.rocks.RocksTesting.replay;
import static io.actorgrid.grid.internal.rocks.RocksTesting.replayAll;
import static io.actorgrid.grid.internal.rocks.RocksTesting.repr;
import static io.actorgrid.grid.internal.rocks.RocksTesting.send;
import static io.actorgrid.grid.internal.rocks.RocksTesting.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal plugin against a real RocksDB, through the journal protocol, covering what Pekko's
 * persistence TCK (JournalSpec) checks, plus what the grid relies on: replay across deleted
 * prefixes, a highest sequence number that survives deleting everything and a restart, and the
 * fence against a second writer of the same sequence numbers.
 */
class RocksJournalTest {
  @TempDir static Path dir;
  private static ActorSystem system;

  @BeforeAll
  static void start() {
    system = RocksTesting.system(dir.resolve("shared"), "");
  }

  @AfterAll
  static void stop() throws Exception {
    RocksTesting.terminate(system);
  }

  private static String pid(TestInfo info) {
    return "journal-" + info.getTestMethod().orElseThrow().getName();
  }

  @Test
  void replaysRangesAndLimits(TestInfo info) {
    String pid = pid(info);
    write(system, pid, 1, 5);
    RocksTesting.Replay all = replayAll(system, pid);
    assertEquals(range(1, 5), all.sequenceNrs());
    assertEquals(
        List.of(pid + "-1", pid + "-2", pid + "-3", pid + "-4", pid + "-5"), all.payloads());
    assertEquals(5, all.highest());

    assertEquals(range(2, 4), replay(system, pid, 2, 4, Long.MAX_VALUE).sequenceNrs());
    assertEquals(range(2, 3), replay(system, pid, 2, Long.MAX_VALUE, 2).sequenceNrs());
    assertEquals(range(1, 1), replay(system, pid, 0, 1, Long.MAX_VALUE).sequenceNrs());
    assertEquals(List.of(), replay(system, pid, 2, 4, 0).sequenceNrs());
    assertEquals(List.of(), replay(system, pid, 4, 3, Long.MAX_VALUE).sequenceNrs());
    assertEquals(List.of(), replay(system, pid, 6, Long.MAX_VALUE, Long.MAX_VALUE).sequenceNrs());
    assertEquals(
        List.of(),
        replay(system, pid, Long.MAX_VALUE - 1, Long.MAX_VALUE, Long.MAX_VALUE).sequenceNrs());
  }

  @Test
  void reportsTheHighestSequenceNumber(TestInfo info) {
    String pid = pid(info);
    assertEquals(0, replayAll(system, pid).highest(), "an unknown id has 0");
    write(system, pid, 1, 5);
    assertEquals(5, replay(system, pid, 3, Long.MAX_VALUE, 0).highest());
    assertEquals(5, replay(system, pid, 6, Long.MAX_VALUE, Long.MAX_VALUE).highest());
  }

  @Test
  void deletesAPrefixAndReplaysAcrossIt(TestInfo info) {
    String pid = pid(info);
    write(system, pid, 1, 5);
    deleteTo(system, pid, 3);
    RocksTesting.Replay after = replayAll(system, pid);
    assertEquals(range(4, 5), after.sequenceNrs());
    assertEquals(5, after.highest());
    assertEquals(range(4, 4), replay(system, pid, 2, 4, Long.MAX_VALUE).sequenceNrs());
    write(system, pid, 6, 7);
    assertEquals(range(4, 7), replayAll(system, pid).sequenceNrs());
  }

  @Test
  void deletingEverythingKeepsTheHighestSequenceNumber(TestInfo info) {
    String pid = pid(info);
    write(system, pid, 1, 5);
    deleteTo(system, pid, Long.MAX_VALUE);
    RocksTesting.Replay after = replayAll(system, pid);
    assertEquals(List.of(), after.sequenceNrs());
    assertEquals(5, after.highest(), "the highest sequence number survives deleting every event");
    write(system, pid, 6, 6);
    assertEquals(range(6, 6), replayAll(system, pid).sequenceNrs());
  }

  @Test
  void deletingBeyondTheHighestDeletesNothingWrittenLater(TestInfo info) {
    String pid = pid(info);
    write(system, pid, 1, 3);
    deleteTo(system, pid, 10);
    write(system, pid, 4, 6);
    assertEquals(range(4, 6), replayAll(system, pid).sequenceNrs());
  }

  @Test
  void deletionsHighestSequenceNumbersAndEventsSurviveARestart() throws Exception {
    Path own = dir.resolve("restart");
    ActorSystem first = RocksTesting.system(own, "");
    try {
      write(first, "kept", 1, 4);
      write(first, "prefix", 1, 5);
      deleteTo(first, "prefix", 2);
      write(first, "all", 1, 3);
      deleteTo(first, "all", 3);
    } finally {
      RocksTesting.terminate(first);
    }
    ActorSystem second = RocksTesting.system(own, "");
    try {
      assertEquals(range(1, 4), replayAll(second, "kept").sequenceNrs());
      assertEquals(range(3, 5), replayAll(second, "prefix").sequenceNrs());
      RocksTesting.Replay all = replayAll(second, "all");
      assertEquals(List.of(), all.sequenceNrs());
      assertEquals(3, all.highest());
      write(second, "all", 4, 4);
      assertEquals(range(4, 4), replayAll(second, "all").sequenceNrs());
    } finally {
      RocksTesting.terminate(second);
    }
  }

  @Test
  void writesOfAnAtomicWriteAreStoredTogether(TestInfo info) {
    String pid = pid(info);
    TestKit probe = new TestKit(system);
    send(
        system,
        probe,
        atomic(
            repr(pid, 1, "a", probe.getRef()),
            repr(pid, 2, "b", probe.getRef()),
            repr(pid, 3, "c", probe.getRef())));
    probe.expectMsgEquals(TIMEOUT, JournalProtocol.WriteMessagesSuccessful$.MODULE$);
    for (int i = 0; i < 3; i++) {
      probe.expectMsgClass(TIMEOUT, JournalProtocol.WriteMessageSuccess.class);
    }
    assertEquals(List.of("a", "b", "c"), replayAll(system, pid).payloads());
  }

  /** No serialization binding: Pekko has no serializer for it (Java serialization is off). */
  private static final class NotSerializable {}

  @Test
  void rejectsUnserializableEventsAndStoresTheOthers(TestInfo info) {
    String pid = pid(info);
    TestKit probe = new TestKit(system);
    send(
        system,
        probe,
        atomic(repr(pid, 1, "one", probe.getRef())),
        atomic(repr(pid, 2, new NotSerializable(), probe.getRef())),
        atomic(repr(pid, 3, "three", probe.getRef())));
    probe.expectMsgEquals(TIMEOUT, JournalProtocol.WriteMessagesSuccessful$.MODULE$);
    probe.expectMsgClass(TIMEOUT, JournalProtocol.WriteMessageSuccess.class);
    JournalProtocol.WriteMessageRejected rejected =
        probe.expectMsgClass(TIMEOUT, JournalProtocol.WriteMessageRejected.class);
    assertEquals(2, rejected.message().sequenceNr());
    probe.expectMsgClass(TIMEOUT, JournalProtocol.WriteMessageSuccess.class);
    assertEquals(List.of(1L, 3L), replayAll(system, pid).sequenceNrs());
  }

  @Test
  void anAtomicWriteWithAnUnserializableEventStoresNoneOfIt(TestInfo info) {
    String pid = pid(info);
    TestKit probe = new TestKit(system);
    send(
        system,
        probe,
        atomic(
            repr(pid, 1, "a", probe.getRef()),
            repr(pid, 2, new NotSerializable(), probe.getRef()),
            repr(pid, 3, "c", probe.getRef())));
    probe.expectMsgEquals(TIMEOUT, JournalProtocol.WriteMessagesSuccessful$.MODULE$);
    for (int i = 0; i < 3; i++) {
      probe.expectMsgClass(TIMEOUT, JournalProtocol.WriteMessageRejected.class);
    }
    RocksTesting.Replay replay = replayAll(system, pid);
    assertEquals(List.of(), replay.sequenceNrs());
    assertEquals(0, replay.highest());
  }

  @Test
  void refusesASecondWriterOfTheSameSequenceNumbers(TestInfo info) {
    String pid = pid(info);
    write(system, pid, 1, 3);
    TestKit stale = new TestKit(system);
    send(system, stale, atomic(repr(pid, 3, "stale", stale.getRef())));
    stale.expectMsgClass(TIMEOUT, JournalProtocol.WriteMessagesFailed.class);
    stale.expectMsgClass(TIMEOUT, JournalProtocol.WriteMessageFailure.class);
    assertEquals(List.of(pid + "-1", pid + "-2", pid + "-3"), replayAll(system, pid).payloads());
  }

  @Test
  void rejectsAnIdTooLongToKeyWithoutFailingOtherWriters(TestInfo info) {
    String pid = pid(info);
    String tooLong = "x".repeat(RocksKeys.MAX_ID_BYTES + 1);
    TestKit probe = new TestKit(system);
    send(system, probe, atomic(repr(tooLong, 1, "a", probe.getRef())));
    write(system, pid, 1, 2);
    probe.expectMsgEquals(TIMEOUT, JournalProtocol.WriteMessagesSuccessful$.MODULE$);
    probe.expectMsgClass(TIMEOUT, JournalProtocol.WriteMessageRejected.class);
    assertEquals(range(1, 2), replayAll(system, pid).sequenceNrs());
  }

  @Test
  void keepsPersistenceIdsThatShareAPrefixApart(TestInfo info) {
    String pid = pid(info);
    write(system, pid, 1, 3);
    write(system, pid + "-longer", 1, 3);
    write(system, pid + "\u0000", 1, 2);
    deleteTo(system, pid, Long.MAX_VALUE);
    assertEquals(range(1, 3), replayAll(system, pid + "-longer").sequenceNrs());
    assertEquals(range(1, 2), replayAll(system, pid + "\u0000").sequenceNrs());
    assertEquals(List.of(), replayAll(system, pid).sequenceNrs());
  }

  @Test
  void concurrentWritersAreAllAcknowledgedAndStored() {
    int writers = 20;
    int eventsEach = 50;
    List<TestKit> probes = new ArrayList<>();
    // Every writer sends all its writes without waiting, so requests queue up behind each other.
    for (int w = 0; w < writers; w++) {
      TestKit probe = new TestKit(system);
      probes.add(probe);
      for (int n = 1; n <= eventsEach; n++) {
        send(system, probe, atomic(repr("concurrent-" + w, n, "e" + n, probe.getRef())));
      }
    }
    for (TestKit probe : probes) {
      for (int n = 1; n <= eventsEach; n++) {
        probe.expectMsgEquals(TIMEOUT, JournalProtocol.WriteMessagesSuccessful$.MODULE$);
        probe.expectMsgClass(TIMEOUT, JournalProtocol.WriteMessageSuccess.class);
      }
    }
    for (int w = 0; w < writers; w++) {
      assertEquals(range(1, eventsEach), replayAll(system, "concurrent-" + w).sequenceNrs());
    }
  }

  @Test
  void storesUnderTheConfiguredDirectory() {
    assertTrue(Files.isDirectory(dir.resolve("shared")), "the store's directory exists");
    assertTrue(Files.exists(dir.resolve("shared").resolve("CURRENT")), "RocksDB files are there");
  }
}
